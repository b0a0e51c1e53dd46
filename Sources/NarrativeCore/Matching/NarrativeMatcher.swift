/// Counts each narrative's term hits in a text with one Aho–Corasick automaton over the
/// normalized text, built once per configuration, so the cost per item does not grow with
/// the number of terms.
///
/// Rules: case-insensitive (unless a term asks for its case); whole words for scripts that
/// separate words with spaces; substrings for CJK; Arabic words also with their attached
/// prefixes و ف ب ك ل ال (`وبالذكاء` counts for `الذكاء`) and with or without the article;
/// white space and hyphen variants alike; a hit inside one of the narrative's `exclude`
/// phrases does not count; overlapping hits of one narrative count once (leftmost-longest).
/// `analyze` is pure and thread-safe.
public struct NarrativeMatcher: Sendable {
    /// Narrative ids in configuration order.
    public let narrativeIDs: [String]
    private let termTexts: [[String]]
    private let patterns: [Pattern]
    private let automaton: Automaton
    private let needsCase: Bool

    struct Pattern: Sendable {
        let bytes: [UInt8]
        /// The term as written (case kept), for terms that match their case only.
        let cased: [UInt8]?
        let narrative: Int
        /// Index into the narrative's terms; -1 for an exclusion.
        let term: Int
        let checkStart: StartCheck
        /// Bytes of `bytes` that are framing spaces, not part of the hit.
        let leadingSpace: Int
        let trailingSpace: Int
        var isExclusion: Bool { term < 0 }
    }

    enum StartCheck: Sendable {
        /// CJK substrings, and words whose pattern starts with the boundary space itself.
        case none
        /// A boundary, or an Arabic word start followed by attached prefixes.
        case arabicWord
    }

    public init(narratives: [Configuration.Narrative]) {
        narrativeIDs = narratives.map(\.id)
        termTexts = narratives.map { $0.terms.map(\.text) }
        var patterns: [Pattern] = []
        for (n, narrative) in narratives.enumerated() {
            for (t, term) in narrative.terms.enumerated() {
                patterns += Self.patterns(for: term.text, matchCase: term.matchCase, narrative: n, term: t)
            }
            for phrase in narrative.exclude {
                patterns += Self.patterns(for: phrase, matchCase: false, narrative: n, term: -1)
            }
        }
        self.patterns = patterns
        automaton = Automaton(patterns.map(\.bytes))
        needsCase = patterns.contains { $0.cased != nil }
    }

    /// True when a term has something to match once normalized (letters, digits or CJK).
    public static func isMatchable(_ term: String) -> Bool {
        TextNormalizer.normalize(term).utf8.contains { $0 != 0x20 && $0 != 0x24 && $0 != 0x23 }
    }

    /// Term hits per narrative id in plain text; narratives without a hit are absent.
    public func mentions(in text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for match in analyze(text) { out[match.narrative] = match.mentions }
        return out
    }

    /// Hits kept from one text: far more than any article has, few enough that a hostile
    /// item (10 MB of "AI Act AI") costs little memory.
    public static let mostHits = 100_000

    /// What each narrative found in `text`, in configuration order; narratives without a hit are absent.
    public func analyze(_ text: String) -> [NarrativeMatch] {
        var normalized = NormalizedText()
        TextNormalizer.normalize(text, into: &normalized, keepCase: needsCase)
        var hits: [Hit] = []
        normalized.bytes.withUnsafeBufferPointer { bytes in
            automaton.scan(bytes) { p, end in
                guard hits.count < Self.mostHits else { return }
                let pattern = patterns[p]
                let start = end - pattern.bytes.count
                guard passes(pattern, start: start, end: end, bytes, cased: normalized.cased) else { return }
                hits.append(Hit(pattern: p, start: start + pattern.leadingSpace, end: end - pattern.trailingSpace))
            }
        }
        return hits.isEmpty ? [] : count(hits)
    }

    private struct Hit {
        let pattern: Int
        let start: Int
        let end: Int
    }

    private func passes(_ p: Pattern, start: Int, end: Int, _ text: UnsafeBufferPointer<UInt8>, cased: [UInt8]) -> Bool {
        if p.checkStart == .arabicWord, start > 0, text[start - 1] != 0x20 {
            // Back to the word's start, but no further than a prefix can be long.
            let farthest = max(0, start - ArabicPrefixes.longest - 1)
            var wordStart = start
            while wordStart > farthest, text[wordStart - 1] != 0x20 { wordStart -= 1 }
            guard start - wordStart <= ArabicPrefixes.longest,
                  ArabicPrefixes.all.contains(Array(text[wordStart..<start])) else { return false }
        }
        if let wanted = p.cased {
            guard cased.count >= end, cased[start..<end].elementsEqual(wanted) else { return false }
        }
        return true
    }

    /// Per narrative: drop hits inside an exclusion, then keep the leftmost-longest
    /// non-overlapping hits, so "AI" inside a matched "AI agents" counts once.
    private func count(_ hits: [Hit]) -> [NarrativeMatch] {
        var byNarrative = [[Hit]](repeating: [], count: narrativeIDs.count)
        for hit in hits { byNarrative[patterns[hit.pattern].narrative].append(hit) }
        var result: [NarrativeMatch] = []
        for (n, group) in byNarrative.enumerated() where !group.isEmpty {
            let exclusions = group.filter { patterns[$0.pattern].isExclusion }.sorted { $0.start < $1.start }
            let candidates = group.filter { !patterns[$0.pattern].isExclusion }
                .sorted { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
            // One sweep over both, by start: a hit lies inside an exclusion when one begun at or
            // before it reaches its end (a text full of "EU AI Act" stays linear).
            var terms: [Hit] = []
            terms.reserveCapacity(candidates.count)
            var nextExclusion = 0, reach = -1
            for hit in candidates {
                while nextExclusion < exclusions.count, exclusions[nextExclusion].start <= hit.start {
                    reach = max(reach, exclusions[nextExclusion].end)
                    nextExclusion += 1
                }
                if hit.end > reach { terms.append(hit) }
            }
            var lastEnd = -1
            var mentions = 0
            var used: [Int] = []
            for hit in terms where hit.start >= lastEnd {
                mentions += 1
                lastEnd = hit.end
                let term = patterns[hit.pattern].term
                if !used.contains(term) { used.append(term) }
            }
            if mentions > 0 {
                result.append(NarrativeMatch(narrative: narrativeIDs[n], mentions: mentions, terms: used.map { termTexts[n][$0] }))
            }
        }
        return result
    }

    // MARK: Building patterns

    /// The byte patterns of one term: its normalized form and, for Arabic words written with
    /// the article, the forms without it.
    static func patterns(for term: String, matchCase: Bool, narrative: Int, term index: Int) -> [Pattern] {
        var normalized = NormalizedText()
        TextNormalizer.normalize(term, into: &normalized, keepCase: true)
        let bytes = Array(normalized.bytes.dropFirst().dropLast())
        guard !bytes.isEmpty else { return [] }
        let casedBytes = Array(normalized.cased.dropFirst().dropLast())
        let words = bytes.split(separator: 0x20, omittingEmptySubsequences: false).map(Array.init)
        let casedWords = casedBytes.split(separator: 0x20, omittingEmptySubsequences: false).map(Array.init)
        var variants: [([UInt8], [UInt8])] = [([], [])]
        for (k, word) in words.enumerated() {
            var forms = [(word, casedWords[k])]
            if ArabicPrefixes.isArabic(word), word.starts(with: ArabicPrefixes.article), word.count - 4 >= ArabicPrefixes.minimumStem {
                forms.append((Array(word.dropFirst(4)), Array(casedWords[k].dropFirst(4))))
            }
            variants = variants.prefix(16).flatMap { v in forms.map { f in
                (v.0.isEmpty ? f.0 : v.0 + [0x20] + f.0, v.1.isEmpty ? f.1 : v.1 + [0x20] + f.1)
            } }
        }
        return variants.map { variant, cased in
            // Words carry their boundary spaces in the pattern itself, so the automaton only
            // finds whole words; Arabic may also start after attached prefixes, CJK anywhere.
            let first = scalarKind(variant, atStart: true)
            let lead = first == .other ? 1 : 0
            let trail = scalarKind(variant, atStart: false) == .cjk ? 0 : 1
            let frame = { (b: [UInt8]) in [UInt8](repeating: 0x20, count: lead) + b + [UInt8](repeating: 0x20, count: trail) }
            return Pattern(bytes: frame(variant), cased: matchCase ? frame(cased) : nil, narrative: narrative, term: index,
                           checkStart: first == .arabic ? .arabicWord : .none, leadingSpace: lead, trailingSpace: trail)
        }
    }

    private enum ScriptKind { case cjk, arabic, other }

    private static func scalarKind(_ bytes: [UInt8], atStart: Bool) -> ScriptKind {
        var i = 0
        if !atStart {
            i = bytes.count - 1
            while i > 0, bytes[i] & 0xC0 == 0x80 { i -= 1 }
        }
        let (v, _) = bytes.withUnsafeBufferPointer { TextNormalizer.decode($0, at: i) }
        let value = bytes[i] < 0x80 ? UInt32(bytes[i]) : v
        if ScalarFolding.isCJK(value) { return .cjk }
        if (0x0600...0x06FF).contains(value) { return .arabic }
        return .other
    }
}

/// What one narrative found in one text.
public struct NarrativeMatch: Sendable, Equatable {
    public let narrative: String
    /// Term hits, overlapping hits counted once.
    public let mentions: Int
    /// The configured terms that hit, in order of first hit.
    public let terms: [String]

    public init(narrative: String, mentions: Int, terms: [String]) {
        self.narrative = narrative
        self.mentions = mentions
        self.terms = terms
    }
}

/// The attached prefixes of Arabic words, as normalized bytes.
enum ArabicPrefixes {
    static let article: [UInt8] = Array("ال".utf8)
    /// Shortest stem, in letters, left after removing prefixes.
    static let minimumStem = 2 * 2
    /// و ف, then ب ك ل, then ال — or ل with the article's alef dropped (لل).
    static let all: Set<[UInt8]> = {
        var set = Set<[UInt8]>()
        for conjunction in ["", "و", "ف"] {
            for preposition in ["", "ب", "ك", "ل"] {
                for article in ["", "ال"] { set.insert(Array((conjunction + preposition + article).utf8)) }
            }
            set.insert(Array((conjunction + "لل").utf8))
        }
        set.remove([])
        return set
    }()
    static let longest = all.map(\.count).max() ?? 0

    static func isArabic(_ word: [UInt8]) -> Bool { word.first == 0xD8 || word.first == 0xD9 || word.first == 0xDA || word.first == 0xDB }
}
