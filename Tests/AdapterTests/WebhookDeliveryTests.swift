import Foundation
import NarrativeCore
import Notify
import SeriesStore
import Synchronization
import Testing
import TestSupport
import Webhooks

/// The outbox in a real SQLite file, delivered over loopback HTTP with the clock in the test's hands.
@Suite(.serialized)
struct WebhookDeliveryTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let t0: Int64 = 1_795_939_200

    /// A clock the test moves by hand.
    final class Clock: Sendable {
        private let seconds: Mutex<Int64>
        init(_ start: Int64) { seconds = Mutex(start) }
        var now: Int64 { seconds.withLock { $0 } }
        func advance(_ by: Int64) { seconds.withLock { $0 += by } }
    }

    static func message(_ id: String, hook: String = "ops", created: Int64 = t0) -> OutboxMessage {
        OutboxMessage(eventID: id, hook: hook, body: #"{"type":"narrative.spike.started","id":"\#(id)"}"#, created: created)
    }

    static func delivery(_ dir: TemporaryDirectory) throws -> WebhookDelivery {
        try dir.write("webhook-ops", secret)
        return WebhookDelivery(client: WebhookClient(timeout: 5, userAgent: "NarrativeWatch-test"),
                               schedule: RetrySchedule(initial: 2, maximum: 900), logger: .init(label: "test"),
                               environment: ["CREDENTIALS_DIRECTORY": dir.path], random: { 0.5 })
    }

    @Test func theOutboxKeepsOneMessagePerEventAndHookUntilItIsDelivered() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try NarrativeDatabase(path: dir.file("nw.sqlite"), bucketWidth: 3600)
        try db.enqueue([Self.message("a.started"), Self.message("a.started", hook: "chat"), Self.message("b.started", created: Self.t0 + 5)])
        try db.enqueue([Self.message("a.started")])
        #expect(try db.dueOutbox(now: Self.t0).map(\.message.eventID) == ["a.started", "a.started"])
        #expect(try db.dueOutbox(now: Self.t0 + 5).count == 3)
        let first = try #require(try db.dueOutbox(now: Self.t0).first)
        try db.reschedule(first.id, attempts: 1, next: Self.t0 + 60, error: "HTTP 503")
        #expect(try db.dueOutbox(now: Self.t0 + 59).count == 2)
        let retried = try #require(try db.dueOutbox(now: Self.t0 + 60).first { $0.id == first.id })
        #expect(retried.attempts == 1 && retried.lastError == "HTTP 503" && retried.message == first.message)
        try db.markDelivered(first.id, attempts: 2, at: Self.t0 + 61)
        #expect(try db.pendingOutboxCount() == 2)
        #expect(try !db.dueOutbox(now: Self.t0 + 1000).contains { $0.id == first.id })

        // The outbox survives reopening: a restart picks up where the last process stopped.
        let reopened = try NarrativeDatabase(path: dir.file("nw.sqlite"), bucketWidth: 3600)
        #expect(try reopened.pendingOutboxCount() == 2)
    }

    @Test func a503WithRetryAfterIsRetriedThenDeliveredUnderTheSameIDAndSignature() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        let answers = Mutex([LoopbackServer.Response(status: 503, headers: [("Retry-After", "7")]), LoopbackServer.Response(status: 204)])
        server.route("/hook") { _ in answers.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] } }
        let db = try NarrativeDatabase(path: dir.file("nw.sqlite"), bucketWidth: 3600)
        let now = Int64(Date().timeIntervalSince1970) // the verifier accepts timestamps within five minutes of now
        let clock = Clock(now)
        try db.enqueue([Self.message("ai-1.started", created: now)])
        let hooks = [Configuration.Webhook(name: "ops", url: server.url("/hook"))]
        let delivery = try Self.delivery(dir)

        #expect((try await delivery.deliverDue(database: db, hooks: hooks, now: { clock.now })) == 0)
        #expect(try db.dueOutbox(now: now + 6).isEmpty, "Retry-After: 7 must hold the message back 7 s")
        let waiting = try #require(try db.dueOutbox(now: now + 7).first)
        #expect(waiting.attempts == 1 && waiting.lastError == "HTTP 503")

        clock.advance(7)
        #expect((try await delivery.deliverDue(database: db, hooks: hooks, now: { clock.now })) == 1)
        #expect(try db.pendingOutboxCount() == 0)
        let requests = server.requests.filter { $0.path == "/hook" }
        #expect(requests.count == 2)
        #expect(Set(requests.map { $0.headers["webhook-id"] ?? "" }) == ["ai-1.started"])
        #expect(requests.map { $0.headers["webhook-timestamp"] ?? "" } == [String(now), String(now + 7)])
        #expect(Set(requests.map(\.body)).count == 1, "every retry sends the same bytes")
        #expect(requests.allSatisfy { $0.headers["content-type"] == "application/json" && $0.method == "POST" })

        let verdict = try StandardWebhooksVerifier.verify(requests, secret: Self.secret)
        #expect(verdict.status == 0, "standardwebhooks refused: \(verdict.lines) \(verdict.stderr)")
        #expect(verdict.lines == ["ok narrative.spike.started", "ok narrative.spike.started"])
        // And the verifier is not a rubber stamp: the wrong secret fails.
        let wrong = try StandardWebhooksVerifier.verify(requests, secret: "whsec_" + Data("another key".utf8).base64EncodedString())
        #expect(wrong.status == 1 && wrong.lines.allSatisfy { $0.hasPrefix("bad") })
    }

    @Test func aReceiverThatIsDownIsRetriedWithBackoff() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let closed = try LoopbackServer()
        let url = closed.url("/hook")
        closed.stop() // nothing listens there now: connection refused
        let db = try NarrativeDatabase(path: dir.file("nw.sqlite"), bucketWidth: 3600)
        let clock = Clock(Self.t0)
        try db.enqueue([Self.message("ai-1.started")])
        let hooks = [Configuration.Webhook(name: "ops", url: url)]
        let delivery = try Self.delivery(dir)
        var expectedNext = Self.t0
        for attempt in 1...4 {
            clock.advance(expectedNext - clock.now)
            _ = (try await delivery.deliverDue(database: db, hooks: hooks, now: { clock.now }))
            let entry = try #require(try db.dueOutbox(now: .max).first)
            #expect(entry.attempts == attempt)
            expectedNext = clock.now + Int64(RetrySchedule(initial: 2, maximum: 900).backoff(afterAttempt: attempt, jitter: 0.5))
            #expect(entry.nextAttempt == expectedNext)
            #expect(entry.lastError?.isEmpty == false)
        }
    }

    /// A receiver that hangs holds up only its own messages: the other receiver is sent to while
    /// it hangs, and its second message waits for the next pass instead of hanging again.
    @Test func aReceiverThatHangsHoldsUpOnlyItsOwnMessages() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let slow = try LoopbackServer(), fast = try LoopbackServer()
        defer { slow.stop(); fast.stop() }
        let fastAnswered = Mutex(false), slowSawFast = Mutex(false)
        fast.route("/hook") { _ in
            fastAnswered.withLock { $0 = true }
            return .init(status: 200)
        }
        slow.route("/hook") { _ in
            // Hangs until the other receiver has had its message, or gives up after a while.
            let deadline = Date().addingTimeInterval(4)
            while !fastAnswered.withLock({ $0 }), Date() < deadline { usleep(10_000) }
            slowSawFast.withLock { $0 = fastAnswered.withLock { $0 } }
            return .init(status: 503)
        }
        let db = try NarrativeDatabase(path: dir.file("nw.sqlite"), bucketWidth: 3600)
        try db.enqueue([Self.message("ai-1.started", hook: "slow"), Self.message("ai-2.started", hook: "slow"), Self.message("ai-1.started", hook: "fast")])
        let hooks = [Configuration.Webhook(name: "slow", url: slow.url("/hook"), format: .slack),
                     Configuration.Webhook(name: "fast", url: fast.url("/hook"), format: .slack)]
        let delivered = try await Self.delivery(dir).deliverDue(database: db, hooks: hooks, now: { Self.t0 })
        #expect(delivered == 1)
        #expect(slowSawFast.withLock { $0 }, "the second receiver waited for the first")
        #expect(slow.requests.count == 1, "after a failure, that receiver's other messages wait for the next pass")
        let pending = Dictionary(uniqueKeysWithValues: try db.dueOutbox(now: .max).map { ($0.message.eventID, $0.attempts) })
        #expect(pending == ["ai-1.started": 1, "ai-2.started": 0])
    }

    /// In the running service, a message queued while one receiver hangs reaches another receiver
    /// without waiting for the hang to end.
    @Test func theServiceSendsToOneReceiverWhileAnotherHangs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let slow = try LoopbackServer(), fast = try LoopbackServer()
        defer { slow.stop(); fast.stop() }
        let slowCalled = Mutex(false), fastCalled = Mutex(false), slowSawFast = Mutex(false), slowDone = Mutex(false)
        // Waits without holding one of the few threads the service's tasks run on.
        func waitFor(_ flag: borrowing Mutex<Bool>, seconds: Double) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while !flag.withLock({ $0 }), Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
            return flag.withLock { $0 }
        }
        fast.route("/hook") { _ in
            fastCalled.withLock { $0 = true }
            return .init(status: 200)
        }
        slow.route("/hook") { _ in
            slowCalled.withLock { $0 = true }
            let deadline = Date().addingTimeInterval(4)
            while !fastCalled.withLock({ $0 }), Date() < deadline { usleep(10_000) }
            slowSawFast.withLock { $0 = fastCalled.withLock { $0 } }
            slowDone.withLock { $0 = true }
            return .init(status: 200)
        }
        let path = dir.file("nw.sqlite")
        let db = try NarrativeDatabase(path: path, bucketWidth: 3600)
        let now = Int64(Date().timeIntervalSince1970)
        try db.enqueue([Self.message("ai-1.started", hook: "slow", created: now)])
        let roster = WebhookRoster([Configuration.Webhook(name: "slow", url: slow.url("/hook"), format: .slack),
                                    Configuration.Webhook(name: "fast", url: fast.url("/hook"), format: .slack)])
        let service = WebhookService(databasePath: path, bucketWidth: 3600, roster: roster, delivery: try Self.delivery(dir),
                                     interval: .milliseconds(50))
        let running = Task { try await service.run() }
        defer { running.cancel() }
        let slowWasCalled = try await waitFor(slowCalled, seconds: 5)
        #expect(slowWasCalled, "the slow receiver was never called")
        try db.enqueue([Self.message("ai-2.started", hook: "fast", created: now)])
        let fastWasCalled = try await waitFor(fastCalled, seconds: 5)
        #expect(fastWasCalled, "the fast receiver was never called")
        _ = try await waitFor(slowDone, seconds: 5)
        #expect(slowSawFast.withLock { $0 }, "the message to the fast receiver waited for the slow one")
    }

    /// Stopping the service abandons a request to a receiver that hangs rather than waiting out
    /// its timeout; the message is neither counted as an attempt nor lost.
    @Test(.timeLimit(.minutes(1))) func aStopDoesNotWaitForAReceiverThatHangs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        let called = Mutex(false), released = Mutex(false)
        defer {
            released.withLock { $0 = true }
            server.stop()
        }
        server.route("/hook") { _ in
            called.withLock { $0 = true }
            let deadline = Date().addingTimeInterval(120)
            while !released.withLock({ $0 }), Date() < deadline { usleep(10_000) }
            return .init(status: 200)
        }
        let path = dir.file("nw.sqlite")
        let db = try NarrativeDatabase(path: path, bucketWidth: 3600)
        let now = Int64(Date().timeIntervalSince1970)
        try db.enqueue([Self.message("ai-1.started", hook: "slow", created: now)])
        let patient = WebhookDelivery(client: WebhookClient(timeout: 300, userAgent: "NarrativeWatch-test"), logger: .init(label: "test"))
        let service = WebhookService(databasePath: path, bucketWidth: 3600,
                                     roster: WebhookRoster([Configuration.Webhook(name: "slow", url: server.url("/hook"), format: .slack)]),
                                     delivery: patient, interval: .milliseconds(50))
        let running = Task { try await service.run() }
        while !called.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        running.cancel()
        try await running.value
        let pending = try db.dueOutbox(now: now + 1)
        #expect(pending.map(\.message.eventID) == ["ai-1.started"])
        #expect(pending.map(\.attempts) == [0], "an abandoned request is not an attempt")
    }

    @Test func messagesAreGivenUpWhenTooOldRefusedOrOrphanedAndTheJournalIsTold() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/gone") { _ in .init(status: 410) }
        let db = try NarrativeDatabase(path: dir.file("nw.sqlite"), bucketWidth: 3600)
        let run = UUID().uuidString
        try db.enqueue([Self.message("old-\(run).started", hook: "old"), Self.message("x.started", hook: "gone"), Self.message("y.started", hook: "removed")])
        let clock = Clock(Self.t0 + 3601)
        let hooks = [Configuration.Webhook(name: "old", url: server.url("/old"), giveUpAfter: 3600),
                     Configuration.Webhook(name: "gone", url: server.url("/gone"))]
        _ = (try await Self.delivery(dir).deliverDue(database: db, hooks: hooks, now: { clock.now }))
        #expect(try db.pendingOutboxCount() == 0)
        #expect(!server.requests.contains { $0.path == "/old" }, "a message past its age is not sent")
        #expect(server.requests.filter { $0.path == "/gone" }.count == 1, "a 410 is not retried")

        // Each give-up is one journal entry with its own MESSAGE_ID; journald writes asynchronously.
        var entry: [String: Any]?
        for _ in 0..<50 where entry == nil {
            let read = try ChildProcess.run("/usr/bin/journalctl", ["-o", "json", "--no-pager", "MESSAGE_ID=\(EventKind.webhookGaveUp.messageID)", "WEBHOOK_ID=old-\(run).started"])
            entry = read.stdout.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            if entry == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let found = try #require(entry, "no journal entry for the given-up message (is journald running? `make journald`)")
        #expect(found["PRIORITY"] as? String == "3")
        #expect(found["WEBHOOK"] as? String == "old")
        #expect((found["MESSAGE"] as? String)?.contains("not delivered within 1h") == true, "\(found["MESSAGE"] ?? "")")
    }
}

