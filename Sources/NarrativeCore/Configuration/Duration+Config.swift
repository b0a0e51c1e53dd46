/// Durations and sizes as the configuration and the command line write them.
public enum ConfigUnits {
    /// The longest duration accepted, 100 years: no interval, window or retention needs more,
    /// and every time computed from one stays within four-digit years.
    public static let longestDuration = 36_500 * 86_400

    /// Parses `"90s"`, `"15m"`, `"1h"`, `"14d"`, `"2w"` into seconds; nil when malformed, not
    /// positive or longer than `limit`.
    public static func seconds(_ text: String, limit: Int = longestDuration) -> Int? {
        let trimmed = text.trimmingSpaces()
        guard let unit = trimmed.last, let value = Int(trimmed.dropLast()), value > 0 else { return nil }
        let factor: Int
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86_400
        case "w": factor = 7 * 86_400
        default: return nil
        }
        let (result, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow || result > limit ? nil : result
    }

    /// Parses `"10MB"`, `"512KB"`, `"1GB"`, `"300B"` into bytes (powers of 1024); nil when malformed.
    public static func bytes(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces().uppercased()
        let units: [(String, Int)] = [("KIB", 1 << 10), ("MIB", 1 << 20), ("GIB", 1 << 30),
                                      ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("B", 1)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let value = Int(trimmed.dropLast(suffix.count).trimmingSpaces()), value > 0 else { return nil }
            let (result, overflow) = value.multipliedReportingOverflow(by: factor)
            return overflow ? nil : result
        }
        return nil
    }

    /// Formats seconds the way the configuration writes them (`"1h"`, `"90s"`).
    public static func format(seconds: Int) -> String {
        for (unit, factor) in [("d", 86_400), ("h", 3600), ("m", 60)] where seconds % factor == 0 && seconds >= factor {
            return "\(seconds / factor)\(unit)"
        }
        return "\(seconds)s"
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
