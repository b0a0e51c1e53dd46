import FeedParse
import Foundation
import Testing

/// A property test in the manner of a fuzzer: every fixture, mutated many times over by a
/// seeded generator (bytes flipped, markup characters injected, slices repeated or cut), goes
/// through the parser, which must return a feed or an error and never crash or hang.
/// `NW_FUZZ_ITERATIONS` raises the count for long runs (`make fuzz-parse`).
struct FeedParserFuzzTests {
    /// A small, fast, seedable generator (SplitMix64), so a failure can be replayed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let tokens: [[UInt8]] = ["<", ">", "&", "&amp;", "&#", "&#x", ";", "</", "<![CDATA[", "]]>", "<!--", "-->", "<!DOCTYPE x [",
                                    "<!ENTITY a \"&a;\">", "]>", "\"", "'", "=", "\u{0}", "\u{FEFF}", "\u{92}", "<item>", "</item>",
                                    "<entry>", "xml:base=\"../\"", "encoding=\"utf-16\"", "&nbsp;", "&#146;", "\u{FFFF}"].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...8, using: &rng) {
            guard !bytes.isEmpty else { bytes = Array("<".utf8); continue }
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
            case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...64, using: &rng)))
            case 3:
                let end = min(bytes.count, at + Int.random(in: 1...256, using: &rng))
                bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0...bytes.count, using: &rng))
            case 4: bytes.removeSubrange(at...) // truncated
            default: bytes[at] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            }
        }
        return bytes
    }

    static func fixtures() throws -> [[UInt8]] {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.map { Array(try Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    @Test func mutatedFeedsNeverCrashTheParser() throws {
        let iterations = ProcessInfo.processInfo.environment["NW_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 4000
        let seed = ProcessInfo.processInfo.environment["NW_FUZZ_SEED"].flatMap(UInt64.init) ?? 20261128
        var rng = SplitMix64(state: seed)
        let corpus = try Self.fixtures()
        #expect(!corpus.isEmpty)
        let clock = ContinuousClock()
        let started = clock.now
        var parsed = 0, refused = 0
        for _ in 0..<iterations {
            let input = Self.mutate(corpus.randomElement(using: &rng)!, using: &rng)
            do {
                let feed = try FeedParser.parse(input)
                parsed += 1
                // What comes back is usable: every link is absolute or as given, nothing is empty-but-present.
                for item in feed.items {
                    #expect(item.link?.isEmpty != true)
                }
                // The same bytes give the same feed.
                #expect(try FeedParser.parse(input) == feed)
            } catch {
                refused += 1
            }
        }
        let elapsed = clock.now - started
        print("fuzz: \(iterations) mutated feeds (seed \(seed)) in \(elapsed): \(parsed) parsed, \(refused) refused")
        #expect(parsed + refused == iterations)
    }
}
