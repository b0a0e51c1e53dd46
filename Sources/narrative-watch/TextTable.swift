import FoundationEssentials
import Glibc

/// Column-aligned text for terminals; CJK characters count as two columns.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    /// Columns aligned right (numbers).
    var rightAligned: Set<Int> = []

    func render() -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.width(cell)) } }
        return all.map { row in
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - Self.width(cell))
                return rightAligned.contains(i) ? pad + cell : cell + (i == row.count - 1 ? "" : pad)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }

    static func width(_ s: String) -> Int {
        // ANSI colour sequences take no room.
        var inEscape = false
        return s.unicodeScalars.reduce(0) { n, scalar in
            if scalar == "\u{1B}" { inEscape = true; return n }
            if inEscape { if scalar == "m" { inEscape = false }; return n }
            return n + scalarWidth(scalar)
        }
    }

    /// CJK and other wide characters take two columns, combining marks none.
    private static func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFF00...0xFF60, 0x20000...0x3FFFD: 2
        case 0x0300...0x036F, 0x064B...0x065F, 0x200B...0x200F: 0
        default: 1
        }
    }
}

/// CSV as RFC 4180 writes it.
enum CSV {
    static func line(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacing("\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// ANSI colour for terminal tables: only when stdout is a terminal and `NO_COLOR` is unset.
enum Colour {
    static let enabled: Bool = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    static func red(_ s: String) -> String { wrap(s, "31") }
    static func green(_ s: String) -> String { wrap(s, "32") }
    static func bold(_ s: String) -> String { wrap(s, "1") }

    private static func wrap(_ s: String, _ code: String) -> String { enabled && !s.isEmpty ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
}

/// `value` with `places` decimals, as printf's `%.Nf` writes it.
func fixed(_ value: Double, _ places: Int) -> String {
    withVaList([value]) { arguments in
        var buffer = [CChar](repeating: 0, count: 512)
        let length = Int(vsnprintf(&buffer, buffer.count, "%.\(places)f", arguments))
        return String(decoding: buffer.prefix(max(0, min(length, buffer.count - 1))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
