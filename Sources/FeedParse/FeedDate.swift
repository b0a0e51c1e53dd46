import Foundation
import NarrativeCore

/// Dates as feeds write them: RFC 822 with its common variants, RFC 3339 / ISO 8601.
/// Impossible dates are rejected rather than guessed.
public enum FeedDate {
    /// Seconds since 1970, or nil when the text is not a date this parser can trust.
    public static func parse(_ text: String) -> Int64? {
        let t = text.trimmedWhitespace
        guard let first = t.unicodeScalars.first else { return nil }
        if ("0"..."9").contains(first), t.count >= 10, t.unicodeScalars.dropFirst(4).first == "-" {
            return iso8601(t)
        }
        return rfc822(t)
    }

    // MARK: ISO 8601 / RFC 3339

    static func iso8601(_ t: String) -> Int64? {
        var s = Scanner(t)
        guard let year = s.digits(4), s.skip("-"), let month = s.digits(2), s.skip("-"), let day = s.digits(2) else { return nil }
        var hour = 0, minute = 0, second = 0, offset = 0
        if s.skip("T") || s.skip("t") || s.skip(" ") {
            guard let h = s.digits(2), s.skip(":"), let m = s.digits(2) else { return nil }
            hour = h
            minute = m
            if s.skip(":") {
                guard let sec = s.digits(2) else { return nil }
                second = sec
                if s.skip(".") || s.skip(",") { _ = s.skipDigits() }
            }
            s.skipSpaces()
            if s.skip("Z") || s.skip("z") {
                offset = 0
            } else if let sign = s.sign() {
                guard let oh = s.digits(2) else { return nil }
                _ = s.skip(":")
                let om = s.digits(2) ?? 0
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        s.skipSpaces()
        guard s.atEnd else { return nil }
        return assemble(year, month, day, hour, minute, second, offset: offset)
    }

    // MARK: RFC 822

    private static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
        "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8, "september": 9,
        "sept": 9, "october": 10, "november": 11, "december": 12,
    ]

    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6,
        "pst": -8, "pdt": -7, "cet": 1, "cest": 2, "bst": 1, "jst": 9, "hkt": 8, "sgt": 8, "ist": 5, "a": -1, "m": -12,
        "n": 1, "y": 12,
    ]

    static func rfc822(_ t: String) -> Int64? {
        // Tokens of letters or digits, with ':' kept inside times and signs kept on offsets.
        var tokens: [String] = []
        var current = ""
        for c in t.lowercased() {
            if c.isLetter || c.isNumber || c == ":" || ((c == "+" || c == "-") && current.isEmpty) {
                if (c == "+" || c == "-") && !current.isEmpty { tokens.append(current); current = "" }
                current.append(c)
            } else {
                if !current.isEmpty { tokens.append(current) }
                current = ""
            }
        }
        if !current.isEmpty { tokens.append(current) }
        var day: Int?, month: Int?, year: Int?, time: (Int, Int, Int)?, offset: Int?
        for token in tokens {
            if let m = months[token], month == nil {
                month = m
            } else if token.contains(":"), time == nil {
                let parts = token.split(separator: ":").map { Int($0) }
                guard parts.count >= 2, parts.count <= 3, parts.allSatisfy({ $0 != nil }) else { return nil }
                time = (parts[0]!, parts[1]!, parts.count == 3 ? parts[2]! : 0)
            } else if (token.hasPrefix("+") || token.hasPrefix("-")), token.count == 5, let v = Int(token.dropFirst()) {
                let sign = token.hasPrefix("-") ? -1 : 1
                offset = sign * ((v / 100) * 3600 + (v % 100) * 60)
            } else if let v = Int(token) {
                if day == nil, token.count <= 2, month == nil || year == nil { day = v } else if year == nil { year = token.count == 2 ? (v < 50 ? 2000 + v : 1900 + v) : v } else { return nil }
            } else if let z = zones[token], time != nil, offset == nil {
                offset = z * 3600
            } else if token.count == 3 || token.hasSuffix("day") || token == "tues" || token == "thur" || token == "thurs" {
                continue // day names, ignored
            }
        }
        guard let day, let month, let year else { return nil }
        let (h, m, s) = time ?? (0, 0, 0)
        return assemble(year, month, day, h, m, s, offset: offset ?? 0)
    }

    private static func assemble(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, offset: Int) -> Int64? {
        guard (1...12).contains(month), (1970...9999).contains(year), day >= 1, day <= daysIn(month, year),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        return Timestamp.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59)) - Int64(offset)
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A cursor over ASCII date text.
private struct Scanner {
    private let s: [Unicode.Scalar]
    private var i = 0
    init(_ text: String) { s = Array(text.unicodeScalars) }
    var atEnd: Bool { i >= s.count }

    mutating func digits(_ n: Int) -> Int? {
        guard i + n <= s.count else { return nil }
        var v = 0
        for k in 0..<n {
            let c = s[i + k].value
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        i += n
        return v
    }

    mutating func skip(_ c: Unicode.Scalar) -> Bool {
        guard i < s.count, s[i] == c else { return false }
        i += 1
        return true
    }

    mutating func skipDigits() -> Int {
        let start = i
        while i < s.count, ("0"..."9").contains(s[i]) { i += 1 }
        return i - start
    }

    mutating func skipSpaces() { while i < s.count, s[i] == " " { i += 1 } }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") || skip("\u{2212}") { return -1 }
        return nil
    }
}
