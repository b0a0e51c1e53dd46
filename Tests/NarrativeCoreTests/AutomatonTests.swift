@testable import NarrativeCore
import Testing

/// The automaton's two table widths find the same occurrences.
struct AutomatonTests {
    /// `count` distinct patterns of 24 letters, from a fixed linear congruential sequence.
    static func patterns(_ count: Int) -> [[UInt8]] {
        var seed: UInt64 = 42
        return (0..<count).map { _ in
            (0..<24).map { _ in
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(0x61 + (seed >> 33) % 26)
            }
        }
    }

    /// Every occurrence of `patterns` in a text that holds patterns 0, 7, 14 … between dashes.
    static func occurrences(_ automaton: Automaton, _ patterns: [[UInt8]]) -> (found: [[Int]], expected: [[Int]]) {
        var text: [UInt8] = []
        var expected: [[Int]] = []
        for index in stride(from: 0, to: patterns.count, by: 7) {
            text += [0x2D] + patterns[index]
            expected.append([index, text.count])
        }
        var found: [[Int]] = []
        text.withUnsafeBufferPointer { automaton.scan($0) { found.append([$0, $1]) } }
        return (found, expected)
    }

    @Test func narrowTableFindsEveryPattern() {
        let patterns = Self.patterns(200)
        let automaton = Automaton(patterns)
        #expect(automaton.stateCount < 65_536)
        let (found, expected) = Self.occurrences(automaton, patterns)
        #expect(found == expected)
    }

    @Test func wideTableFindsEveryPatternPastSixtyFiveThousandStates() {
        let patterns = Self.patterns(3_000)
        let automaton = Automaton(patterns)
        #expect(automaton.stateCount > 65_536)
        let (found, expected) = Self.occurrences(automaton, patterns)
        #expect(found == expected)
    }
}
