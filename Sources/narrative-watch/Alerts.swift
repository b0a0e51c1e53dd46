import ArgumentParser
import Foundation
import NarrativeCore
import SeriesStore

extension NarrativeWatch {
    struct Alerts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the spikes raised, newest first, with their recurrence and top stories.",
            discussion: """
            Examples:
              narrative-watch alerts --since 30d
              narrative-watch alerts --narrative ai --format json
            """)

        @OptionGroup var data: DataOptions
        @Option(help: "Start: a duration back from now (30d) or an ISO 8601 time (default 90d).") var since: String = "90d"
        @Option(help: "Only this narrative.") var narrative: String?

        func run() throws {
            let now = Int64(Date().timeIntervalSince1970)
            let from = try parseTime(since, now: now, option: "--since")
            let path = try data.databasePath()
            do {
                let alerts = try NarrativeDatabase(readingAt: path).alerts(since: from, narrative: narrative)
                switch data.outputFormat {
                case .json:
                    emit(JSONValue.array(alerts.map(Self.json)).serialized())
                case .csv:
                    var lines = [CSV.line(["id", "narrative", "state", "started", "ended", "bucket_start", "observed", "expected", "lift",
                                           "score", "spikes_90d", "previous", "sources", "top_link"])]
                    for a in alerts {
                        let e = a.episode
                        lines.append(CSV.line([e.id, e.narrative, e.state.rawValue, Timestamp.iso8601(e.started), e.ended.map(Timestamp.iso8601) ?? "",
                                               Timestamp.iso8601(e.bucketStart), String(e.observed), JSONValue.format(e.expected),
                                               JSONValue.format(e.lift), JSONValue.format(e.score), String(a.spikesIn90Days),
                                               a.previous.map(Timestamp.iso8601) ?? "", String(a.sources), a.topItems.first?.link ?? ""]))
                    }
                    emit(lines.joined(separator: "\n"))
                case .table:
                    guard !alerts.isEmpty else { emit("no alerts since \(Timestamp.iso8601(from))"); return }
                    var table = TextTable(header: ["bucket", "narrative", "state", "observed", "expected", "lift", "score", "90d", "sources", "top story"],
                                          rightAligned: [3, 4, 5, 6, 7, 8])
                    for a in alerts {
                        let e = a.episode
                        table.rows.append([Timestamp.iso8601(e.bucketStart), e.narrative, e.state.rawValue, String(e.observed),
                                           String(format: "%.1f", e.expected), String(format: "%.1f×", e.lift), String(format: "%.1f", e.score),
                                           String(a.spikesIn90Days), String(a.sources), String((a.topItems.first?.title ?? "").prefix(60))])
                    }
                    emit(table.render())
                }
            } catch {
                throw fail("database \(path): \(error)")
            }
        }

        static func json(_ a: AlertRecord) -> JSONValue {
            let e = a.episode
            return .object([
                ("id", .string(e.id)), ("narrative", .string(e.narrative)), ("state", .string(e.state.rawValue)),
                ("started", .time(e.started)), ("ended", .time(e.ended)), ("bucket_start", .time(e.bucketStart)),
                ("observed", .int(e.observed)), ("expected", .double(e.expected)), ("lift", .double(e.lift)), ("score", .double(e.score)),
                ("recurrence", .object([("spikes_90d", .int(a.spikesIn90Days)), ("previous", .time(a.previous))])),
                ("sources", .int(a.sources)),
                ("top_items", .array(a.topItems.map { .object([("title", .string($0.title)), ("link", .string($0.link)), ("feed", .string($0.feed))]) })),
                ("terms", .array(a.terms.map(JSONValue.string))),
            ])
        }
    }
}
