/// Reduces HTML to the text a reader sees: tags, comments, scripts and styles removed,
/// character references decoded, white space collapsed. Attribute values never reach
/// the text, so `<img alt="AI">` does not count as a mention.
public enum HTMLText {
    private static let invisible: Set<String> = ["script", "style", "noscript", "template", "head"]

    public static func plainText(_ html: String) -> String {
        let s = Array(html.unicodeScalars)
        var out = String.UnicodeScalarView()
        out.reserveCapacity(s.count)
        var pendingSpace = false
        func emit(_ text: String) {
            for scalar in text.unicodeScalars {
                if scalar.properties.isWhitespace {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace { out.append(" ") }
                    pendingSpace = false
                    out.append(scalar)
                }
            }
        }
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "<", i + 1 < s.count, s[i + 1].isTagStart {
                if s[i + 1] == "!", i + 3 < s.count, s[i + 2] == "-", s[i + 3] == "-" {
                    i = find(["-", "-", ">"], in: s, from: i + 4).map { $0 + 3 } ?? s.count
                    pendingSpace = !out.isEmpty
                    continue
                }
                let (name, isClosing, tagEnd) = readTag(s, from: i)
                i = tagEnd
                if !isClosing, invisible.contains(name) {
                    let closing = Array("</\(name)".unicodeScalars)
                    i = findCaseInsensitive(closing, in: s, from: i).flatMap { start in find([">"], in: s, from: start).map { $0 + 1 } } ?? s.count
                }
                pendingSpace = !out.isEmpty
                continue
            }
            if c == "&", let (text, next) = decodeReference(s, at: i) {
                emit(text)
                i = next
                continue
            }
            emit(String(c))
            i += 1
        }
        return String(out)
    }

    /// Decodes the character reference at `i` (which holds `&`); nil when it is not one.
    static func decodeReference(_ s: [Unicode.Scalar], at i: Int) -> (String, Int)? {
        var j = i + 1
        var body = ""
        while j < s.count, j - i <= 32, s[j] != ";", s[j] == "#" || s[j].properties.isAlphabetic || ("0"..."9").contains(s[j]) {
            body.unicodeScalars.append(s[j])
            j += 1
        }
        guard !body.isEmpty else { return nil }
        let hasSemicolon = j < s.count && s[j] == ";"
        let decoded = body.hasPrefix("#") ? HTMLEntities.numeric(body[...]) : HTMLEntities.named(body)
        guard let decoded else { return nil }
        return (decoded, hasSemicolon ? j + 1 : j)
    }

    private static func readTag(_ s: [Unicode.Scalar], from start: Int) -> (name: String, isClosing: Bool, end: Int) {
        var i = start + 1
        let isClosing = s[i] == "/"
        if isClosing { i += 1 }
        var name = ""
        while i < s.count, s[i].properties.isAlphabetic || ("0"..."9").contains(s[i]) {
            name.unicodeScalars.append(s[i])
            i += 1
        }
        var quote: Unicode.Scalar?
        while i < s.count {
            let c = s[i]
            i += 1
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == ">" {
                break
            }
        }
        return (name.lowercased(), isClosing, i)
    }

    private static func find(_ needle: [Unicode.Scalar], in s: [Unicode.Scalar], from: Int) -> Int? {
        var i = from
        while i + needle.count <= s.count {
            if s[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    private static func findCaseInsensitive(_ needle: [Unicode.Scalar], in s: [Unicode.Scalar], from: Int) -> Int? {
        var i = from
        while i + needle.count <= s.count {
            if s[i..<(i + needle.count)].elementsEqual(needle, by: { $0.asciiLower == $1.asciiLower }) { return i }
            i += 1
        }
        return nil
    }
}

private extension Unicode.Scalar {
    var isTagStart: Bool { properties.isAlphabetic || self == "/" || self == "!" || self == "?" }
    var asciiLower: Unicode.Scalar { ("A"..."Z").contains(self) ? Unicode.Scalar(value + 32)! : self }
}
