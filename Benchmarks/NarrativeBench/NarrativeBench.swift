import FeedParse
import Foundation
import NarrativeCore
import Pipeline

/// Throughput benchmarks, run by `make bench`. Figures are wall-clock on one core, best of
/// several rounds, printed as one JSON object per benchmark.
@main
enum NarrativeBench {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "detect" {
            detect()
            return
        }
        guard arguments.first == "match", arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: narrative-bench match CORPUS_DIR TERMS_JSON | narrative-bench detect\n".utf8))
            exit(64)
        }
        let corpus = arguments[arguments.startIndex + 1]
        let termsFile = arguments[arguments.startIndex + 2]
        try match(corpus: corpus, termsFile: termsFile)
    }

    /// Detection over 50 narratives × one year of hourly buckets, as a first run of the daemon
    /// on a year of stored history would do it.
    static func detect() {
        let hours = 365 * 24
        let start: Int64 = 1_764_547_200
        var state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let series: [[BucketCount]] = (0..<50).map { n in
            (0..<hours).map { h in
                let items = 40 + Int(uniform() * 80)
                return BucketCount(start: start + Int64(h) * 3600, items: items, matched: Int(Double(items) * 0.05 * (0.5 + uniform()) * (n % 7 == 0 && h % 1000 == 0 ? 6 : 1)))
            }
        }
        let detector = SpikeDetector(parameters: Configuration.Detection())
        var best = Double.infinity
        var alerts = 0
        for _ in 0..<5 {
            let begin = Date()
            var started = 0
            for (n, buckets) in series.enumerated() {
                var monitor = SeriesMonitor(narrative: "n\(n)", detector: detector)
                for bucket in buckets {
                    if case .started? = monitor.advance(bucket, now: bucket.start + 3600).transition { started += 1 }
                }
            }
            best = min(best, Date().timeIntervalSince(begin))
            alerts = started
        }
        print(String(format: #"{"benchmark": "detect", "narratives": 50, "buckets": %d, "milliseconds": %.1f, "alerts": %d}"#,
                     hours, best * 1000, alerts))
    }

    /// Matches the narratives of `terms.json` over the item texts of every feed in `corpus`.
    static func match(corpus: String, termsFile: String) throws {
        struct Narrative: Decodable {
            let id: String
            let terms: [String]
        }
        let narratives = try JSONDecoder().decode([Narrative].self, from: Data(contentsOf: URL(fileURLWithPath: termsFile)))
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus).sorted()
        var full: [String] = []
        var short: [String] = []
        for file in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(corpus)/\(file)")))
            guard let feed = try? FeedParser.parse(bytes) else { continue }
            full += feed.items.map(ItemPreparation.matchableText)
            short += feed.items.map { [$0.title ?? "", HTMLText.plainText($0.summary ?? "")].joined(separator: "\n") }
        }
        let buildStart = Date()
        let matcher = NarrativeMatcher(narratives: narratives.map { Configuration.Narrative(id: $0.id, terms: $0.terms) })
        let buildSeconds = Date().timeIntervalSince(buildStart)
        let terms = narratives.reduce(0) { $0 + $1.terms.count }
        let rounds = Int(ProcessInfo.processInfo.environment["BENCH_ROUNDS"] ?? "") ?? 5
        // What the ingester matches (title, summary and content), and title with summary alone.
        for (name, texts) in [("title+summary+content", full), ("title+summary", short)] {
            let textBytes = texts.reduce(0) { $0 + $1.utf8.count }
            var best = Double.infinity
            var hits = 0
            for _ in 0..<rounds {
                let start = Date()
                var total = 0
                for text in texts {
                    for match in matcher.analyze(text) { total += match.mentions }
                }
                best = min(best, Date().timeIntervalSince(start))
                hits = total
            }
            print(String(format: #"{"benchmark": "match", "text": "%@", "narratives": %d, "terms": %d, "items": %d, "text_mb": %.1f, "build_ms": %.1f, "seconds": %.3f, "items_per_s": %.0f, "mb_per_s": %.1f, "mentions": %d}"#,
                         name, narratives.count, terms, texts.count, Double(textBytes) / 1e6, buildSeconds * 1000, best,
                         Double(texts.count) / best, Double(textBytes) / 1e6 / best, hits))
        }
    }
}
