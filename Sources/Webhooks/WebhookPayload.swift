import NarrativeCore
import Notify
import SeriesStore

/// The messages an alert's state change puts in the outbox: one per hook that wants it,
/// in the hook's format. Pure: the same record and hooks always give the same messages.
public enum WebhookPayload {
    /// Standard Webhooks event types.
    public static func eventType(_ kind: EventKind) -> String? {
        switch kind {
        case .spikeStarted: "narrative.spike.started"
        case .spikeResolved: "narrative.spike.resolved"
        default: nil
        }
    }

    /// The event id: the alert and what happened to it, e.g. `ai-20261128T1000Z.started`. An
    /// episode that came back is heard of again: `….resumed-20261128T1500Z`, and its next end
    /// `….resolved-20261128T1500Z`.
    public static func eventID(_ record: AlertRecord, kind: EventKind) -> String {
        let what = kind == .spikeResolved ? "resolved" : record.episode.resumedBucket == nil ? "started" : "resumed"
        return "\(record.episode.id).\(what)" + (record.episode.resumedBucket.map { "-" + Timestamp.compact($0) } ?? "")
    }

    /// True when `hook` is meant to receive this event: its narrative filter and minimum severity.
    public static func accepts(_ hook: Configuration.Webhook, narrative: String, kind: EventKind) -> Bool {
        (hook.narratives.isEmpty || hook.narratives.contains(narrative)) && kind.priority <= hook.minSeverity.priority
    }

    /// The outbox messages for one event; `now` is the queueing time in seconds since 1970.
    public static func messages(for record: AlertRecord, kind: EventKind, hooks: [Configuration.Webhook], now: Int64) -> [OutboxMessage] {
        guard let type = eventType(kind) else { return [] }
        let id = eventID(record, kind: kind)
        return hooks.filter { accepts($0, narrative: record.episode.narrative, kind: kind) }.map { hook in
            OutboxMessage(eventID: id, hook: hook.name, body: body(record, kind: kind, type: type, format: hook.format, now: now), created: now)
        }
    }

    /// `now`: when the event is queued; the time of a comeback, which the episode does not keep.
    static func body(_ record: AlertRecord, kind: EventKind, type: String, format: Configuration.Webhook.Format, now: Int64) -> String {
        let message = AlertEvents.message(for: record, kind: kind)
        switch format {
        case .standard:
            let e = record.episode
            // When this event happened: the start, the end, or the comeback (not the first start again).
            let when = kind == .spikeResolved ? (e.ended ?? e.started) : e.resumedBucket == nil ? e.started : max(now, e.started)
            return JSONValue.object([("type", .string(type)), ("timestamp", .time(when)), ("data", alert(record))]).serialized()
        case .slack:
            return JSONValue.object([("text", .string(message))]).serialized()
        case .discord:
            // Discord rejects content longer than 2,000 characters.
            return JSONValue.object([("content", .string(String(message.prefix(2000))))]).serialized()
        }
    }

    /// The alert as `alerts --format json` shows it.
    public static func alert(_ a: AlertRecord) -> JSONValue { a.json }
}
