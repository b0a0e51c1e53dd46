import Glibc

/// Mends the nesting of a document that is not well-formed, for a second reading:
/// - an end tag closes the elements still open inside the one it names;
/// - an end tag that names no open element is dropped;
/// - a `<` that starts no tag (`a < b`) is escaped;
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
                // A processing instruction or declaration cut off: the fragment goes.
                copy(to: i)
                copied = n
                changed = true
                break
            }
            let isEndTag = i + 1 < n && b[i + 1] == UInt8(ascii: "/")
            let nameStart = i + (isEndTag ? 2 : 1)
            var nameEnd = nameStart
            while nameEnd < n, isNameByte(b[nameEnd]) { nameEnd += 1 }
            guard nameEnd > nameStart, isNameStart(b[nameStart]) else {
                // `a < b` in text: no tag.
                copy(to: i)
                out.append(contentsOf: "&lt;".utf8)
                copied = i + 1
                changed = true
                i += 1
                continue
            }
            // The tag's end, outside quoted attribute values.
            var k = nameEnd
            var quote: UInt8 = 0
            while k < n {
                let c = b[k]
                if quote != 0 {
                    if c == quote { quote = 0 }
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    quote = c
                } else if c == UInt8(ascii: ">") {
                    break
                }
                k += 1
            }
            guard k < n else {
                // Cut off inside a tag: the fragment goes.
                copy(to: i)
                copied = n
                changed = true
                break
            }
            let name = nameStart..<nameEnd
            if isEndTag {
                // Looked for among the innermost elements only, so a flood of stray end tags stays linear.
                let searched = open.indices.suffix(Self.endTagReach)
                if let depth = searched.last(where: { sameName(b, open[$0], name) }) {
                    if depth < open.count - 1 {
                        copy(to: i)
                        for inner in open[(depth + 1)...].reversed() { appendEndTag(inner) }
                        changed = true
                    }
                    open.removeSubrange(depth...)
                } else {
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

    private static func sameName(_ b: UnsafeBufferPointer<UInt8>, _ x: Range<Int>, _ y: Range<Int>) -> Bool {
        x.count == y.count && memcmp(b.baseAddress! + x.lowerBound, b.baseAddress! + y.lowerBound, x.count) == 0
    }

    /// Letters (any non-ASCII byte among them), `_` and `:` start a name.
    private static func isNameStart(_ c: UInt8) -> Bool {
        (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A || c == UInt8(ascii: "_") || c == UInt8(ascii: ":") || c >= 0x80
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }
}
