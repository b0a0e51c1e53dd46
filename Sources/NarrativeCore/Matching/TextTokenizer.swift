/// A word or a run of CJK characters in normalized text, with its place in the text's
/// scalars so hits and exclusions can be compared by position.
struct TextToken: Equatable {
    enum Kind: Equatable {
        /// Letters and digits of a script that separates words with spaces (Latin, Arabic, Cyrillic…).
        case word
        /// Han, Hiragana and Katakana: no spaces, so terms match as substrings.
        case cjk
    }

    let kind: Kind
    let scalars: [Unicode.Scalar]
    /// Offset of the first scalar in the text.
    let start: Int
    var end: Int { start + scalars.count }
    var isArabic: Bool { scalars.first.map(TextTokenizer.isArabic) ?? false }
    var text: String { String(String.UnicodeScalarView(scalars)) }
}

enum TextTokenizer {
    static func tokens(_ normalized: String) -> [TextToken] {
        var tokens: [TextToken] = []
        var current: [Unicode.Scalar] = []
        var currentKind: TextToken.Kind = .word
        var start = 0
        var offset = 0
        func flush() {
            if !current.isEmpty { tokens.append(TextToken(kind: currentKind, scalars: current, start: start)) }
            current.removeAll(keepingCapacity: true)
        }
        for scalar in normalized.unicodeScalars {
            let kind: TextToken.Kind?
            if isCJK(scalar) {
                kind = .cjk
            } else if isWordScalar(scalar) {
                kind = .word
            } else if !current.isEmpty, currentKind == .word, isCombiningMark(scalar) {
                kind = .word
            } else {
                kind = nil
            }
            if let kind {
                if kind != currentKind || current.isEmpty {
                    flush()
                    currentKind = kind
                    start = offset
                }
                current.append(scalar)
            } else {
                flush()
            }
            offset += 1
        }
        flush()
        return tokens
    }

    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: true
        default: false
        }
    }

    static func isArabic(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x0600...0x06FF, 0x0750...0x077F, 0x08A0...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: true
        default: false
        }
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        let p = s.properties
        return p.isAlphabetic || p.numericType == .decimal
    }

    static func isCombiningMark(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }
}
