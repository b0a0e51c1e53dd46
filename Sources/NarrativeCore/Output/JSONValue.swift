/// JSON with keys in the order written, so output follows the documented shapes and
/// stays byte-for-byte stable for scripts and snapshot tests.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

    public static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    public static func time(_ seconds: Int64?) -> JSONValue { seconds.map { .string(Timestamp.iso8601($0)) } ?? .null }

    /// Compact JSON on one line.
    public func serialized() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += Self.format(d)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let values):
            out += "["
            for (n, v) in values.enumerated() {
                if n > 0 { out += ", " }
                v.write(into: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (n, (k, v)) in pairs.enumerated() {
                if n > 0 { out += ", " }
                Self.writeString(k, into: &out)
                out += ": "
                v.write(into: &out)
            }
            out += "}"
        }
    }

    /// Numbers with at most four decimals, no exponent for ordinary magnitudes.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        let rounded = (d * 10_000).rounded() / 10_000
        guard rounded.isFinite else { return String(d) } // near Double's end, × 10,000 overflows
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) + ".0" }
        return String(rounded)
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
