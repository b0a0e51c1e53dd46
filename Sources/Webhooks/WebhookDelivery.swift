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
/// Each receiver is sent to by its own task, in the order its messages were queued, so one
/// that hangs holds up only its own messages; after a failed one the rest wait for the next pass.
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

    /// The messages due at `now()`, by receiver in queue order. Those of a hook no longer
    /// configured are given up here; `skipping` names hooks whose messages are left for later.
    public func due(database: NarrativeDatabase, hooks: [Configuration.Webhook], skipping: Set<String> = [],
                    now: @Sendable () -> Int64) throws(StoreError) -> [(hook: Configuration.Webhook, entries: [OutboxEntry])] {
        var byHook: [String: [OutboxEntry]] = [:], hookOrder: [String] = []
        for entry in try database.dueOutbox(now: now()) where !skipping.contains(entry.message.hook) {
            if byHook[entry.message.hook] == nil { hookOrder.append(entry.message.hook) }
            byHook[entry.message.hook, default: []].append(entry)
        }
        var out: [(hook: Configuration.Webhook, entries: [OutboxEntry])] = []
        for name in hookOrder {
            let entries = byHook[name] ?? []
            guard let hook = hooks.first(where: { $0.name == name }) else {
                for entry in entries {
                    try giveUp(entry, attempts: entry.attempts, database: database, at: now(), reason: "the webhook is no longer configured")
                }
                continue
            }
            out.append((hook, entries))
        }
        return out
    }

    /// Sends one receiver's messages and records what became of each on `database`.
    /// - Returns: how many were delivered.
    @discardableResult
    public func deliver(_ entries: [OutboxEntry], to hook: Configuration.Webhook, database: NarrativeDatabase,
                        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) async throws(StoreError) -> Int {
        var delivered = 0
        for sent in await send(entries, to: hook, now: now) where try record(sent, database: database) { delivered += 1 }
        return delivered
    }

    /// One pass: tries the messages due at `now()`, every receiver at once, and waits for all.
    /// - Returns: how many were delivered.
    @discardableResult
    public func deliverDue(database: NarrativeDatabase, hooks: [Configuration.Webhook],
                           now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) async throws(StoreError) -> Int {
        let batches = try due(database: database, hooks: hooks, now: now)
        var delivered = 0
        var storeError: StoreError?
        await withTaskGroup(of: [Sent].self) { group in
            for (hook, entries) in batches {
                group.addTask { [self] in await send(entries, to: hook, now: now) }
            }
            // Answers are recorded as each receiver's messages are done, on this task's connection.
            for await batch in group {
                for sent in batch where storeError == nil {
                    do throws(StoreError) {
                        if try record(sent, database: database) { delivered += 1 }
                    } catch { storeError = error }
                }
            }
        }
        if let storeError { throw storeError }
        return delivered
    }

    /// A message and what became of it: an answer, or a reason not to send it.
    private struct Sent: Sendable {
        let entry: OutboxEntry
        let hook: Configuration.Webhook
        let outcome: Outcome
        enum Outcome: Sendable {
            case answered(WebhookClient.Answer, at: Int64)
            case tooOld(at: Int64)
            case noSecret(String, at: Int64)
        }
    }

    /// Sends one receiver's due messages in order; stops after the first that is not delivered.
    private func send(_ entries: [OutboxEntry], to hook: Configuration.Webhook, now: @Sendable () -> Int64) async -> [Sent] {
        var sent: [Sent] = []
        for entry in entries {
            if Task.isCancelled { break }
            let m = entry.message
            let started = now()
            if started - m.created > Int64(hook.giveUpAfter) {
                sent.append(Sent(entry: entry, hook: hook, outcome: .tooOld(at: started)))
                continue
            }
            var headers = [("webhook-id", m.eventID), ("webhook-timestamp", String(started))]
            if hook.format == .standard {
                do {
                    if let key = try WebhookSecret.key(for: hook, environment: environment) {
                        headers.append(("webhook-signature", WebhookSignature.sign(id: m.eventID, timestamp: started, body: Array(m.body.utf8), key: key)))
                    }
                } catch {
                    sent.append(Sent(entry: entry, hook: hook, outcome: .noSecret(error.description, at: now())))
                    break
                }
            }
            let answer = await client.post(url: hook.url, headers: headers, body: Array(m.body.utf8))
            // Stopping mid-request: the message stays as it was and goes again at the next start.
            if answer.abandoned { break }
            sent.append(Sent(entry: entry, hook: hook, outcome: .answered(answer, at: now())))
            guard case .delivered = DeliveryVerdict.of(status: answer.status) else { break }
        }
        return sent
    }

    /// Marks a message delivered, rescheduled or given up; true when it was delivered.
    private func record(_ sent: Sent, database: NarrativeDatabase) throws(StoreError) -> Bool {
        let entry = sent.entry, hook = sent.hook, m = entry.message
        let attempts = entry.attempts + 1
        let answer: WebhookClient.Answer, finished: Int64
        switch sent.outcome {
        case .tooOld(let at):
            try giveUp(entry, attempts: entry.attempts, database: database, at: at,
                       reason: "not delivered within \(ConfigUnits.format(seconds: hook.giveUpAfter)) (last error: \(entry.lastError ?? "none"))")
            return false
        case .noSecret(let error, let at):
            try retry(entry, attempts: attempts, database: database, retryAfter: nil, error: error, now: at)
            return false
        case .answered(let a, let at):
            (answer, finished) = (a, at)
        }
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
