import ArgumentParser
import FoundationEssentials
import NarrativeCore
import Pipeline
import SeriesStore

extension NarrativeWatch {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every narrative now: last bucket against its baseline, trend, the week, spikes in 90 days.",
            discussion: """
            Sorted by what is moving most. `hype` is the share of the narrative's items this week that also \
            carry a hype marker ("revolution").

            Example:
              narrative-watch status
            """)

        @OptionGroup var data: DataOptions

        struct Row {
            let narrative: String
            let last: SeriesPoint?
            /// Nil while the bucket shown has no expectation yet.
            let lift: Double?
            let trend: Double
            let week: [Int]
            let spikes90: Int
            let firing: String?
            let hype: Double?
        }

        func run() throws {
            let (configuration, _) = try data.configOptions.load()
            let now = Int64(Date().timeIntervalSince1970)
            let path = try data.databasePath()
            var rows: [Row] = []
            do {
                let db = try NarrativeDatabase(readingAt: path)
                let width = Int64(try db.bucketWidth() ?? configuration.detection.bucket)
                let lastClosed = Bucketing(width: Int(width)).lastClosedStart(at: now)
                for narrative in configuration.narratives {
                    let points = try db.points(narrative: narrative.id, from: now - 7 * 86_400, to: now)
                    // The last closed bucket, unless the one still filling has raised an alert already.
                    let last = points.last { $0.start > lastClosed && $0.spike } ?? points.last { $0.start <= lastClosed }
                    let lift = last.flatMap { p in p.expected.map { (Double(p.matched) + 1) / ($0 + 1) } }
                    func share(_ range: Range<Int64>) -> Double {
                        let inRange = points.filter { range.contains($0.start) }
                        let items = inRange.reduce(0) { $0 + $1.items }
                        return items == 0 ? 0 : Double(inRange.reduce(0) { $0 + $1.matched }) / Double(items)
                    }
                    let recent = share((now - 86_400)..<now), before = share((now - 2 * 86_400)..<(now - 86_400))
                    let week = (0..<7).map { day -> Int in
                        let dayStart = now - Int64(7 - day) * 86_400
                        return points.filter { $0.start >= dayStart && $0.start < dayStart + 86_400 }.reduce(0) { $0 + $1.matched }
                    }
                    let matchedWeek = points.reduce(0) { $0 + $1.matched }
                    let hypedWeek = points.reduce(0) { $0 + $1.hyped }
                    rows.append(Row(narrative: narrative.id, last: last, lift: lift, trend: before == 0 ? (recent > 0 ? 2 : 1) : recent / before,
                                    week: week, spikes90: try db.episodes(narrative: narrative.id, from: now - 90 * 86_400, to: now).count,
                                    firing: try db.detectionCursor(narrative: narrative.id)?.firing?.episode.id,
                                    hype: narrative.kind == .hype || matchedWeek == 0 ? nil : Double(hypedWeek) / Double(matchedWeek)))
                }
            } catch {
                throw fail("database \(path): \(error)")
            }
            rows.sort { ($0.firing != nil ? 1 : 0, $0.lift ?? 1) > ($1.firing != nil ? 1 : 0, $1.lift ?? 1) }
            switch data.outputFormat {
            case .json:
                emit(JSONValue.array(rows.map { r in
                    .object([
                        ("narrative", .string(r.narrative)), ("bucket_start", .time(r.last?.start)), ("matched", .int(r.last?.matched ?? 0)),
                        ("expected", r.last?.expected.map(JSONValue.double) ?? .null), ("lift", r.lift.map(JSONValue.double) ?? .null),
                        ("score", r.last?.score.map(JSONValue.double) ?? .null), ("trend", .double(r.trend)),
                        ("week", .array(r.week.map(JSONValue.int))), ("spikes_90d", .int(r.spikes90)), ("firing", .optional(r.firing)),
                        ("hype_share", r.hype.map(JSONValue.double) ?? .null),
                    ])
                }).serialized())
            case .csv:
                emit((["narrative,bucket_start,matched,expected,lift,score,trend,spikes_90d,firing,hype_share"] + rows.map { r in
                    CSV.line([r.narrative, r.last.map { Timestamp.iso8601($0.start) } ?? "", String(r.last?.matched ?? 0),
                              r.last?.expected.map { JSONValue.format($0) } ?? "", r.lift.map { JSONValue.format($0) } ?? "",
                              r.last?.score.map { JSONValue.format($0) } ?? "", JSONValue.format(r.trend),
                              String(r.spikes90), r.firing ?? "", r.hype.map { JSONValue.format($0) } ?? ""])
                }).joined(separator: "\n"))
            case .table:
                var table = TextTable(header: ["narrative", "now", "expected", "lift", "score", "trend", "7 days", "90d spikes", "hype", "alert"],
                                      rightAligned: [1, 2, 3, 4, 7, 8])
                for r in rows {
                    table.rows.append([r.narrative, String(r.last?.matched ?? 0), r.last?.expected.map { fixed($0, 1) } ?? "-",
                                       r.lift.map { fixed($0, 1) + "×" } ?? "-", r.last?.score.map { fixed($0, 1) } ?? "-", r.trend >= 1.1 ? Colour.green(Self.arrow(r.trend)) : Self.arrow(r.trend), Sparkline.render(r.week), String(r.spikes90),
                                       r.hype.map { fixed($0 * 100, 0) + "%" } ?? "-", Colour.red(r.firing ?? "")])
                }
                emit(table.render())
            }
        }

        static func arrow(_ ratio: Double) -> String {
            switch ratio {
            case 1.5...: "↑↑"
            case 1.1..<1.5: "↑"
            case ..<0.67: "↓↓"
            case ..<0.9: "↓"
            default: "→"
            }
        }
    }
}

/// Eight-level bars for a small series of counts.
enum Sparkline {
    static func render(_ values: [Int]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let top = max(1, values.max() ?? 1)
        return String(values.map { bars[min(7, $0 * 7 / top)] })
    }
}
