import Glibc

/// Repairs inside HTML that a feed carries as text (description, content).
enum HTMLRepair {
    /// `&#146;` and its kind: Windows-1252 code points written as if they were Unicode, which
    /// name invisible C1 controls. They become references to the characters meant (`&#x2019;`).
    static func windows1252References(_ html: ArraySlice<UInt8>) -> String {
        var out: [UInt8]?
        var copied = html.startIndex
        var i = html.startIndex
        let end = html.endIndex
        while i + 5 < end {
            // memchr finds the ampersands; everything between them is passed over.
            let next = html.withUnsafeBufferPointer { buffer -> Int? in
                let offset = i - html.startIndex
                guard let p = memchr(buffer.baseAddress! + offset, 0x26, buffer.count - offset) else { return nil }
                return html.startIndex + (UnsafeRawPointer(p) - UnsafeRawPointer(buffer.baseAddress!))
            }
            guard let amp = next, amp + 5 < end else { break }
            i = amp
            guard html[i + 1] == UInt8(ascii: "#") else { i += 1; continue }
            var j = i + 2
            let hex = html[j] == UInt8(ascii: "x") || html[j] == UInt8(ascii: "X")
            if hex { j += 1 }
            var value: UInt32 = 0
            let digitsStart = j
            while j < end, j - digitsStart < 4, let d = digit(html[j], hex: hex) {
                value = value * (hex ? 16 : 10) + d
                j += 1
            }
            if j > digitsStart, j < end, html[j] == UInt8(ascii: ";"), (0x80...0x9F).contains(value) {
                if out == nil { out = []; out!.reserveCapacity(html.count) }
                out!.append(contentsOf: html[copied..<i])
                out!.append(contentsOf: "&#x\(String(XMLRecovery.windows1252[Int(value - 0x80)], radix: 16, uppercase: true));".utf8)
                copied = j + 1
            }
            i = j
        }
        guard var result = out else { return SyndicationReader.string(html) }
        result.append(contentsOf: html[copied..<end])
        return SyndicationReader.string(result[...])
    }

    private static func digit(_ c: UInt8, hex: Bool) -> UInt32? {
        switch c {
        case 0x30...0x39: UInt32(c - 0x30)
        case 0x41...0x46 where hex: UInt32(c - 0x41 + 10)
        case 0x61...0x66 where hex: UInt32(c - 0x61 + 10)
        default: nil
        }
    }
}
