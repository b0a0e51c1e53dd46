/// Counts each narrative's term hits in a text: case-insensitive, whole words for scripts
/// that separate words with spaces, substrings for CJK, Arabic words also with their
/// attached prefixes. Built once per configuration; `mentions(in:)` is pure and thread-safe.
public struct NarrativeMatcher: Sendable {
    /// Narrative ids in configuration order.
    public let narrativeIDs: [String]
    private let patterns: [Pattern]
    /// Patterns by every form their first word may take in a text.
    private let byFirstWord: [String: [Int]]
    /// Patterns whose first token is CJK, found by substring search.
    private let cjkFirst: [Int]

    private struct Pattern: Sendable {
        let narrative: Int
        let tokens: [PatternToken]
        let isExclusion: Bool
    }

    private enum PatternToken: Sendable {
        case word(forms: Set<String>)
        case cjk([Unicode.Scalar])
    }

    public init(narratives: [Configuration.Narrative]) {
        narrativeIDs = narratives.map(\.id)
        var patterns: [Pattern] = []
        for (index, narrative) in narratives.enumerated() {
            for (phrases, isExclusion) in [(narrative.terms, false), (narrative.exclude, true)] {
                for phrase in phrases {
                    let tokens = TextTokenizer.tokens(TextNormalizer.normalize(phrase)).map(Self.patternToken)
                    if !tokens.isEmpty { patterns.append(Pattern(narrative: index, tokens: tokens, isExclusion: isExclusion)) }
                }
            }
        }
        var byFirstWord: [String: [Int]] = [:]
        var cjkFirst: [Int] = []
        for (index, pattern) in patterns.enumerated() {
            switch pattern.tokens[0] {
            case .word(let forms): for form in forms { byFirstWord[form, default: []].append(index) }
            case .cjk: cjkFirst.append(index)
            }
        }
        self.patterns = patterns
        self.byFirstWord = byFirstWord
        self.cjkFirst = cjkFirst
    }

    /// True when a term has something to match once normalized (letters, digits or CJK).
    public static func isMatchable(_ term: String) -> Bool {
        !TextTokenizer.tokens(TextNormalizer.normalize(term)).isEmpty
    }

    /// Term hits per narrative id in plain text; narratives without a hit are absent.
    public func mentions(in text: String) -> [String: Int] {
        let tokens = TextTokenizer.tokens(TextNormalizer.normalize(text))
        guard !tokens.isEmpty else { return [:] }
        let forms = tokens.map { $0.kind == .word ? Self.textForms($0) : [] }
        var hits: [Hit] = []
        for (i, token) in tokens.enumerated() {
            switch token.kind {
            case .word:
                var seen = Set<Int>()
                for form in forms[i] {
                    for p in byFirstWord[form] ?? [] where seen.insert(p).inserted {
                        if let end = matchRest(patterns[p].tokens, from: i, tokens: tokens, forms: forms) {
                            hits.append(Hit(pattern: p, start: token.start, end: end))
                        }
                    }
                }
            case .cjk:
                for p in cjkFirst {
                    guard case .cjk(let needle) = patterns[p].tokens[0] else { continue }
                    for offset in Self.occurrences(of: needle, in: token.scalars) {
                        if patterns[p].tokens.count == 1 {
                            hits.append(Hit(pattern: p, start: token.start + offset, end: token.start + offset + needle.count))
                        } else if offset + needle.count == token.scalars.count,
                                  let end = matchRest(patterns[p].tokens, from: i, tokens: tokens, forms: forms) {
                            hits.append(Hit(pattern: p, start: token.start + offset, end: end))
                        }
                    }
                }
            }
        }
        return count(hits)
    }

    private struct Hit {
        let pattern: Int
        let start: Int
        let end: Int
    }

    /// Per narrative: drop hits inside an exclusion, then keep the leftmost-longest
    /// non-overlapping hits, so "AI" inside a matched "AI agents" counts once.
    private func count(_ hits: [Hit]) -> [String: Int] {
        var result: [String: Int] = [:]
        let grouped = Dictionary(grouping: hits) { patterns[$0.pattern].narrative }
        for (narrative, group) in grouped {
            let exclusions = group.filter { patterns[$0.pattern].isExclusion }
            let terms = group
                .filter { hit in !patterns[hit.pattern].isExclusion && !exclusions.contains { $0.start <= hit.start && hit.end <= $0.end } }
                .sorted { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
            var lastEnd = -1
            var n = 0
            for hit in terms where hit.start >= lastEnd {
                n += 1
                lastEnd = hit.end
            }
            if n > 0 { result[narrativeIDs[narrative]] = n }
        }
        return result
    }

    /// Verifies tokens 1… of a pattern whose first token matched at text token `i`;
    /// returns the scalar offset where the hit ends.
    private func matchRest(_ pattern: [PatternToken], from i: Int, tokens: [TextToken], forms: [Set<String>]) -> Int? {
        var end = tokens[i].end
        if pattern.count == 1 { return end }
        for k in 1..<pattern.count {
            let j = i + k
            guard j < tokens.count else { return nil }
            let token = tokens[j]
            switch pattern[k] {
            case .word(let wanted):
                guard token.kind == .word, !wanted.isDisjoint(with: forms[j]) else { return nil }
                end = token.end
            case .cjk(let needle):
                guard token.kind == .cjk else { return nil }
                if k == pattern.count - 1 {
                    guard token.scalars.starts(with: needle) else { return nil }
                    end = token.start + needle.count
                } else {
                    guard token.scalars == needle else { return nil }
                    end = token.end
                }
            }
        }
        return end
    }

    private static func occurrences(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> [Int] {
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        var found: [Int] = []
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) {
                found.append(i)
                i += needle.count
            } else {
                i += 1
            }
        }
        return found
    }

    // MARK: Word forms

    private static let article: [Unicode.Scalar] = ["\u{0627}", "\u{0644}"] // ال
    private static let conjunctions: [Unicode.Scalar] = ["\u{0648}", "\u{0641}"] // و ف
    private static let prepositions: [Unicode.Scalar] = ["\u{0628}", "\u{0643}", "\u{0644}"] // ب ك ل
    /// Shortest stem left after removing prefixes, so short words are not stripped into others.
    private static let minimumStem = 2

    private static func patternToken(_ token: TextToken) -> PatternToken {
        switch token.kind {
        case .cjk: return .cjk(token.scalars)
        case .word:
            var forms: Set<String> = [token.text]
            if token.isArabic, token.scalars.starts(with: article), token.scalars.count - 2 >= minimumStem {
                forms.insert(String(String.UnicodeScalarView(token.scalars.dropFirst(2))))
            }
            return .word(forms: forms)
        }
    }

    /// The forms a word in a text may stand for: itself and, for Arabic, the word without
    /// its attached conjunction, preposition and article (`وبالذكاء` → `الذكاء`, `ذكاء`).
    private static func textForms(_ token: TextToken) -> Set<String> {
        var forms: Set<String> = [token.text]
        guard token.isArabic else { return forms }
        let s = token.scalars
        func add(_ stem: ArraySlice<Unicode.Scalar>, withArticle: Bool) {
            guard stem.count >= minimumStem else { return }
            forms.insert(String(String.UnicodeScalarView(stem)))
            if withArticle { forms.insert(String(String.UnicodeScalarView(article + stem))) }
        }
        for conjunction in [nil] + conjunctions.map(Optional.some) {
            var rest = s[...]
            if let conjunction {
                guard rest.first == conjunction else { continue }
                rest = rest.dropFirst()
            }
            for preposition in [nil] + prepositions.map(Optional.some) {
                var afterPreposition = rest
                if let preposition {
                    guard afterPreposition.first == preposition else { continue }
                    afterPreposition = afterPreposition.dropFirst()
                }
                if conjunction != nil || preposition != nil { add(afterPreposition, withArticle: false) }
                if afterPreposition.starts(with: article) {
                    add(afterPreposition.dropFirst(2), withArticle: true)
                } else if preposition == "\u{0644}", afterPreposition.first == "\u{0644}" {
                    // لل = ل + ال with the article's alef dropped (للذكاء = ل + الذكاء)
                    add(afterPreposition.dropFirst(), withArticle: true)
                }
            }
        }
        return forms
    }
}
