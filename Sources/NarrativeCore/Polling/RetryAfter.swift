/// The `Retry-After` header (RFC 9110 §10.2.3) that feed servers and webhook receivers send
/// with 429 and 503: a number of seconds, or an HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`).
public enum RetryAfter {
    /// Seconds to wait from `now` (seconds since 1970), or nil when the header is neither form.
    public static func seconds(_ header: String, now: Int64) -> Int? {
        let text = header.trimmedWhitespace
        if let seconds = Int(text) { return seconds >= 0 ? seconds : nil }
        return httpDate(text).map { Int(max(0, $0 - now)) }
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate, the one form a sender may generate; seconds since 1970.
    static func httpDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...9999).contains(year), (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]),
              (0...60).contains(clock[2]) else { return nil }
        let time = Timestamp.seconds(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2])
        return Timestamp.civil(time).2 == day ? time : nil // 31 Nov is no date
    }
}
