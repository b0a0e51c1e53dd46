extension StringProtocol {
    /// The text without leading and trailing white space. Native: Foundation's
    /// `trimmingCharacters(in:)` bridges through NSString, which shows in parsing profiles.
    public var trimmedWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !Self.isSpace($0) })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    @inline(__always)
    private static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x80 ? (s.value == 0x20 || (0x09...0x0D).contains(s.value)) : s.properties.isWhitespace
    }
}
