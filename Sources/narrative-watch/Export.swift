import ArgumentParser
import FoundationEssentials
import NarrativeCore
import SeriesStore

extension NarrativeWatch {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export every narrative's series for notebooks and spreadsheets.",
            discussion: "A table on a terminal, JSON otherwise; CSV with --format csv.\nExamples:\n  narrative-watch export --since 30d --format csv > series.csv\n  narrative-watch export --format json | jq .")

        @OptionGroup var data: DataOptions
        @Option(help: "Start: a duration back from now or an ISO 8601 time (default 30d).") var since: String = "30d"

        func run() throws {
            let (configuration, _) = try data.configOptions.load()
            let now = Int64(Date().timeIntervalSince1970)
            let from = try parseTime(since, now: now, option: "--since")
            let path = try data.databasePath()
            do {
                let db = try NarrativeDatabase(readingAt: path)
                // From the bucket that holds --since, as history reads it.
                let width = try db.bucketWidth() ?? configuration.detection.bucket
                let first = Bucketing(width: width).start(of: from)
                var csv = [NarrativeWatch.History.csvHeader]
                var json: [JSONValue] = []
                var table = TextTable(header: NarrativeWatch.History.columns, rightAligned: [2, 3, 4, 5, 6, 8, 9])
                for narrative in configuration.narratives.map(\.id) {
                    let points = try db.points(narrative: narrative, from: first, to: now)
                    switch data.outputFormat {
                    case .csv:
                        csv += points.map { NarrativeWatch.History.csvLine(narrative, $0) }
                    case .json:
                        json.append(.object([("narrative", .string(narrative)), ("bucket", .string(ConfigUnits.format(seconds: width))),
                                             ("points", .array(points.map(NarrativeWatch.History.json)))]))
                    case .table:
                        table.rows += points.map { p in
                            [narrative, Timestamp.iso8601(p.start), String(p.items), String(p.matched), String(p.mentions),
                             p.expected.map { fixed($0, 1) } ?? "-", p.score.map { fixed($0, 1) } ?? "-", p.spike ? "SPIKE" : "",
                             String(p.hyped), fixed(p.share * 100, 1) + "%"]
                        }
                    }
                }
                switch data.outputFormat {
                case .csv: emit(csv.joined(separator: "\n"))
                case .json: emit(JSONValue.array(json).serialized())
                case .table: emit(table.rows.isEmpty ? "no data in that period" : table.render())
                }
            } catch {
                throw fail("database \(path): \(error)")
            }
        }
    }
}
