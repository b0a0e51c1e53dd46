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
        guard arguments.first == "match", arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: narrative-bench match CORPUS_DIR TERMS_JSON\n".utf8))
            exit(64)
        }
        let corpus = arguments[arguments.startIndex + 1]
        let termsFile = arguments[arguments.startIndex + 2]
        try match(corpus: corpus, termsFile: termsFile)
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
