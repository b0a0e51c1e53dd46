import FoundationEssentials
import Logging
import NarrativeCore
import Notify
import SeriesStore
import Synchronization

/// The webhooks in force; a reload replaces them while delivery runs.
public final class WebhookRoster: Sendable {
    private let hooks: Mutex<[Configuration.Webhook]>

    public init(_ hooks: [Configuration.Webhook]) { self.hooks = Mutex(hooks) }

    public var current: [Configuration.Webhook] { hooks.withLock { $0 } }

    public func replace(with new: [Configuration.Webhook]) { hooks.withLock { $0 = new } }
}

/// One pass over the outbox: every due message is tried once, then marked delivered,
/// rescheduled, or given up (with a journal entry). A message is marked only after the
/// receiver answered, so a crash mid-delivery means it is sent again: at least once.
public struct WebhookDelivery: Sendable {
    public let client: WebhookClient
    public let schedule: RetrySchedule
    public let logger: Logger
    /// Where secrets are looked up (`$CREDENTIALS_DIRECTORY`).
    public let environment: [String: String]
    /// Jitter source, in [0, 1).
    public let random: @Sendable () -> Double

    public init(client: WebhookClient, schedule: RetrySchedule = RetrySchedule(), logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.client = client
        self.schedule = schedule
        self.logger = logger
        self.environment = environment
        self.random = random
    }

    /// Tries the messages due at `now()`.
    /// - Returns: how many were delivered.
    @discardableResult
    public func deliverDue(database: NarrativeDatabase, hooks: [Configuration.Webhook],
                           now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) async throws(StoreError) -> Int {
        var delivered = 0
        for entry in try database.dueOutbox(now: now()) {
            if Task.isCancelled { break }
            if try await attempt(entry, database: database, hooks: hooks, now: now) { delivered += 1 }
        }
        return delivered
    }

    private func attempt(_ entry: OutboxEntry, database: NarrativeDatabase, hooks: [Configuration.Webhook],
                         now: @Sendable () -> Int64) async throws(StoreError) -> Bool {
        let m = entry.message
        let attempts = entry.attempts + 1
        guard let hook = hooks.first(where: { $0.name == m.hook }) else {
            try giveUp(entry, attempts: entry.attempts, database: database, at: now(), reason: "the webhook is no longer configured")
            return false
        }
        let started = now()
        if started - m.created > Int64(hook.giveUpAfter) {
            try giveUp(entry, attempts: entry.attempts, database: database, at: started,
                       reason: "not delivered within \(ConfigUnits.format(seconds: hook.giveUpAfter)) (last error: \(entry.lastError ?? "none"))")
            return false
        }
        var headers = [("webhook-id", m.eventID), ("webhook-timestamp", String(started))]
        if hook.format == .standard {
            do {
                if let key = try WebhookSecret.key(for: hook, environment: environment) {
                    headers.append(("webhook-signature", WebhookSignature.sign(id: m.eventID, timestamp: started, body: Array(m.body.utf8), key: key)))
                }
            } catch {
                try retry(entry, attempts: attempts, database: database, retryAfter: nil, error: error.description, now: now())
                return false
            }
        }
        let answer = await client.post(url: hook.url, headers: headers, body: Array(m.body.utf8))
        let finished = now()
        switch DeliveryVerdict.of(status: answer.status) {
        case .delivered:
            try database.markDelivered(entry.id, attempts: attempts, at: finished)
            logger.info("webhook delivered", metadata: ["webhook.name": "\(hook.name)", "webhook.id": "\(m.eventID)", "webhook.attempts": "\(attempts)"])
            return true
        case .retry:
            let retryAfter = answer.retryAfter.flatMap { RetryAfter.seconds($0, now: finished) }
            let error = answer.status.map { "HTTP \($0)" } ?? (answer.error ?? "no answer")
            try retry(entry, attempts: attempts, database: database, retryAfter: retryAfter, error: error, now: finished)
            return false
        case .refused:
            try giveUp(entry, attempts: attempts, database: database, at: finished, reason: "the receiver refused it with HTTP \(answer.status ?? 0)")
            return false
        }
    }

    private func retry(_ entry: OutboxEntry, attempts: Int, database: NarrativeDatabase, retryAfter: Int?, error: String, now: Int64) throws(StoreError) {
        let delay = schedule.delay(afterAttempt: attempts, retryAfter: retryAfter, jitter: random())
        try database.reschedule(entry.id, attempts: attempts, next: now + Int64(delay), error: error)
        // The first failure is a warning; the retries that follow are the plan, not news.
        logger.log(level: attempts == 1 ? .warning : .info, "webhook delivery failed; retrying in \(delay)s",
                       metadata: ["webhook.name": "\(entry.message.hook)", "webhook.id": "\(entry.message.eventID)",
                                  "webhook.attempts": "\(attempts)", "error": "\(error)"])
    }

    private func giveUp(_ entry: OutboxEntry, attempts: Int, database: NarrativeDatabase, at time: Int64, reason: String) throws(StoreError) {
        try database.markGivenUp(entry.id, attempts: attempts, at: time, error: reason)
        Journal.emit(AlertEvents.webhookGaveUpFields(hook: entry.message.hook, eventID: entry.message.eventID, attempts: attempts, reason: reason))
    }
}
