import ArgumentParser
import FoundationEssentials
import NarrativeCore
import Pipeline
import SeriesStore

extension NarrativeWatch {
    struct Backtest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rerun the detector over stored history and list the alerts it would have raised.",
            discussion: """
            Uses the configuration's [detection] parameters, or those given here, so a change can be tried \
            before it goes into the configuration. Nothing is written.

            Examples:
              narrative-watch backtest --since 90d
              narrative-watch backtest --since 30d --sensitivity 3 --format json
            """)

        @OptionGroup var data: DataOptions
        @Option(help: "Report alerts from this far back (a duration or an ISO 8601 time; default 90d).") var since: String = "90d"
        @Option(help: "Only this narrative.") var narrative: String?
        @Option(help: "1 (quiet) … 10 (eager); sets significance and min-lift.") var sensitivity: Double?
        @Option(help: "Upper-tail probability per hour that counts as significant.") var significance: Double?
        @Option(help: "Smallest observed/expected ratio.") var minLift: Double?
        @Option(help: "Fewest matching items.") var minCount: Int?
        @Option(help: "Fewest feeds a spike must come from.") var minSources: Int?

        func run() throws {
            let (configuration, _) = try data.configOptions.load()
            var parameters = configuration.detection
            if let s = sensitivity {
                guard (1...10).contains(s) else { throw fail("--sensitivity must be between 1 and 10", code: 64) }
                parameters.significance = Configuration.Detection.significance(sensitivity: s)
                parameters.minLift = Configuration.Detection.minLift(sensitivity: s)
            }
            if let v = significance { parameters.significance = v }
            if let v = minLift { parameters.minLift = v }
            if let v = minCount { parameters.minCount = v }
            if let v = minSources {
                guard v >= 1 else { throw fail("--min-sources must be at least 1", code: 64) }
                parameters.minSources = v
            }
            let now = Int64(Date().timeIntervalSince1970)
            let from = try parseTime(since, now: now, option: "--since")
            let path = try data.databasePath()
            let narratives = narrative.map { [$0] } ?? configuration.narratives.map(\.id)
            var alerts: [(String, AlertEpisode)] = []
            do {
                let db = try NarrativeDatabase(readingAt: path)
                if let narrative { try data.checkKnown([narrative], in: db) }
                parameters.bucket = try db.bucketWidth() ?? parameters.bucket
                let stage = DetectionStage(parameters: parameters)
                for id in narratives {
                    alerts += try stage.replay(narrative: id, database: db, now: now).filter { $0.bucketStart >= from }.map { (id, $0) }
                }
            } catch let error as StoreError {
                throw fail("database \(path): \(error)")
            }
            switch data.outputFormat {
            case .json:
                emit(JSONValue.array(alerts.map { id, e in
                    .object([("narrative", .string(id)), ("bucket_start", .time(e.bucketStart)), ("observed", .int(e.observed)),
                             ("expected", .double(e.expected)), ("lift", .double(e.lift)), ("score", .double(e.score))])
                }).serialized())
            case .csv:
                emit((["narrative,bucket_start,observed,expected,lift,score"] + alerts.map { id, e in
                    CSV.line([id, Timestamp.iso8601(e.bucketStart), String(e.observed), JSONValue.format(e.expected),
                              JSONValue.format(e.lift), JSONValue.format(e.score)])
                }).joined(separator: "\n"))
            case .table:
                var table = TextTable(header: ["bucket", "narrative", "observed", "expected", "lift", "score"], rightAligned: [2, 3, 4, 5])
                for (id, e) in alerts {
                    table.rows.append([Timestamp.iso8601(e.bucketStart), id, String(e.observed), fixed(e.expected, 1),
                                       fixed(e.lift, 1) + "×", fixed(e.score, 1)])
                }
                emit(alerts.isEmpty ? "no alerts would have been raised since \(Timestamp.iso8601(from))" : table.render()
                     + "\n\(alerts.count) alert\(alerts.count == 1 ? "" : "s") with significance \(parameters.significance), min lift \(parameters.minLift), min count \(parameters.minCount), min sources \(parameters.minSources)")
            }
        }
    }
}
