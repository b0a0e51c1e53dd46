/// A webhook message waiting to be delivered: one event for one hook. The body is fixed when
/// the event happens, so every retry sends the same bytes under the same event id.
public struct OutboxMessage: Sendable, Equatable {
    /// The event id (`webhook-id`), the same on every attempt.
    public let eventID: String
    /// The configured hook's name.
    public let hook: String
    public let body: String
    /// When the event was queued, in seconds since 1970.
    public let created: Int64

    public init(eventID: String, hook: String, body: String, created: Int64) {
        self.eventID = eventID
        self.hook = hook
        self.body = body
        self.created = created
    }
}

/// A queued message with its delivery state.
public struct OutboxEntry: Sendable, Equatable {
    public let id: Int64
    public let message: OutboxMessage
    /// Attempts made so far.
    public let attempts: Int
    /// Earliest time of the next attempt, in seconds since 1970.
    public let nextAttempt: Int64
    public let lastError: String?
}

extension NarrativeDatabase {
    /// Queues messages; one already queued (same event and hook) is left as it is.
    public func enqueue(_ messages: [OutboxMessage]) throws(StoreError) {
        try db.transaction { () throws(StoreError) in try insertOutbox(messages) }
    }

    func insertOutbox(_ messages: [OutboxMessage]) throws(StoreError) {
        guard !messages.isEmpty else { return }
        let insert = try db.prepare("""
            INSERT OR IGNORE INTO webhook_outbox(event_id, hook, body, created, next_attempt) VALUES (?, ?, ?, ?, ?)
            """)
        for m in messages {
            try insert.run([.text(m.eventID), .text(m.hook), .text(m.body), .int(m.created), .int(m.created)])
        }
    }

    /// Undelivered messages whose next attempt is due at `now`, oldest first.
    public func dueOutbox(now: Int64, limit: Int = 100) throws(StoreError) -> [OutboxEntry] {
        try db.prepare("""
            SELECT id, event_id, hook, body, created, attempts, next_attempt, last_error FROM webhook_outbox
            WHERE delivered IS NULL AND given_up IS NULL AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?
            """).rows([.int(now), .integer(limit)]) { r in
            OutboxEntry(id: r.int(0), message: OutboxMessage(eventID: r.text(1) ?? "", hook: r.text(2) ?? "", body: r.text(3) ?? "", created: r.int(4)),
                        attempts: Int(r.int(5)), nextAttempt: r.int(6), lastError: r.text(7))
        }
    }

    /// Undelivered messages that are still being retried.
    public func pendingOutboxCount() throws(StoreError) -> Int {
        Int(try db.prepare("SELECT count(*) FROM webhook_outbox WHERE delivered IS NULL AND given_up IS NULL").rows { $0.int(0) }.first ?? 0)
    }

    /// The receiver accepted the message.
    public func markDelivered(_ id: Int64, attempts: Int, at time: Int64) throws(StoreError) {
        try db.prepare("UPDATE webhook_outbox SET delivered = ?, attempts = ?, last_error = NULL WHERE id = ?").run([.int(time), .integer(attempts), .int(id)])
    }

    /// The attempt failed; try again at `next`.
    public func reschedule(_ id: Int64, attempts: Int, next: Int64, error: String) throws(StoreError) {
        try db.prepare("UPDATE webhook_outbox SET attempts = ?, next_attempt = ?, last_error = ? WHERE id = ?")
            .run([.integer(attempts), .int(next), .text(error), .int(id)])
    }

    /// No more attempts: too old, refused for good, or its hook is gone.
    public func markGivenUp(_ id: Int64, attempts: Int, at time: Int64, error: String) throws(StoreError) {
        try db.prepare("UPDATE webhook_outbox SET given_up = ?, attempts = ?, last_error = ? WHERE id = ?")
            .run([.int(time), .integer(attempts), .text(error), .int(id)])
    }
}
