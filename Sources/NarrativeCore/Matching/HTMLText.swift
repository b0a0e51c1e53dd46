/// Reduces HTML to the text a reader sees: tags, comments, scripts and styles removed,
/// character references decoded, white space collapsed. Attribute values never reach
/// the text, so `<img alt="AI">` does not count as a mention. Works on UTF-8 bytes, since
/// it runs over every item the daemon ingests.
public enum HTMLText {
    private static let invisible: Set<[UInt8]> = Set(["script", "style", "noscript", "template", "head"].map { Array($0.utf8) })
    /// Elements that sit inside a line of text: `<em>Eth</em>ereum` is one word, `10<sup>th</sup>`
    /// reads "10th". Every other tag (blocks, `<br>`, images, unknown ones) separates words.
    private static let inline: Set<[UInt8]> = Set(["a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn",
                                                   "em", "font", "i", "ins", "kbd", "mark", "nobr", "q", "s", "samp", "small", "span",
                                                   "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"].map { Array($0.utf8) })

    public static func plainText(_ html: String) -> String {
        var html = html
        return html.withUTF8 { s in
            var out: [UInt8] = []
            out.reserveCapacity(s.count)
            var pendingSpace = false
            let n = s.count
            var i = 0
            while i < n {
                let c = s[i]
                if c == 0x3C, i + 1 < n, isTagStart(s[i + 1]) { // <
                    if s[i + 1] == 0x21, i + 3 < n, s[i + 2] == 0x2D, s[i + 3] == 0x2D { // <!--
                        // A comment shows nothing, not even a space (`Eth<!-- -->ereum`).
                        i = find([0x2D, 0x2D, 0x3E], in: s, from: i + 4).map { $0 + 3 } ?? n
                        continue
                    }
                    let (name, isClosing, tagEnd) = readTag(s, from: i)
                    i = tagEnd
                    if !isClosing, invisible.contains(name) {
                        i = findClosing(name, in: s, from: i) ?? n
                    }
                    if !inline.contains(name) { pendingSpace = true }
                    continue
                }
                if c == 0x26, let (text, next) = decodeReference(s, at: i) { // &
                    if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
                        pendingSpace = true
                    } else {
                        for b in text.utf8 { put(b, &out, &pendingSpace) }
                    }
                    i = next
                    continue
                }
                if c < 0x80 {
                    if isSpace(c) { pendingSpace = true } else { put(c, &out, &pendingSpace) }
                    i += 1
                    continue
                }
                let length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
                let end = min(n, i + length)
                if isUnicodeSpace(s, i, end - i) {
                    pendingSpace = true
                } else {
                    for k in i..<end { put(s[k], &out, &pendingSpace) }
                }
                i = end
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Appends a byte of text, with the single space a run of white space before it stands for.
    @inline(__always)
    private static func put(_ b: UInt8, _ out: inout [UInt8], _ pendingSpace: inout Bool) {
        if pendingSpace && !out.isEmpty { out.append(0x20) }
        pendingSpace = false
        out.append(b)
    }

    @inline(__always)
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    /// No-break space, the typographic spaces, line and paragraph separators, ideographic space.
    private static func isUnicodeSpace(_ s: UnsafeBufferPointer<UInt8>, _ i: Int, _ length: Int) -> Bool {
        if length == 2 { return s[i] == 0xC2 && (s[i + 1] == 0xA0 || s[i + 1] == 0x85) }
        guard length == 3 else { return false }
        if s[i] == 0xE2 && s[i + 1] == 0x80 { return (0x80...0x8A).contains(s[i + 2]) || s[i + 2] == 0xA8 || s[i + 2] == 0xA9 || s[i + 2] == 0xAF }
        if s[i] == 0xE2 && s[i + 1] == 0x81 { return s[i + 2] == 0x9F }
        return s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80
    }

    @inline(__always)
    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    private static func isTagStart(_ b: UInt8) -> Bool { isLetter(b) || b == 0x2F || b == 0x21 || b == 0x3F }

    /// Decodes the character reference at `i` (which holds `&`); nil when it is not one.
    static func decodeReference(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> (String, Int)? {
        var j = i + 1
        while j < s.count, j - i <= 32, s[j] == 0x23 || isLetter(s[j]) || (s[j] >= 0x30 && s[j] <= 0x39) { j += 1 }
        guard j > i + 1 else { return nil }
        let body = String(decoding: UnsafeBufferPointer(rebasing: s[(i + 1)..<j]), as: UTF8.self)
        let hasSemicolon = j < s.count && s[j] == 0x3B
        let decoded = body.hasPrefix("#") ? HTMLEntities.numeric(body[...]) : HTMLEntities.named(body)
        guard let decoded else { return nil }
        return (decoded, hasSemicolon ? j + 1 : j)
    }

    private static func readTag(_ s: UnsafeBufferPointer<UInt8>, from start: Int) -> (name: [UInt8], isClosing: Bool, end: Int) {
        var i = start + 1
        let isClosing = s[i] == 0x2F
        if isClosing { i += 1 }
        var name: [UInt8] = []
        while i < s.count, isLetter(s[i]) || (s[i] >= 0x30 && s[i] <= 0x39) {
            name.append(s[i] | (isLetter(s[i]) ? 0x20 : 0))
            i += 1
        }
        var quote: UInt8 = 0
        while i < s.count {
            let c = s[i]
            i += 1
            if quote != 0 {
                if c == quote { quote = 0 }
            } else if c == 0x22 || c == 0x27 {
                quote = c
            } else if c == 0x3E {
                break
            }
        }
        return (name, isClosing, i)
    }

    private static func find(_ needle: [UInt8], in s: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        while i + needle.count <= s.count {
            if s[i] == needle[0], s[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// The end of `</name …>` after `from`, case-insensitively.
    private static func findClosing(_ name: [UInt8], in s: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        while i + name.count + 2 <= s.count {
            if s[i] == 0x3C, s[i + 1] == 0x2F, s[(i + 2)..<(i + 2 + name.count)].elementsEqual(name, by: { ($0 | 0x20) == $1 }) {
                return find([0x3E], in: s, from: i + 2).map { $0 + 1 } ?? s.count
            }
            i += 1
        }
        return nil
    }
}
