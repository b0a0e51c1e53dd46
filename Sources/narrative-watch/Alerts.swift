import ArgumentParser
import FoundationEssentials
import NarrativeCore
import Notify
import SeriesStore

extension NarrativeWatch {
    struct Alerts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the spikes raised, newest first, with their recurrence and top stories.",
            discussion: """
            Examples:
              narrative-watch alerts --since 30d
              narrative-watch alerts --narrative ai --format json
              narrative-watch alerts show ai-20261128T1000Z
            """,
            subcommands: [Show.self])

        @OptionGroup var data: DataOptions
        @Option(help: "Start: a duration back from now (30d) or an ISO 8601 time (default 90d).") var since: String = "90d"
        @Option(help: "Only this narrative.") var narrative: String?

        func run() throws {
            let now = Int64(Date().timeIntervalSince1970)
            let from = try parseTime(since, now: now, option: "--since")
            let path = try data.databasePath()
            do {
                let db = try NarrativeDatabase(readingAt: path)
                if let narrative { try data.checkKnown([narrative], in: db) }
                let alerts = try db.alerts(since: from, narrative: narrative)
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
                    // The id (narrative and first bucket) is what `alerts show` takes.
                    var table = TextTable(header: ["id", "bucket", "state", "observed", "expected", "lift", "score", "90d", "sources", "top story"],
                                          rightAligned: [3, 4, 5, 6, 7, 8])
                    for a in alerts {
                        let e = a.episode
                        table.rows.append([e.id, Timestamp.iso8601(e.bucketStart), e.state == .firing ? Colour.red(e.state.rawValue) : e.state.rawValue, String(e.observed),
                                           fixed(e.expected, 1), fixed(e.lift, 1) + "×", fixed(e.score, 1),
                                           String(a.spikesIn90Days), String(a.sources), String((a.topItems.first?.title ?? "").prefix(60))])
                    }
                    emit(table.render())
                }
            } catch let error as StoreError {
                throw fail("database \(path): \(error)")
            }
        }

        static func json(_ a: AlertRecord) -> JSONValue { a.json }
    }
}

extension NarrativeWatch.Alerts {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One alert with every story and source behind it, from its first spike bucket to its last.",
            discussion: "Example:\n  narrative-watch alerts show ai-20261128T1000Z --format json")

        @Argument(help: "The alert's id, as `alerts` lists it.") var id: String
        @OptionGroup var data: DataOptions

        func validate() throws {
            guard data.format != .csv else { throw ValidationError("--format csv does not fit one alert with its stories; use json or table") }
        }

        func run() throws {
            let path = try data.databasePath()
            do {
                let db = try NarrativeDatabase(readingAt: path)
                guard let alert = try db.alert(id: id) else { throw fail("no alert \(id) in \(path)") }
                let e = alert.episode
                // Every story of the episode, from its first spike bucket to its last.
                let width = Int64(try db.bucketWidth() ?? 3600)
                var stories: [(item: TopItem, sources: [String], terms: [String])] = []
                for bucket in stride(from: e.bucketStart, through: e.lastSpikeBucket, by: Int(width)) {
                    stories += try db.stories(narrative: e.narrative, bucketStart: bucket)
                }
                switch data.outputFormat {
                case .json, .csv: // csv is refused by validate()
                    guard case .object(var fields) = NarrativeWatch.Alerts.json(alert) else { return }
                    fields.append(("stories", .array(stories.map { s in
                        .object([("title", .string(s.item.title)), ("link", .string(s.item.link)), ("feed", .string(s.item.feed)),
                                 ("sources", .array(s.sources.map(JSONValue.string))), ("terms", .array(s.terms.map(JSONValue.string)))])
                    })))
                    emit(JSONValue.object(fields).serialized())
                case .table:
                    var lines = [
                        "\(e.id)  \(e.narrative)  \(e.state.rawValue)",
                        AlertEvents.message(for: alert, kind: e.state == .resolved ? .spikeResolved : .spikeStarted),
                        "started \(Timestamp.iso8601(e.started))" + (e.ended.map { ", ended \(Timestamp.iso8601($0))" } ?? ""),
                        "terms: \(alert.terms.joined(separator: ", "))", "",
                    ]
                    for s in stories {
                        lines.append("• \(s.item.title)")
                        lines.append("  \(s.item.link)")
                        lines.append("  \(s.sources.joined(separator: ", "))  [\(s.terms.joined(separator: ", "))]")
                    }
                    emit(lines.joined(separator: "\n"))
                }
            } catch let error as StoreError {
                throw fail("database \(path): \(error)")
            }
        }
    }
}
