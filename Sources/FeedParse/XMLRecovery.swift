import NarrativeCore

/// A byte pass before the XML parser that repairs what real feeds get wrong and XML
/// forbids: HTML named entities (`&nbsp;`) become numeric references and bare
/// ampersands (`AT&T`) become `&amp;`. CDATA sections and comments are left alone.
/// Returns nil when nothing needed repair, so well-formed feeds are not copied.
enum XMLRecovery {
    private static let xmlEntities: Set<String> = ["amp", "lt", "gt", "quot", "apos"]

    static func repair(_ b: [UInt8]) -> [UInt8]? {
        var out: [UInt8]? = nil
        var copiedUpTo = 0
        var i = 0
        let n = b.count
        func replace(_ range: Range<Int>, with bytes: [UInt8]) {
            if out == nil { out = []; out!.reserveCapacity(n + 64) }
            out!.append(contentsOf: b[copiedUpTo..<range.lowerBound])
            out!.append(contentsOf: bytes)
            copiedUpTo = range.upperBound
        }
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "<"), i + 3 < n, b[i + 1] == UInt8(ascii: "!") {
                // Skip CDATA sections and comments whole.
                let terminator: [UInt8]? = b[i + 2] == UInt8(ascii: "[") ? Array("]]>".utf8) : (b[i + 2] == UInt8(ascii: "-") ? Array("-->".utf8) : nil)
                if let terminator {
                    i = find(terminator, in: b, from: i + 3).map { $0 + terminator.count } ?? n
                    continue
                }
            }
            guard c == UInt8(ascii: "&") else { i += 1; continue }
            var j = i + 1
            while j < n, j - i <= 32, isNameByte(b[j]) { j += 1 }
            let name = String(decoding: b[(i + 1)..<j], as: UTF8.self)
            if j < n, b[j] == UInt8(ascii: ";"), !name.isEmpty {
                if name.hasPrefix("#") || xmlEntities.contains(name) {
                    i = j + 1
                    continue
                }
                if let text = HTMLEntities.named(name) {
                    let refs = text.unicodeScalars.map { "&#\($0.value);" }.joined()
                    replace(i..<(j + 1), with: Array(refs.utf8))
                    i = j + 1
                    continue
                }
            }
            // A bare or unknown ampersand: keep it as text.
            replace(i..<(i + 1), with: Array("&amp;".utf8))
            i += 1
        }
        guard var result = out else { return nil }
        result.append(contentsOf: b[copiedUpTo..<n])
        return result
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "#")
    }

    private static func find(_ needle: [UInt8], in b: [UInt8], from: Int) -> Int? {
        var i = from
        while i + needle.count <= b.count {
            if b[i] == needle[0], b[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
