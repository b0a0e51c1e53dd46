/// Repairs inside HTML that a feed carries as text (description, content).
enum HTMLRepair {
    /// `&#146;` and its kind: Windows-1252 code points written as if they were Unicode, which
    /// name invisible C1 controls. They become references to the characters meant (`&#x2019;`).
    static func windows1252References(_ html: String) -> String {
        guard html.contains("&#") else { return html }
        var out = ""
        var rest = Substring(html)
        while let amp = rest.range(of: "&#") {
            out += rest[..<amp.lowerBound]
            let after = rest[amp.upperBound...]
            let isHex = after.first == "x" || after.first == "X"
            let digits = (isHex ? after.dropFirst() : after).prefix { isHex ? $0.isHexDigit : $0.isASCII && $0.isNumber }
            let end = (isHex ? after.dropFirst() : after).dropFirst(digits.count)
            if !digits.isEmpty, end.first == ";", let value = UInt32(digits, radix: isHex ? 16 : 10), (0x80...0x9F).contains(value) {
                out += "&#x" + String(XMLRecovery.windows1252[Int(value - 0x80)], radix: 16, uppercase: true) + ";"
                rest = end.dropFirst()
            } else {
                out += "&#"
                rest = after
            }
        }
        out += rest
        return out
    }
}
