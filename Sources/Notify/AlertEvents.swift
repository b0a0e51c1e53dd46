import NarrativeCore


/// The journal entries NarrativeWatch raises, each with a fixed `MESSAGE_ID` so
/// `journalctl MESSAGE_ID=…` finds every event of a kind.
public enum EventKind: String, Sendable, CaseIterable {
    case spikeStarted, spikeResolved, feedFailing, feedRecovered, webhookGaveUp
    /// A narrative climbing for days without a single spike.
    case narrativeRising

    public var messageID: String {
        switch self {
        case .spikeStarted: "5b6a4c4fb65c48acad249795c1497184"
        case .spikeResolved: "29fb4256270e4e70ac0ced3bd1883e30"
        case .feedFailing: "6ae7498d712a4f508e7a32b7075ff70d"
        case .feedRecovered: "c1f3eb3aa060407e87119d79ca2108c5"
        case .narrativeRising: "1e4df0e2888a4ea19236188b05e9cac8"
        case .webhookGaveUp: "0d8d5f3e7b9a4c21a6f4e2b8c3d1a957"
        }
    }

    /// syslog priority: 4 warning for a spike, 5 notice when resolved, 3 error for a failing feed
    /// and for a webhook message given up.
    public var priority: Int {
        switch self {
        case .spikeStarted: 4
        case .spikeResolved: 5
        case .feedFailing: 3
        case .feedRecovered: 5
        case .narrativeRising: 5
        case .webhookGaveUp: 3
        }
    }
}

/// Journal fields and readable messages for alerts and feed health.
public enum AlertEvents {
    /// The entry for an alert that started or resolved.
    public static func fields(for record: AlertRecord, kind: EventKind) -> [(String, String)] {
        let e = record.episode
        return [
            ("MESSAGE", message(for: record, kind: kind)),
            ("MESSAGE_ID", kind.messageID),
            ("PRIORITY", String(kind.priority)),
            ("NARRATIVE", e.narrative),
            ("ALERT_ID", e.id),
            ("OBSERVED", String(e.observed)),
            ("EXPECTED", JSONValue.format(e.expected)),
            ("LIFT", JSONValue.format(e.lift)),
            ("SCORE", JSONValue.format(e.score)),
            ("BUCKET_START", Timestamp.iso8601(e.bucketStart)),
            ("SPIKES_90D", String(record.spikesIn90Days)),
            ("TOP_LINK", record.topItems.first?.link ?? ""),
            ("SOURCES", String(record.sources)),
        ] + (e.resumedBucket.map { [("RESUMED_BUCKET", Timestamp.iso8601($0))] } ?? [])
    }

    /// One readable line: narrative, observed vs expected, lift, recurrence.
    public static func message(for record: AlertRecord, kind: EventKind) -> String {
        let e = record.episode
        let counts = "\(e.observed) items vs \(oneDecimal(e.expected)) expected (\(oneDecimal(e.lift))× lift, \(record.sources) source\(record.sources == 1 ? "" : "s"))"
        let count = "\(ordinal(record.spikesIn90Days)) spike in 90 days"
        var recurrence = count
        if let previous = record.previous {
            let days = max(0, (e.bucketStart - previous) / 86_400)
            recurrence += "; the last " + (record.previousLift.map { "peaked at \(oneDecimal($0))×, " } ?? "") + "\(days) day\(days == 1 ? "" : "s") ago"
        }
        if let gap = record.medianGap { recurrence += "; median gap \(oneDecimal(Double(gap) / 86_400)) days" }
        switch kind {
        case .spikeResolved:
            return "\(e.narrative) spike resolved: peaked at \(counts); began in the bucket of \(Timestamp.iso8601(e.bucketStart)); \(count)"
        case .spikeStarted where e.resumedBucket != nil:
            return "\(e.narrative) spike again in the bucket of \(Timestamp.iso8601(e.resumedBucket ?? e.lastSpikeBucket)): "
                + "the wave that began in the bucket of \(Timestamp.iso8601(e.bucketStart)) is back; peak so far \(counts); \(count)"
        case .narrativeRising:
            return "\(e.narrative) rising: climbing for days without a spike; now \(e.observed) items vs \(oneDecimal(e.expected)) expected"
        default:
            return "\(e.narrative) spike: \(counts) in the bucket of \(Timestamp.iso8601(e.bucketStart)); \(recurrence)"
        }
    }

    /// The entry for a feed that started failing or recovered. `name` is the configured one;
    /// for a recovery, `consecutiveErrors` and `lastSuccess` tell how long it was down.
    public static func feedFields(url: String, name: String? = nil, kind: EventKind, detail: String, errorClass: String?,
                                  consecutiveErrors: Int, lastSuccess: Int64? = nil) -> [(String, String)] {
        let feed = name.map { "\($0) (\(url))" } ?? url
        var message = kind == .feedFailing ? "feed failing: \(feed): \(detail)" : "feed recovered: \(feed)"
        if kind == .feedRecovered, consecutiveErrors > 0 {
            message += " after \(consecutiveErrors) failed poll\(consecutiveErrors == 1 ? "" : "s")"
                + (lastSuccess.map { "; the last success was at \(Timestamp.iso8601($0))" } ?? "")
        }
        var fields = [("MESSAGE", message), ("MESSAGE_ID", kind.messageID), ("PRIORITY", String(kind.priority)),
                      ("FEED_URL", url), ("CONSECUTIVE_ERRORS", String(consecutiveErrors))]
        if let name { fields.append(("FEED_NAME", name)) }
        if let errorClass { fields.append(("ERROR_CLASS", errorClass)) }
        return fields
    }

    /// The entry for a webhook message that will not be delivered. Never carries the secret.
    public static func webhookGaveUpFields(hook: String, eventID: String, attempts: Int, reason: String) -> [(String, String)] {
        [("MESSAGE", "webhook \(hook): gave up delivering \(eventID) after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reason)"),
         ("MESSAGE_ID", EventKind.webhookGaveUp.messageID), ("PRIORITY", String(EventKind.webhookGaveUp.priority)),
         ("WEBHOOK", hook), ("WEBHOOK_ID", eventID), ("ATTEMPTS", String(attempts))]
    }

    static func oneDecimal(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        guard r.isFinite, abs(r) < 1e15 else { return String(v) } // beyond what Int holds
        return r == r.rounded() ? String(Int(r)) + ".0" : String(r)
    }

    static func ordinal(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }
}
