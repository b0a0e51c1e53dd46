import ArgumentParser
import FoundationEssentials
import Notify
import NarrativeCore
import Pipeline

extension NarrativeWatch {
    struct Detect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the spike detector over a CSV series and print each point's score.",
            discussion: """
            Input columns: timestamp,value and optionally total (the exposure: all items in the bucket). Values are counts: \
            a fraction is rounded, and `value` in the output is the count judged. Timestamps \
            are ISO 8601 or YYYY-MM-DD HH:MM:SS (UTC unless they carry an offset). Output: one JSON object per row, in file order and with the timestamp in UTC, with `spike` true where the daemon \
            would raise a new alert and `firing` true while an episode lasts. Same code and defaults as the daemon \
            ([detection] of the configuration when one is given or found).

            Examples:
              narrative-watch detect --csv series.csv
              narrative-watch detect --csv tweets.csv --bucket 5m
            """)

        @Option(help: ArgumentHelp("The series.", valueName: "file")) var csv: String
        @Option(help: "The series' step (default: the most common gap between rows).") var bucket: String?
        @Option(name: .long, help: ArgumentHelp("Configuration file, for its [detection] parameters.", valueName: "path")) var config: String?

        func run() throws {
            var parameters = try detectionParameters()
            let rows = try CSVSeries.read(path: csv)
            guard !rows.isEmpty else { throw fail("\(csv): no rows to judge", code: 65) }
            if let (count, line) = CSVSeries.outOfOrder(rows) {
                // Kept in file order, one output line per row: real series repeat an hour when clocks go back.
                warn("\(csv):\(line): \(count == 1 ? "a row is" : "\(count) rows are") not later than the row before; rows are judged in file order")
            }
            guard let step = try bucket.map(Self.step) ?? CSVSeries.commonStep(rows) else {
                throw fail("\(csv): need at least two rows, or --bucket", code: 65)
            }
            guard step <= ConfigUnits.longestDuration else {
                throw fail("\(csv): the rows are \(ConfigUnits.format(seconds: step)) apart, more than 100 years; give --bucket", code: 65)
            }
            parameters.bucket = step
            let hasExposure = rows.allSatisfy { $0.total != nil }
            var monitor = SeriesMonitor(narrative: "series", detector: SpikeDetector(parameters: parameters, hasExposure: hasExposure))
            var out = ""
            out.reserveCapacity(rows.count * 100)
            for row in rows {
                let bucket = BucketCount(start: row.time, items: row.total ?? 0, matched: row.value)
                let stepResult = monitor.advance(bucket, now: row.time + Int64(step))
                var isStart = false
                if case .started? = stepResult.transition { isStart = true }
                out += JSONValue.object([
                    ("timestamp", .time(row.time)), ("value", .int(row.value)), ("expected", .double(stepResult.evaluation.expected)),
                    ("score", .double(stepResult.evaluation.probabilityScore)), ("spike", .bool(isStart)), ("firing", .bool(monitor.firing != nil)),
                ]).serialized()
                out += "\n"
            }
            Descriptor.standardOutput.write(out)
        }

        static func step(_ text: String) throws -> Int {
            guard let seconds = ConfigUnits.seconds(text) else { throw fail("--bucket '\(text)' is not a duration (e.g. 5m, 1h)", code: 64) }
            return seconds
        }

        /// The configuration's [detection] when one is given or found, else the defaults.
        private func detectionParameters() throws -> Configuration.Detection {
            let environment = ProcessInfo.processInfo.environment
            guard config != nil || (try? ConfigurationFile.locate(explicit: nil, environment: environment).get()) != nil else {
                return Configuration.Detection()
            }
            do {
                return try ConfigurationFile.load(explicit: config).0.detection
            } catch {
                throw fail(error.description, code: 78)
            }
        }
    }
}

/// A `timestamp,value[,total]` series.
enum CSVSeries {
    struct Row {
        let time: Int64
        /// The row's line in the file.
        let line: Int
        let value: Int
        let total: Int?
    }

    /// The largest series file read: 1 GB, some twenty years of minutes.
    static let largestFile = 1 << 30

    static func read(path: String) throws -> [Row] {
        let text: String
        do {
            text = String(decoding: try Files.read(path, limit: CSVSeries.largestFile), as: UTF8.self)
        } catch {
            throw fail("\(path): cannot read: \(error)", code: 66)
        }
        var rows: [Row] = []
        var columns: (time: Int, value: Int, total: Int?) = (0, 1, nil)
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmedWhitespace
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmedWhitespace }
            if n == 0, Double(fields.count > 1 ? fields[1] : "") == nil {
                let names = fields.map { $0.lowercased() }
                guard let t = names.firstIndex(of: "timestamp"), let v = names.firstIndex(of: "value") else {
                    throw fail("\(path):1: the header needs timestamp and value columns (and optionally total)", code: 65)
                }
                columns = (t, v, names.firstIndex(of: "total"))
                continue
            }
            let needed = max(columns.time, columns.value, columns.total ?? 0)
            guard fields.count > needed else { throw fail("\(path):\(n + 1): expected \(needed + 1) columns, found \(fields.count)", code: 65) }
            guard let time = TimeArgument.iso8601(fields[columns.time]) else {
                throw fail("\(path):\(n + 1): '\(fields[columns.time])' is not a timestamp (ISO 8601 or YYYY-MM-DD HH:MM:SS)", code: 65)
            }
            guard let value = count(fields[columns.value]) else {
                throw fail("\(path):\(n + 1): value '\(fields[columns.value])' is not a count (a number from 0 to 10^12)", code: 65)
            }
            var total: Int?
            if let c = columns.total {
                guard let t = count(fields[c]) else {
                    throw fail("\(path):\(n + 1): total '\(fields[c])' is not a count (a number from 0 to 10^12)", code: 65)
                }
                guard value <= t else {
                    throw fail("\(path):\(n + 1): value \(value) is more than total \(t); total counts every item, matching or not", code: 65)
                }
                total = t
            }
            rows.append(Row(time: time, line: n + 1, value: value, total: total))
        }
        return rows
    }

    /// A number of items, rounded; nil for what is not one. The bound keeps every sum the
    /// detector makes far from overflowing (a larger Double would not even convert to Int).
    static func count(_ field: String) -> Int? {
        guard let number = Double(field), number >= 0, number <= 1e12 else { return nil }
        return Int(number.rounded())
    }

    /// How many rows are not later than the row before them, and the line of the first; nil when all are in order.
    static func outOfOrder(_ rows: [Row]) -> (count: Int, line: Int)? {
        let late = zip(rows, rows.dropFirst()).filter { $1.time <= $0.time }.map(\.1)
        return late.first.map { (late.count, $0.line) }
    }

    /// The most common positive gap between consecutive rows, in seconds.
    static func commonStep(_ rows: [Row]) -> Int? {
        var counts: [Int64: Int] = [:]
        for (a, b) in zip(rows, rows.dropFirst()) where b.time > a.time { counts[b.time - a.time, default: 0] += 1 }
        return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }.map { Int($0.key) }
    }
}
