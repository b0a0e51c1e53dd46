import ArgumentParser
import FoundationEssentials
import NarrativeCore
import SeriesStore

extension NarrativeWatch {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export every narrative's series for notebooks and spreadsheets.",
            discussion: "JSON unless --format csv, on a terminal too.\nExamples:\n  narrative-watch export --since 30d --format csv > series.csv\n  narrative-watch export --format json | jq .")

        @OptionGroup var data: DataOptions
        @Option(help: "Start: a duration back from now or an ISO 8601 time (default 30d).") var since: String = "30d"

        func validate() throws {
            guard data.format != .table else { throw ValidationError("export writes json or csv; for a table, use history") }
        }

        func run() throws {
            let (configuration, _) = try data.configOptions.load()
            let now = Int64(Date().timeIntervalSince1970)
            let from = try parseTime(since, now: now, option: "--since")
            let path = try data.databasePath()
            do {
                let db = try NarrativeDatabase(readingAt: path)
                // From the bucket that holds --since, as history reads it.
                let first = Bucketing(width: try db.bucketWidth() ?? configuration.detection.bucket).start(of: from)
                var csv = [NarrativeWatch.History.csvHeader]
                var json: [JSONValue] = []
                for narrative in configuration.narratives.map(\.id) {
                    let points = try db.points(narrative: narrative, from: first, to: now)
                    if data.outputFormat == .csv {
                        csv += points.map { NarrativeWatch.History.csvLine(narrative, $0) }
                    } else {
                        json.append(.object([("narrative", .string(narrative)), ("points", .array(points.map(NarrativeWatch.History.json)))]))
                    }
                }
                emit(data.outputFormat == .csv ? csv.joined(separator: "\n") : JSONValue.array(json).serialized())
            } catch {
                throw fail("database \(path): \(error)")
            }
        }
    }
}
