import Foundation

/// Brings terms and item text to one form before they are compared, in one pass over the
/// UTF-8 bytes: compatibility forms folded (full-width `ＡＩ` is `ai`), case and Latin
/// diacritics folded, Arabic normalized as search engines do it (tashkeel and tatweel
/// removed, hamza forms of alef to bare alef, alef maksura to yeh, teh marbuta to heh).
///
/// The output is UTF-8 in which every run of separators is one space, `$` and `#` are kept
/// (cashtags, hashtags), and a space stands between CJK and other letters, so a word
/// boundary is always a space, `$`, `#` or an end of the text.
public enum TextNormalizer {
    /// Normalized text as a `String`, for display and tests.
    public static func normalize(_ text: String) -> String {
        var out = NormalizedText()
        normalize(text, into: &out, keepCase: false)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Normalizes `text` into `out`, reusing its storage. With `keepCase`, `out.cased` also
    /// receives the same text without case folding, aligned byte for byte with `out.bytes`
    /// (characters whose folding changes their length are folded in both).
    static func normalize(_ text: String, into out: inout NormalizedText, keepCase: Bool) {
        out.bytes.removeAll(keepingCapacity: true)
        out.cased.removeAll(keepingCapacity: true)
        var text = text
        text.withUTF8 { src in
            out.bytes.reserveCapacity(src.count)
            if keepCase { out.cased.reserveCapacity(src.count) }
            var writer = Writer(keepCase: keepCase)
            var i = 0
            let n = src.count
            let ascii = ASCIITable.shared
            while i < n {
                let b = src[i]
                if b < 0x80 {
                    let folded = ascii.folded[Int(b)]
                    switch ascii.kind[Int(b)] {
                    case .word: writer.word(folded, cased: b, into: &out)
                    case .mark: writer.mark(b, into: &out)
                    default: writer.separator()
                    }
                    i += 1
                    continue
                }
                let (scalar, length) = decode(src, at: i)
                let start = i
                i += length
                if ScalarFolding.isCJK(scalar) {
                    // Ideographs and kana pass through as they are.
                    writer.cjk(UnsafeBufferPointer(rebasing: src[start..<i]), into: &out)
                    continue
                }
                let fold = ScalarFolding.fold(scalar)
                switch fold.kind {
                case .drop: break
                case .separator: writer.separator()
                case .word: writer.append(fold, isCJK: false, into: &out)
                case .cjk: writer.append(fold, isCJK: true, into: &out)
                case .mark: writer.append(fold, isCJK: false, into: &out)
                }
            }
        }
    }

    /// Decodes the scalar at `i` (a non-ASCII lead byte); invalid sequences read as U+FFFD.
    @inline(__always)
    static func decode(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b0 = UInt32(s[i])
        let n = s.count
        func cont(_ k: Int) -> UInt32? {
            guard i + k < n else { return nil }
            let c = s[i + k]
            return c & 0xC0 == 0x80 ? UInt32(c & 0x3F) : nil
        }
        if b0 & 0xE0 == 0xC0, let c1 = cont(1) { return ((b0 & 0x1F) << 6 | c1, 2) }
        if b0 & 0xF0 == 0xE0, let c1 = cont(1), let c2 = cont(2) { return ((b0 & 0x0F) << 12 | c1 << 6 | c2, 3) }
        if b0 & 0xF8 == 0xF0, let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) { return ((b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3, 4) }
        return (0xFFFD, 1)
    }

    /// Emits normalized bytes, inserting the single separating spaces.
    private struct Writer {
        let keepCase: Bool
        var pendingSpace = false
        var lastWasCJK = false
        var lastWasWord = false

        mutating func separator() {
            pendingSpace = true
            lastWasWord = false
        }

        @inline(__always)
        mutating func word(_ b: UInt8, cased: UInt8, into out: inout NormalizedText) {
            if (pendingSpace || lastWasCJK) && !out.bytes.isEmpty { space(&out) }
            pendingSpace = false
            lastWasCJK = false
            lastWasWord = true
            out.bytes.append(b)
            if keepCase { out.cased.append(cased) }
        }

        mutating func mark(_ b: UInt8, into out: inout NormalizedText) {
            if pendingSpace && !out.bytes.isEmpty { space(&out) }
            pendingSpace = false
            lastWasCJK = false
            lastWasWord = false
            out.bytes.append(b)
            if keepCase { out.cased.append(b) }
        }

        mutating func append(_ fold: ScalarFolding.Entry, isCJK: Bool, into out: inout NormalizedText) {
            if fold.kind == .mark {
                // A combining mark continues the word before it (Devanagari, Thai); alone it separates.
                guard lastWasWord else { return separator() }
            } else if (pendingSpace || (lastWasCJK != isCJK && lastWasWord)) && !out.bytes.isEmpty {
                space(&out)
            }
            pendingSpace = false
            lastWasCJK = isCJK
            lastWasWord = true
            out.bytes.append(contentsOf: fold.folded)
            if keepCase { out.cased.append(contentsOf: fold.cased) }
        }

        @inline(__always)
        mutating func cjk(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout NormalizedText) {
            if (pendingSpace || (!lastWasCJK && lastWasWord)) && !out.bytes.isEmpty { space(&out) }
            pendingSpace = false
            lastWasCJK = true
            lastWasWord = true
            out.bytes.append(contentsOf: bytes)
            if keepCase { out.cased.append(contentsOf: bytes) }
        }

        private func space(_ out: inout NormalizedText) {
            out.bytes.append(0x20)
            if keepCase { out.cased.append(0x20) }
        }
    }
}

/// Reusable buffers for normalized text.
struct NormalizedText {
    var bytes: [UInt8] = []
    /// Same text without case folding; filled only when asked for.
    var cased: [UInt8] = []
}

/// How each ASCII byte normalizes.
struct ASCIITable: Sendable {
    enum Kind: UInt8 { case separator, word, mark }
    let kind: [Kind]
    let folded: [UInt8]

    static let shared = ASCIITable()

    private init() {
        var kind = [Kind](repeating: .separator, count: 128)
        var folded = [UInt8](repeating: 0x20, count: 128)
        for b in 0..<128 {
            let u = UInt8(b)
            switch u {
            case 0x30...0x39, 0x61...0x7A: kind[b] = .word; folded[b] = u
            case 0x41...0x5A: kind[b] = .word; folded[b] = u + 32
            case 0x24, 0x23: kind[b] = .mark; folded[b] = u // $ and # start cashtags and hashtags
            default: break
            }
        }
        self.kind = kind
        self.folded = folded
    }
}

/// Folding of non-ASCII scalars, computed once per scalar range with Foundation's NFKC and
/// case/diacritic folding, then Arabic normalization; CJK ideographs pass through.
enum ScalarFolding {
    enum Kind: UInt8 { case drop, separator, word, cjk, mark }

    struct Entry: Sendable {
        let kind: Kind
        let folded: [UInt8]
        /// The same without case folding, or `folded` when the lengths differ.
        let cased: [UInt8]
    }

    /// Ranges folded through the table; everything else is classified on the fly.
    private static let tableRanges: [ClosedRange<UInt32>] = [0x0080...0x07FF, 0x1E00...0x1FFF, 0x2000...0x206F, 0x2100...0x218F,
                                                            0x3000...0x303F, 0xF900...0xFAFF, 0xFB00...0xFDFF, 0xFE70...0xFFEF]
    private static let table: [UInt32: Entry] = {
        var t: [UInt32: Entry] = [:]
        for range in tableRanges {
            for v in range {
                guard let scalar = Unicode.Scalar(v) else { continue }
                t[v] = compute(scalar)
            }
        }
        return t
    }()

    private static let cjkSeparator = Entry(kind: .separator, folded: [], cased: [])

    /// U+0080–U+07FF (Latin, Greek, Cyrillic, Hebrew, Arabic) by direct index.
    private static let low: [Entry] = (0x80...0x7FF).map { table[UInt32($0)]! }

    @inline(__always)
    static func fold(_ v: UInt32) -> Entry {
        if v < 0x800 { return low[Int(v) - 0x80] }
        if let entry = table[v] { return entry }
        guard let scalar = Unicode.Scalar(v) else { return cjkSeparator }
        return compute(scalar)
    }

    static func isCJK(_ v: UInt32) -> Bool {
        switch v {
        case 0x3005, 0x3040...0x30FF, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0x20000...0x2FA1F: true
        default: false
        }
    }

    /// The folding of one scalar, from Foundation's tables.
    private static func compute(_ scalar: Unicode.Scalar) -> Entry {
        let props = scalar.properties
        switch props.generalCategory {
        case .nonspacingMark, .enclosingMark, .format:
            return Entry(kind: .drop, folded: [], cased: []) // accents, harakat, tatweel's kin, zero-width joiners
        case .spacingMark:
            return Entry(kind: .mark, folded: Array(String(scalar).utf8), cased: Array(String(scalar).utf8))
        default: break
        }
        if scalar.value == 0x0640 { return Entry(kind: .drop, folded: [], cased: []) } // tatweel
        let compatible = String(scalar).precomposedStringWithCompatibilityMapping
        let cased = arabic(compatible.folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil))
        let folded = arabic(compatible.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil))
        let kept = folded.unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "$" || $0 == "#" }
        guard !kept.isEmpty else { return Entry(kind: .separator, folded: [], cased: []) }
        if kept.allSatisfy({ isCJK($0.value) }) {
            let bytes = Array(String(String.UnicodeScalarView(kept)).utf8)
            return Entry(kind: .cjk, folded: bytes, cased: bytes)
        }
        let foldedBytes = Array(String(String.UnicodeScalarView(kept)).utf8)
        let casedKept = cased.unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        let casedBytes = Array(String(String.UnicodeScalarView(casedKept)).utf8)
        return Entry(kind: .word, folded: foldedBytes, cased: casedBytes.count == foldedBytes.count ? casedBytes : foldedBytes)
    }

    /// Arabic letter forms that search treats as one.
    private static func arabic(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x0640, 0x064B...0x065F, 0x0670: continue
            case 0x0622, 0x0623, 0x0625, 0x0671: out.append("\u{0627}")
            case 0x0649: out.append("\u{064A}")
            case 0x0629: out.append("\u{0647}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
