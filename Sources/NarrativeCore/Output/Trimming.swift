extension StringProtocol {
    /// The text without leading and trailing white space (Unicode's, newlines included).
    public var trimmedWhitespace: String {
        let s = String(self)
        let u = s.utf8
        var start = u.startIndex, end = u.endIndex
        while start < end, Self.isASCIISpace(u[start]) { start = u.index(after: start) }
        while end > start, Self.isASCIISpace(u[u.index(before: end)]) { end = u.index(before: end) }
        // Non-ASCII white space (no-break, ideographic) at either end: the scalar-wise path.
        if start < end, u[start] >= 0x80 || u[u.index(before: end)] >= 0x80 {
            let scalars = s[start..<end].unicodeScalars
            guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
                  let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
            return String(s[first...last])
        }
        return start == u.startIndex && end == u.endIndex ? s : String(s[start..<end])
    }

    /// The text trimmed, or nil when nothing is left.
    public var trimmedNonEmpty: String? {
        let trimmed = trimmedWhitespace
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Empty or only white space (Unicode's); stops at the first character that is not.
    public var isBlank: Bool {
        for byte in utf8 where !Self.isASCIISpace(byte) { return byte >= 0x80 && unicodeScalars.allSatisfy(\.properties.isWhitespace) }
        return true
    }

    @inline(__always)
    private static func isASCIISpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
}

extension String {
    /// The text trimmed, with each run of white space inside it (line breaks, tabs) one space:
    /// a title or a name written over several lines of XML is one line.
    public var foldedWhitespace: String {
        // Most titles are folded already: told from their bytes, without a copy.
        if utf8.withContiguousStorageIfAvailable({ !$0.isEmpty && $0[0] < 0x80 && $0[$0.count - 1] < 0x80 && Self.isFolded($0) }) == true {
            return self
        }
        let trimmed = trimmedWhitespace
        let folded = trimmed.utf8.withContiguousStorageIfAvailable(Self.isFolded) ?? false
        return folded ? trimmed : trimmed.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// No white space but single spaces, and none at either end.
    private static func isFolded(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous: UInt8 = 0x20
        for byte in bytes {
            if (byte >= 0x09 && byte <= 0x0D) || (byte == 0x20 && previous == 0x20) { return false }
            previous = byte
        }
        return previous != 0x20
    }
}
