import Glibc

/// Mends the nesting of a document that is not well-formed, for a second reading:
/// - an end tag closes the elements still open inside the one it names (named in another
///   case, or a near miss of the innermost element's name, it closes that element);
/// - an end tag that names no open element is dropped (a stray `</b>` in unescaped HTML);
/// - a `<` that starts no tag (`a < b`, `<it's>`) is escaped;
/// - what is still open at the end is closed (a CDATA section or comment cut off first).
/// libxml2's recovery closes one element per end tag whatever it names, so after one
/// mismatch (`<title>One</titel>`) every later item nests inside the one before and is lost
/// with it. Names are compared as bytes, as XML compares them.
enum TagBalancer {
    /// Deeper documents are left as they are (the reader passes over such depths anyway).
    static let deepestNesting = 1024
    /// How many of the innermost open elements an end tag may close at once.
    static let endTagReach = 64

    /// The mended document, or nil when there was nothing to mend.
    static func balance(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let base = b.baseAddress else { return nil }
        let n = b.count
        var out: [UInt8] = []
        var copied = 0
        var changed = false
        var open: [Range<Int>] = []

        /// Copies the input up to `end` that is not copied yet.
        func copy(to end: Int) {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copied..<end]))
            copied = end
        }
        /// The document was cut off inside the markup that starts at `start`: the fragment goes.
        func dropFragment(from start: Int) {
            copy(to: start)
            copied = n
            changed = true
        }
        func appendEndTag(_ name: Range<Int>) {
            out.append(contentsOf: "</".utf8)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[name]))
            out.append(UInt8(ascii: ">"))
        }

        out.reserveCapacity(n + 256)
        var i = 0
        while i < n {
            guard let p = memchr(base + i, 0x3C, n - i) else { break }
            i = UnsafeRawPointer(p) - UnsafeRawPointer(base)
            // Sections whose content is not markup, and declarations, are passed over.
            if let end = sectionEnd(b, at: i) {
                i = end
                continue
            }
            if XMLRecovery.matches(b, i, "<!--") || XMLRecovery.matches(b, i, "<![CDATA[") {
                // Cut off: closed here, so the end tags below do not land inside it.
                copy(to: n)
                out.append(contentsOf: (XMLRecovery.matches(b, i, "<!--") ? "-->" : "]]>").utf8)
                changed = true
                break
            }
            if i + 1 < n, b[i + 1] == UInt8(ascii: "?") || b[i + 1] == UInt8(ascii: "!") {
                dropFragment(from: i) // a processing instruction or declaration cut off
                break
            }
            let isEndTag = i + 1 < n && b[i + 1] == UInt8(ascii: "/")
            let nameStart = i + (isEndTag ? 2 : 1)
            var nameEnd = nameStart
            while nameEnd < n, isNameByte(b[nameEnd]) { nameEnd += 1 }
            if nameEnd == n, nameEnd > nameStart {
                dropFragment(from: i) // cut off inside a tag's name
                break
            }
            // A name, then white space, `/` or `>`: anything else (`a < b`, `<it's>`) is text.
            guard nameEnd > nameStart, isNameStart(b[nameStart]),
                  isSpace(b[nameEnd]) || b[nameEnd] == UInt8(ascii: "/") || b[nameEnd] == UInt8(ascii: ">") else {
                copy(to: i)
                out.append(contentsOf: "&lt;".utf8)
                copied = i + 1
                changed = true
                i += 1
                continue
            }
            // The tag's end, outside attribute values (a quote opens one only after `=`).
            var k = nameEnd
            var quote: UInt8 = 0
            var afterEquals = false
            while k < n {
                let c = b[k]
                if quote != 0 {
                    if c == quote { quote = 0 }
                } else if afterEquals, c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    quote = c
                } else if c == UInt8(ascii: ">") {
                    break
                }
                if !isSpace(c) { afterEquals = quote == 0 && c == UInt8(ascii: "=") }
                k += 1
            }
            guard k < n else {
                dropFragment(from: i) // cut off inside a tag
                break
            }
            let name = nameStart..<nameEnd
            if isEndTag {
                if let depth = closedElement(name, open: open, b) {
                    // Written as the element it closes (`</pubdate>` for `<pubDate>`), after the
                    // elements still open inside it.
                    if depth < open.count - 1 || !sameName(b, open[depth], name) {
                        copy(to: i)
                        for element in open[depth...].reversed() { appendEndTag(element) }
                        copied = k + 1
                        changed = true
                    }
                    open.removeSubrange(depth...)
                } else {
                    // Names no open element (a stray `</b>` in unescaped HTML): dropped.
                    copy(to: i)
                    copied = k + 1
                    changed = true
                }
            } else if b[k - 1] != UInt8(ascii: "/") {
                guard open.count < deepestNesting else { return nil }
                open.append(name)
            }
            i = k + 1
        }
        if !open.isEmpty {
            copy(to: n)
            for name in open.reversed() { appendEndTag(name) }
            changed = true
        }
        guard changed else { return nil }
        copy(to: n)
        return out
    }

    /// The index after the comment, CDATA section, processing instruction or declaration that
    /// starts at `i`; nil when none does, or it is cut off.
    private static func sectionEnd(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        if XMLRecovery.matches(b, i, "<!--") { return XMLRecovery.find(b, "-->", from: i + 4).map { $0 + 3 } }
        if XMLRecovery.matches(b, i, "<![CDATA[") { return XMLRecovery.find(b, "]]>", from: i + 9).map { $0 + 3 } }
        guard i + 1 < b.count, b[i + 1] == UInt8(ascii: "?") || b[i + 1] == UInt8(ascii: "!") else { return nil }
        return XMLRecovery.find(b, ">", from: i + 2).map { $0 + 1 }
    }

    /// Which open element an end tag closes: the innermost of that name, else of that name in
    /// another case, else the innermost element when its name is a near miss (`</titel>`) and
    /// the end tag's is no HTML element. Looked for among the innermost elements only, so a
    /// flood of stray end tags stays linear.
    private static func closedElement(_ name: Range<Int>, open: [Range<Int>], _ b: UnsafeBufferPointer<UInt8>) -> Int? {
        let searched = open.indices.suffix(endTagReach)
        if let exact = searched.last(where: { sameName(b, open[$0], name) }) { return exact }
        if let other = searched.last(where: { sameName(b, open[$0], name, ignoringCase: true) }) { return other }
        guard let innermost = open.indices.last, abs(open[innermost].count - name.count) <= 2 else { return nil }
        let lower = b[name].map { $0 | 0x20 }
        guard !htmlElements.contains(lower), nearMiss(lower, b[open[innermost]].map { $0 | 0x20 }) else { return nil }
        return innermost
    }

    /// Elements of HTML that feeds leave unescaped in their text; a stray end tag of one of
    /// these closes nothing.
    private static let htmlElements: Set<[UInt8]> = Set(["a", "abbr", "b", "big", "blockquote", "br", "center", "cite", "code", "dd", "div",
        "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img", "li", "ol", "p", "pre", "q", "s", "small",
        "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul"].map { Array($0.utf8) })

    /// Names of four letters or more (feed elements: `guid`, `title`, `pubDate`…) within two
    /// edits of each other: a letter wrong, missing or extra, or two swapped (optimal string
    /// alignment distance, row by row).
    static func nearMiss(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        guard x.count >= 4, y.count >= 4, abs(x.count - y.count) <= 2, x.count <= 64, y.count <= 64 else { return false }
        var beforePrevious = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { current[j] = min(current[j], beforePrevious[j - 2] + 1) }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[y.count] <= 2
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    private static func sameName(_ b: UnsafeBufferPointer<UInt8>, _ x: Range<Int>, _ y: Range<Int>, ignoringCase: Bool = false) -> Bool {
        guard x.count == y.count else { return false }
        guard ignoringCase else { return memcmp(b.baseAddress! + x.lowerBound, b.baseAddress! + y.lowerBound, x.count) == 0 }
        return zip(x, y).allSatisfy { b[$0] | 0x20 == b[$1] | 0x20 }
    }

    /// Letters (any non-ASCII byte among them), `_` and `:` start a name.
    private static func isNameStart(_ c: UInt8) -> Bool {
        (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A || c == UInt8(ascii: "_") || c == UInt8(ascii: ":") || c >= 0x80
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }
}
