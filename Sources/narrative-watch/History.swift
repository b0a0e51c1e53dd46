import ArgumentParser
import FoundationEssentials
import NarrativeCore
import SeriesStore

extension NarrativeWatch {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a narrative's series: items, matches, expectation and spikes per bucket.",
            discussion: """
            Examples:
              narrative-watch history ai --since 7d
              narrative-watch history ai defi --bucket 1d --format csv
            """)

        @Argument(help: "Narrative ids.") var narratives: [String]
        @OptionGroup var data: DataOptions
        @Option(help: "Start: a duration back from now (30d) or an ISO 8601 time (default 14d).") var since: String = "14d"
        @Option(help: "End: a duration back from now or an ISO 8601 time (default now).") var until: String?
        @Option(help: "Bucket width to aggregate to, a multiple of the stored one (default: the stored width).") var bucket: String?
        @Flag(help: "Also show, per stored bucket with matches, the feeds and terms behind them.") var explain = false
        @Flag(help: "Show each bucket's share of all items instead of counts (table; JSON and CSV always carry `share`).") var share = false
        @Option(help: ArgumentHelp("Also write an SVG line chart of the series to this file.", valueName: "file.svg")) var chart: String?

        func validate() throws {
            guard !narratives.isEmpty else { throw ValidationError("name at least one narrative, e.g. 'history ai'") }
        }

        func run() throws {
            let now = Int64(Date().timeIntervalSince1970)
            let from = try parseTime(since, now: now, option: "--since")
            let to = try until.map { try parseTime($0, now: now, option: "--until") } ?? now
            guard from <= to else {
                throw fail("--since (\(Timestamp.iso8601(from))) is after --until (\(Timestamp.iso8601(to)))", code: 64)
            }
            let path = try data.databasePath()
            do {
                let db = try NarrativeDatabase(readingAt: path)
                try data.checkKnown(narratives, in: db)
                let stored = try db.bucketWidth() ?? 3600
                var width = stored
                if let bucket {
                    guard let w = ConfigUnits.seconds(bucket), w % stored == 0 else {
                        throw fail("--bucket \(bucket) must be a multiple of the stored \(ConfigUnits.format(seconds: stored)) buckets", code: 64)
                    }
                    width = w
                }
                let bucketing = Bucketing(width: width)
                var table = TextTable(header: ["narrative", "start", "items", share ? "share" : "matched", "mentions", "expected", "score", "spike", ""],
                                      rightAligned: [2, 3, 4, 5, 6])
                var charted: [SVGChart.Series] = []
                var csv = [Self.csvHeader]
                for narrative in narratives {
                    // Whole days come from the daily roll-up: a year of hourly rows is not read for 365 points.
                    let rows = width % 86_400 == 0 && !explain
                        ? try db.dailyPoints(narrative: narrative, from: bucketing.start(of: from), to: to)
                        : try db.points(narrative: narrative, from: bucketing.start(of: from), to: to)
                    let points = Self.aggregate(rows, bucketing: bucketing)
                    charted.append(SVGChart.Series(name: narrative, points: points.map { p in
                        let value = share ? 100 * p.share : Double(p.matched)
                        let expected = p.expected.map { share ? (p.items == 0 ? 0 : 100 * $0 / Double(p.items)) : $0 }
                        return (p.start, value, expected, p.spike)
                    }))
                    switch data.outputFormat {
                    case .json:
                        var json: [JSONValue] = []
                        for p in points {
                            guard explain, p.matched > 0, width == stored, case .object(var fields) = Self.json(p) else {
                                json.append(Self.json(p))
                                continue
                            }
                            let evidence = try db.evidence(narrative: narrative, bucketStart: p.start, limit: 5)
                            fields += [("sources", .int(evidence.sources)), ("terms", .array(evidence.terms.map(JSONValue.string)))]
                            json.append(.object(fields))
                        }
                        emit(JSONValue.object([
                            ("narrative", .string(narrative)), ("bucket", .string(ConfigUnits.format(seconds: width))),
                            ("points", .array(json)),
                        ]).serialized())
                    case .csv:
                        csv += points.map { Self.csvLine(narrative, $0) }
                    case .table:
                        let peak = max(1, points.map(\.matched).max() ?? 1)
                        let peakShare = max(0.0001, points.map(\.share).max() ?? 0)
                        for p in points {
                            let pointShare = p.share
                            var bar = String(repeating: "█", count: share ? Int(pointShare / peakShare * 20) : p.matched * 20 / peak)
                            if explain, p.matched > 0, width == stored {
                                let evidence = try db.evidence(narrative: narrative, bucketStart: p.start, limit: 3)
                                bar += "  \(evidence.sources) feeds: \(evidence.terms.joined(separator: ", "))"
                            }
                            table.rows.append([narrative, Timestamp.iso8601(p.start), String(p.items),
                                               share ? fixed(pointShare * 100, 1) + "%" : String(p.matched), String(p.mentions),
                                               p.expected.map { fixed($0, 1) } ?? "-", p.score.map { fixed($0, 1) } ?? "-",
                                               p.spike ? Colour.red("SPIKE") : "", p.spike ? Colour.red(bar) : bar])
                        }
                    }
                }
                if let chart {
                    let svg = SVGChart(title: "\(narratives.joined(separator: ", ")) — \(share ? "share of all items" : "matching items") per \(ConfigUnits.format(seconds: width))",
                                       yLabel: share ? "% of items" : "items", series: charted).render()
                    do {
                        try Files.write(svg, to: chart)
                    } catch {
                        throw fail("cannot write \(chart): \(error)")
                    }
                }
                if data.outputFormat == .csv { emit(csv.joined(separator: "\n")) }
                if data.outputFormat == .table { emit(table.rows.isEmpty ? "no data in that period" : table.render()) }
            } catch let error as StoreError {
                throw fail("database \(path): \(error)")
            }
        }

        static func json(_ p: SeriesPoint) -> JSONValue {
            .object([
                ("start", .string(Timestamp.iso8601(p.start))), ("items", .int(p.items)), ("matched", .int(p.matched)),
                ("mentions", .int(p.mentions)), ("expected", p.expected.map(JSONValue.double) ?? .null),
                ("score", p.score.map(JSONValue.double) ?? .null), ("spike", .bool(p.spike)), ("hyped", .int(p.hyped)),
                ("share", .double(p.share)),
            ])
        }

        /// The columns of a series point: `history` and `export` write the same ones, as their JSON does.
        static let columns = ["narrative", "start", "items", "matched", "mentions", "expected", "score", "spike", "hyped", "share"]
        static let csvHeader = CSV.line(columns)

        static func csvLine(_ narrative: String, _ p: SeriesPoint) -> String {
            CSV.line([narrative, Timestamp.iso8601(p.start), String(p.items), String(p.matched), String(p.mentions),
                      p.expected.map { JSONValue.format($0) } ?? "", p.score.map { JSONValue.format($0) } ?? "",
                      p.spike ? "true" : "false", String(p.hyped), JSONValue.format(p.share)])
        }

        /// Sums stored buckets into wider ones; the score is the highest, a spike in any makes a spike.
        static func aggregate(_ points: [SeriesPoint], bucketing: Bucketing) -> [SeriesPoint] {
            var out: [SeriesPoint] = []
            for p in points {
                let start = bucketing.start(of: p.start)
                if let last = out.last, last.start == start {
                    out[out.count - 1] = SeriesPoint(
                        start: start, items: last.items + p.items, matched: last.matched + p.matched, mentions: last.mentions + p.mentions,
                        expected: last.expected.map { $0 + (p.expected ?? 0) } ?? p.expected,
                        score: max(last.score ?? 0, p.score ?? 0), spike: last.spike || p.spike, hyped: last.hyped + p.hyped)
                } else {
                    out.append(SeriesPoint(start: start, items: p.items, matched: p.matched, mentions: p.mentions,
                                           expected: p.expected, score: p.score, spike: p.spike, hyped: p.hyped))
                }
            }
            return out
        }
    }
}
