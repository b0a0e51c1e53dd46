import Glibc
import NarrativeCore

/// A byte pass over UTF-8 before the XML parser that repairs what real feeds get wrong
/// and XML forbids, and takes the DTD out of libxml2's hands:
/// - HTML named entities (`&eacute;`) become the characters they name;
/// - bare or unknown ampersands (`AT&T`) become `&amp;`;
/// - numeric references are mended: `&#X41;`, Windows-1252 code points written as Latin-1
///   (`&#146;` for an apostrophe), UTF-8 bytes written one reference each (`&#226;&#128;&#166;`),
///   references to characters XML forbids;
/// - control characters XML forbids are dropped, and C1 controls (U+0080…U+009F, which are
///   Windows-1252 punctuation mislabelled as Latin-1) become the characters meant;
/// - the DOCTYPE is removed; its internal general entities are expanded here, within a budget,
///   so no external entity is ever loaded and no entity can blow up (billion laughs).
/// CDATA sections and comments are otherwise copied untouched (but for forbidden controls).
struct XMLRecovery {
    /// The repaired document, or nil when nothing needed repair (no copy is made then).
    private(set) var output: [UInt8]?
    /// True when something ill-formed was repaired (the document is then `bozo`).
    private(set) var repairedIllFormed = false
    /// What was repaired first, for the bozo message.
    private(set) var firstRepair: String?

    /// The most bytes that entity expansion may add to a document.
    static let expansionBudget = 1 << 20
    /// How deeply entity values may refer to other entities.
    static let expansionDepth = 8

    private var entities: [String: [UInt8]] = [:]
    private var hasExternalDTD = false
    private var expanded = 0

    init(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { scan($0) }
    }

    // MARK: The scan

    private mutating func scan(_ b: UnsafeBufferPointer<UInt8>) {
        var out: [UInt8] = []
        var copying = false
        var copiedUpTo = 0
        let n = b.count
        var i = 0

        /// Replaces b[start..<end] with `bytes` in the output, starting the copy on first use.
        func replace(_ start: Int, _ end: Int, with bytes: [UInt8], out: inout [UInt8]) {
            if !copying {
                copying = true
                out.reserveCapacity(n + n / 16 + 64)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copiedUpTo..<start]))
            out.append(contentsOf: bytes)
            copiedUpTo = end
        }

        /// Repairs the character at `k` (a C0 control or the lead byte of a C1 one); the index after it.
        func repairCharacter(at k: Int) -> Int {
            if b[k] == 0xC2 {
                // U+0080…U+009F: Windows-1252 characters mislabelled as Latin-1 on the way to UTF-8.
                guard k + 1 < n, b[k + 1] >= 0x80, b[k + 1] <= 0x9F else { return k + 1 }
                replace(k, k + 2, with: Self.utf8(Self.windows1252[Int(b[k + 1] - 0x80)]), out: &out)
                return k + 2
            }
            note("a control character XML forbids was dropped")
            replace(k, k + 1, with: [], out: &out)
            return k + 1
        }

        /// Drops the controls XML forbids inside a CDATA section or a comment too, which are
        /// otherwise copied as they are: libxml2 ends the document at one. Words at a time while
        /// no byte is below 0x20, since CDATA holds most of a feed's bytes.
        func repairingControls(from start: Int, to end: Int) -> Int {
            guard let base = b.baseAddress else { return end }
            var k = start
            /// High bit of each byte below 0x20 (exact as to whether there is one).
            func controls(_ word: UInt64) -> UInt64 { (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080 }
            while k < end {
                while k + 32 <= end {
                    let p = UnsafeRawPointer(base + k)
                    let found = controls(p.loadUnaligned(as: UInt64.self)) | controls(p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                        | controls(p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) | controls(p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
                    if found != 0 { break }
                    k += 32
                }
                while k + 8 <= end, controls(UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)) == 0 { k += 8 }
                let stop = min(end, k + 8)
                while k < stop {
                    let c = b[k]
                    k = c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D ? repairCharacter(at: k) : k + 1
                }
            }
            return end
        }

        let plain = Self.plain
        while i < n {
            // Most bytes need nothing: skip them through a table.
            while i < n, plain[Int(b[i])] { i += 1 }
            guard i < n else { break }
            let c = b[i]
            if c == 0xC2 || c < 0x20 {
                i = repairCharacter(at: i)
                continue
            }
            if c == UInt8(ascii: "!") {
                guard i > 0, b[i - 1] == 0x3C else { i += 1; continue }
                i -= 1
                if Self.matches(b, i, "<!--") {
                    i = repairingControls(from: i + 4, to: Self.find(b, "-->", from: i + 4).map { $0 + 3 } ?? n)
                } else if Self.matches(b, i, "<![CDATA[") {
                    i = repairingControls(from: i + 9, to: Self.find(b, "]]>", from: i + 9).map { $0 + 3 } ?? n)
                } else if Self.matchesCaseInsensitive(b, i, "<!DOCTYPE") {
                    let end = readDoctype(b, from: i)
                    replace(i, end, with: [], out: &out)
                    i = end
                } else {
                    i += 2
                }
                continue
            }
            // An ampersand.
            let (replacement, end) = reference(b, at: i, depth: 0)
            if let replacement {
                replace(i, end, with: replacement, out: &out)
            }
            i = end
        }
        if copying {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copiedUpTo..<n]))
            output = out
        }
    }

    private mutating func note(_ what: String) {
        repairedIllFormed = true
        if firstRepair == nil { firstRepair = what }
    }

    // MARK: References

    /// Reads the reference starting at the `&` at `i`. Returns the bytes to put in its place
    /// (nil to keep it as is) and the index after it.
    private mutating func reference(_ b: UnsafeBufferPointer<UInt8>, at i: Int, depth: Int) -> ([UInt8]?, Int) {
        let n = b.count
        var j = i + 1
        if j < n, b[j] == UInt8(ascii: "#") {
            guard let (value, end, wellWritten) = Self.numericReference(b, at: i) else {
                note("a malformed character reference was escaped")
                return (Array("&amp;".utf8), i + 1)
            }
            // UTF-8 bytes written one reference each: decode them together.
            if (0xC2...0xF4).contains(value), let (scalar, runEnd) = doubleEncoded(b, lead: value, after: end) {
                return (Self.utf8(scalar), runEnd)
            }
            if (0x80...0x9F).contains(value) {
                return (Self.utf8(Self.windows1252[Int(value - 0x80)]), end)
            }
            guard Self.isXMLChar(value) else {
                note("a reference to a character XML forbids was dropped")
                return ([], end)
            }
            if wellWritten { return (nil, end) }
            return (value == 0x26 || value == 0x3C ? Array("&#\(value);".utf8) : Self.utf8(value), end)
        }
        while j < n, j - i <= 32, Self.isNameByte(b[j]) { j += 1 }
        guard j < n, j > i + 1, b[j] == UInt8(ascii: ";") else {
            note("a bare ampersand was escaped")
            return (Array("&amp;".utf8), i + 1)
        }
        if Self.isXMLEntity(b, from: i + 1, to: j) { return (nil, j + 1) }
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[(i + 1)..<j]), as: UTF8.self)
        if let value = entities[name] {
            return (expand(value, depth: depth + 1), j + 1)
        }
        if let code = HTMLEntities.codePoint(name) {
            if !hasExternalDTD { note("an HTML entity (&\(name);) was decoded") }
            if (0xC2...0xF4).contains(code), let (scalar, runEnd) = doubleEncoded(b, lead: code, after: j + 1) {
                return (Self.utf8(scalar), runEnd)
            }
            return (Self.utf8(code), j + 1)
        }
        note("an unknown entity (&\(name);) was kept as text")
        return (Array("&amp;".utf8), i + 1)
    }

    /// The value of an internal entity with its own references resolved, within the budget.
    private mutating func expand(_ value: [UInt8], depth: Int) -> [UInt8] {
        guard depth <= Self.expansionDepth, expanded + value.count <= Self.expansionBudget else {
            note("entity expansion exceeded its bounds and was cut")
            return []
        }
        expanded += value.count
        guard value.contains(UInt8(ascii: "&")) else { return value }
        var out: [UInt8] = []
        value.withUnsafeBufferPointer { v in
            var i = 0
            while i < v.count {
                if v[i] == UInt8(ascii: "&") {
                    let (replacement, end) = reference(v, at: i, depth: depth)
                    out.append(contentsOf: replacement ?? Array(v[i..<end]))
                    i = end
                } else {
                    out.append(v[i])
                    i += 1
                }
            }
        }
        return out
    }

    /// When a lead byte of UTF-8 written as a reference is followed by its continuation bytes,
    /// also written as references, the character they encode and the index after them.
    private func doubleEncoded(_ b: UnsafeBufferPointer<UInt8>, lead: UInt32, after start: Int) -> (UInt32, Int)? {
        let count = lead >= 0xF0 ? 3 : (lead >= 0xE0 ? 2 : 1)
        var value = lead & (lead >= 0xF0 ? 0x07 : (lead >= 0xE0 ? 0x0F : 0x1F))
        var i = start
        for _ in 0..<count {
            guard i < b.count, b[i] == UInt8(ascii: "&"), let (byte, end) = latin1Reference(b, at: i), (0x80...0xBF).contains(byte) else { return nil }
            value = value << 6 | (byte & 0x3F)
            i = end
        }
        let minimum: UInt32 = count == 1 ? 0x80 : (count == 2 ? 0x800 : 0x10000)
        guard value >= minimum, Unicode.Scalar(value) != nil else { return nil }
        return (value, i)
    }

    /// A numeric or named reference read as one Latin-1 byte value, for double-encoding checks.
    private func latin1Reference(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int)? {
        if i + 1 < b.count, b[i + 1] == UInt8(ascii: "#") {
            guard let (value, end, _) = Self.numericReference(b, at: i) else { return nil }
            return (value, end)
        }
        var j = i + 1
        while j < b.count, j - i <= 32, Self.isNameByte(b[j]) { j += 1 }
        guard j < b.count, b[j] == UInt8(ascii: ";") else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[(i + 1)..<j]), as: UTF8.self)
        return HTMLEntities.codePoint(name).map { ($0, j + 1) }
    }

    /// `&#233;` or `&#xE9;`: the value, the index after the `;`, and whether XML accepts it as written.
    private static func numericReference(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int, Bool)? {
        var j = i + 2
        var hex = false
        var wellWritten = true
        if j < b.count, b[j] == UInt8(ascii: "x") || b[j] == UInt8(ascii: "X") {
            hex = true
            wellWritten = b[j] == UInt8(ascii: "x")
            j += 1
        }
        var value: UInt32 = 0
        let digitsStart = j
        while j < b.count, j - digitsStart < 8 {
            let c = b[j]
            if c >= 0x30 && c <= 0x39 {
                value = value * (hex ? 16 : 10) + UInt32(c - 0x30)
            } else if hex, let h = hexValue(c) {
                value = value * 16 + h
            } else {
                break
            }
            j += 1
        }
        guard j > digitsStart, j < b.count, b[j] == UInt8(ascii: ";") else { return nil }
        return (value, j + 1, wellWritten)
    }

    private static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x41...0x46: UInt32(c - 0x41 + 10)
        case 0x61...0x66: UInt32(c - 0x61 + 10)
        default: nil
        }
    }

    // MARK: DOCTYPE

    /// Reads a DOCTYPE, keeping its internal general entities, and returns the index after it.
    private mutating func readDoctype(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let n = b.count
        var i = start + 9
        // The part before the internal subset: name and external id.
        while i < n, b[i] != UInt8(ascii: "["), b[i] != UInt8(ascii: ">") {
            if b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") {
                let quote = b[i]
                i += 1
                while i < n, b[i] != quote { i += 1 }
            } else if Self.matches(b, i, "SYSTEM") || Self.matches(b, i, "PUBLIC") {
                hasExternalDTD = true
            }
            i += 1
        }
        guard i < n else { return n }
        if b[i] == UInt8(ascii: ">") { return i + 1 }
        i += 1
        // The internal subset: declarations, comments, parameter entity references.
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "]") {
                i += 1
                while i < n, b[i] != UInt8(ascii: ">") { i += 1 }
                return min(i + 1, n)
            }
            if Self.matches(b, i, "<!--") {
                i = Self.find(b, "-->", from: i + 4).map { $0 + 3 } ?? n
            } else if Self.matches(b, i, "<!ENTITY") {
                i = readEntityDeclaration(b, from: i + 8)
            } else if c == UInt8(ascii: "<") {
                // Another declaration: skip it, minding quoted '>'.
                i += 1
                while i < n, b[i] != UInt8(ascii: ">") {
                    if b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") {
                        let quote = b[i]
                        i += 1
                        while i < n, b[i] != quote { i += 1 }
                    }
                    i += 1
                }
                i += 1
            } else {
                i += 1
            }
        }
        return n
    }

    /// `<!ENTITY name "value">`: internal general entities are kept; parameter and external
    /// entities are ignored, so nothing outside the document is ever read.
    private mutating func readEntityDeclaration(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let n = b.count
        var i = start
        func skipSpace() { while i < n, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 } }
        skipSpace()
        var isParameter = false
        if i < n, b[i] == UInt8(ascii: "%") {
            isParameter = true
            i += 1
            skipSpace()
        }
        let nameStart = i
        while i < n, b[i] != 0x20, b[i] != 0x09, b[i] != 0x0A, b[i] != 0x0D, b[i] != UInt8(ascii: ">") { i += 1 }
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[nameStart..<i]), as: UTF8.self)
        skipSpace()
        var value: [UInt8]?
        var external = false
        while i < n, b[i] != UInt8(ascii: ">") {
            if b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") {
                let quote = b[i]
                let valueStart = i + 1
                i += 1
                while i < n, b[i] != quote { i += 1 }
                if value == nil, !external { value = Array(UnsafeBufferPointer(rebasing: b[valueStart..<min(i, n)])) }
            } else if Self.matches(b, i, "SYSTEM") || Self.matches(b, i, "PUBLIC") {
                external = true
            }
            i += 1
        }
        if !isParameter, !external, let value, !name.isEmpty, entities[name] == nil, entities.count < 1000 {
            entities[name] = value
        }
        return min(i + 1, n)
    }

    // MARK: Bytes

    static func matches(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= b.count else { return false }
        let p = literal.utf8Start
        for k in 0..<count where b[i + k] != p[k] { return false }
        return true
    }

    private static func matchesCaseInsensitive(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= b.count else { return false }
        let p = literal.utf8Start
        for k in 0..<count where b[i + k] | 0x20 != p[k] | 0x20 { return false }
        return true
    }

    static func find(_ b: UnsafeBufferPointer<UInt8>, _ literal: StaticString, from: Int) -> Int? {
        let first = literal.utf8Start[0]
        var i = from
        while i < b.count, let base = b.baseAddress {
            guard let p = memchr(base + i, Int32(first), b.count - i) else { return nil }
            i = UnsafeRawPointer(p) - UnsafeRawPointer(base)
            if matches(b, i, literal) { return i }
            i += 1
        }
        return nil
    }

    /// `lt`, `gt`, `amp`, `quot`, `apos`, compared as bytes: the common case makes no string.
    private static func isXMLEntity(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        switch to - from {
        case 2: return (b[from] == 0x6C || b[from] == 0x67) && b[from + 1] == 0x74 // lt, gt
        case 3: return b[from] == 0x61 && b[from + 1] == 0x6D && b[from + 2] == 0x70 // amp
        case 4: return (b[from] == 0x71 && b[from + 1] == 0x75 && b[from + 2] == 0x6F && b[from + 3] == 0x74) // quot
            || (b[from] == 0x61 && b[from + 1] == 0x70 && b[from + 2] == 0x6F && b[from + 3] == 0x73) // apos
        default: return false
        }
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
            || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }

    static func isXMLChar(_ v: UInt32) -> Bool {
        v == 0x09 || v == 0x0A || v == 0x0D || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
    }

    static func utf8(_ value: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        appendUTF8(value, to: &out)
        return out
    }

    /// Appends a code point's UTF-8; U+FFFD for what is not a scalar value.
    static func appendUTF8(_ value: UInt32, to out: inout [UInt8]) {
        let v = Unicode.Scalar(value) == nil ? 0xFFFD : value
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800: out.append(contentsOf: [UInt8(0xC0 | v >> 6), UInt8(0x80 | v & 0x3F)])
        case 0x800..<0x10000: out.append(contentsOf: [UInt8(0xE0 | v >> 12), UInt8(0x80 | (v >> 6) & 0x3F), UInt8(0x80 | v & 0x3F)])
        default: out.append(contentsOf: [UInt8(0xF0 | v >> 18), UInt8(0x80 | (v >> 12) & 0x3F), UInt8(0x80 | (v >> 6) & 0x3F), UInt8(0x80 | v & 0x3F)])
        }
    }

    /// Bytes the scan passes over: all but `&`, `!` (of `<!`), 0xC2 (of U+0080…U+009F) and the
    /// control characters XML forbids.
    private static let plain: [Bool] = (0..<256).map { c in
        !(c == 0x26 || c == 0x21 || c == 0xC2 || (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D))
    }

    /// Windows-1252's 0x80…0x9F; the five it leaves undefined keep their C1 code points.
    static let windows1252: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]
}
