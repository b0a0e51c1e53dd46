import Foundation
import NarrativeCore
import Notify
import SeriesStore
import Testing
import TestSupport
import Webhooks

/// Signatures, the retry schedule and payloads: pure, checked with data.
struct WebhookSignatureTests {
    @Test func signatureMatchesTheStandardWebhooksReferenceVector() throws {
        // The example in the Standard Webhooks specification and its reference libraries.
        let key = try #require(WebhookSignature.key(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = WebhookSignature.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                              body: Array(#"{"test": 2432232314}"#.utf8), key: key)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test(arguments: [
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 24),
        ("  whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", 24), // a credential file with a trailing newline
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", nil),        // no prefix
        ("whsec_", nil),
        ("whsec_not base64!", nil),
    ] as [(String, Int?)])
    func secretsAreWhsecBase64(secret: String, keyBytes: Int?) {
        #expect(WebhookSignature.key(fromSecret: secret)?.count == keyBytes)
    }

    @Test func everyByteOfIdTimestampAndBodyIsSigned() throws {
        let key = Array("k".utf8)
        let base = WebhookSignature.sign(id: "a", timestamp: 1, body: Array("{}".utf8), key: key)
        #expect(base != WebhookSignature.sign(id: "b", timestamp: 1, body: Array("{}".utf8), key: key))
        #expect(base != WebhookSignature.sign(id: "a", timestamp: 2, body: Array("{}".utf8), key: key))
        #expect(base != WebhookSignature.sign(id: "a", timestamp: 1, body: Array("{ }".utf8), key: key))
        #expect(base != WebhookSignature.sign(id: "a", timestamp: 1, body: Array("{}".utf8), key: Array("K".utf8)))
    }
}

struct RetryScheduleTests {
    let schedule = RetrySchedule(initial: 2, maximum: 900, maximumRetryAfter: 3600)

    @Test(arguments: [
        // attempt, jitter, seconds: half of 2 × 2^(attempt−1) fixed, the other half scaled by the jitter
        (1, 0.0, 1), (1, 0.999, 1), (2, 0.0, 2), (2, 0.5, 3), (2, 0.999, 3), (3, 0.0, 4), (3, 0.75, 7),
        (5, 0.0, 16), (5, 0.5, 24), (9, 0.0, 256), (10, 0.0, 450), (10, 0.999, 899), (40, 0.5, 675), (0, 0.0, 1),
    ] as [(Int, Double, Int)])
    func backoffDoublesWithEqualJitterUpToTheCap(attempt: Int, jitter: Double, seconds: Int) {
        #expect(schedule.backoff(afterAttempt: attempt, jitter: jitter) == seconds)
    }

    @Test func backoffNeverShrinksAndStaysWithinItsStep() {
        for jitter in stride(from: 0.0, to: 1.0, by: 0.125) {
            var previous = 0
            for attempt in 1...60 {
                let delay = schedule.backoff(afterAttempt: attempt, jitter: jitter)
                let step = min(900, 2 << min(attempt - 1, 30))
                #expect(delay >= max(1, step / 2) && delay <= step, "attempt \(attempt), jitter \(jitter): \(delay)")
                #expect(delay >= previous)
                previous = delay
            }
        }
    }

    @Test(arguments: [
        ("120", 120), (" 7 ", 7), ("0", 0), ("-3", nil), ("soon", nil), ("", nil),
        ("Sun, 29 Nov 2026 08:00:30 GMT", 30), ("Sun, 29 Nov 2026 07:59:00 GMT", 0),
        ("Mon, 30 Nov 2026 08:00:00 GMT", 86_400), ("Tue, 31 Nov 2026 08:00:00 GMT", nil), ("Sun, 29 Nov 2026 08:00:30 +0100", nil),
        ("Sun, 29 Nov 2026 25:00:00 GMT", nil),
        // Years an Int cannot turn into seconds (once a crash of the daemon on one response header).
        ("Sun, 29 Nov 99999999999999999 08:00:00 GMT", nil), ("Sun, 29 Nov -99999999999999999 08:00:00 GMT", nil),
    ] as [(String, Int?)])
    func retryAfterIsSecondsOrAnHTTPDate(header: String, seconds: Int?) {
        let now: Int64 = 1_795_939_200 // 2026-11-29T08:00:00Z
        #expect(RetryAfter.seconds(header, now: now) == seconds)
    }

    @Test(arguments: [(7, 7), (0, 1), (100_000, 3600)] as [(Int, Int)])
    func retryAfterWinsOverBackoffWithinBounds(retryAfter: Int, seconds: Int) {
        #expect(schedule.delay(afterAttempt: 6, retryAfter: retryAfter, jitter: 0.9) == seconds)
    }

    @Test(arguments: [
        (nil, DeliveryVerdict.retry), (200, .delivered), (204, .delivered), (299, .delivered), (301, .refused),
        (400, .refused), (401, .refused), (404, .refused), (408, .retry), (410, .refused), (425, .retry),
        (429, .retry), (500, .retry), (502, .retry), (503, .retry), (599, .retry),
    ] as [(Int?, DeliveryVerdict)])
    func answersSortIntoDeliveredRetryOrRefused(status: Int?, verdict: DeliveryVerdict) {
        #expect(DeliveryVerdict.of(status: status) == verdict)
    }
}

struct WebhookPayloadTests {
    static let record = AlertRecord(
        episode: AlertEpisode(id: "ai-20261128T1000Z", narrative: "ai", state: .firing, started: 1_795_860_000, ended: nil,
                              bucketStart: 1_795_856_400, lastSpikeBucket: 1_795_856_400, observed: 42, expected: 8.3, lift: 5.1, score: 6),
        spikesIn90Days: 3, previous: 1_794_000_000, sources: 7,
        topItems: [TopItem(title: "AI agents trade", link: "https://news.test/a", feed: "Ledger")], terms: ["AI"])

    @Test(arguments: [
        // narratives filter, minimum severity, event, receives?
        ([String](), Configuration.Webhook.Severity.notice, EventKind.spikeStarted, true),
        ([], .notice, .spikeResolved, true),
        ([], .warning, .spikeStarted, true),
        ([], .warning, .spikeResolved, false),
        (["ai"], .notice, .spikeStarted, true),
        (["defi"], .notice, .spikeStarted, false),
        (["defi", "ai"], .warning, .spikeResolved, false),
    ] as [([String], Configuration.Webhook.Severity, EventKind, Bool)])
    func hooksReceiveTheirNarrativesAtOrAboveTheirSeverity(narratives: [String], severity: Configuration.Webhook.Severity,
                                                           kind: EventKind, receives: Bool) {
        let hook = Configuration.Webhook(name: "h", url: "http://127.0.0.1/", narratives: narratives, minSeverity: severity)
        #expect(WebhookPayload.messages(for: Self.record, kind: kind, hooks: [hook], now: 5).count == (receives ? 1 : 0))
    }

    @Test func eachFormatHasItsOwnShapeUnderOneEventID() throws {
        let hooks = Configuration.Webhook.Format.allCases.map { Configuration.Webhook(name: $0.rawValue, url: "http://127.0.0.1/", format: $0) }
        let messages = WebhookPayload.messages(for: Self.record, kind: .spikeStarted, hooks: hooks, now: 5)
        #expect(messages.map(\.hook) == ["standard", "slack", "discord"])
        #expect(Set(messages.map(\.eventID)) == ["ai-20261128T1000Z.started"])
        func object(_ m: OutboxMessage) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(m.body.utf8)) as? [String: Any])
        }
        let standard = try object(messages[0])
        #expect(standard["type"] as? String == "narrative.spike.started")
        #expect(standard["timestamp"] as? String == Timestamp.iso8601(Self.record.episode.started))
        let data = try #require(standard["data"] as? [String: Any])
        #expect(data["id"] as? String == "ai-20261128T1000Z")
        #expect(data["observed"] as? Int == 42)
        #expect((data["recurrence"] as? [String: Any])?["spikes_90d"] as? Int == 3)
        #expect(try object(messages[1])["text"] as? String == AlertEvents.message(for: Self.record, kind: .spikeStarted))
        #expect(try object(messages[2])["content"] as? String == AlertEvents.message(for: Self.record, kind: .spikeStarted))
        let resolved = WebhookPayload.messages(for: Self.record, kind: .spikeResolved, hooks: hooks, now: 5)
        #expect(Set(resolved.map(\.eventID)) == ["ai-20261128T1000Z.resolved"])

        // An episode that comes back is a new event each time, so neither its return nor its
        // second end is taken for a retry of the first.
        var back = Self.record
        back.episode.resumedBucket = 1_795_874_400 // 2026-11-28T14:00:00Z
        #expect(WebhookPayload.eventID(back, kind: .spikeStarted) == "ai-20261128T1000Z.resumed-20261128T1400Z")
        #expect(WebhookPayload.eventID(back, kind: .spikeResolved) == "ai-20261128T1000Z.resolved-20261128T1400Z")
        let again = try object(WebhookPayload.messages(for: back, kind: .spikeStarted, hooks: hooks, now: 5)[0])
        #expect(again["type"] as? String == "narrative.spike.started")
        #expect((again["data"] as? [String: Any])?["resumed_bucket"] as? String == "2026-11-28T14:00:00Z")
        #expect(AlertEvents.message(for: back, kind: .spikeStarted).hasPrefix("ai spike again in the bucket of 2026-11-28T14:00:00Z"))
        #expect(AlertEvents.message(for: back, kind: .spikeStarted).hasSuffix("; 3rd spike in 90 days"))
        #expect(AlertEvents.message(for: Self.record, kind: .spikeResolved).hasSuffix("; 3rd spike in 90 days"))
        // The comeback is stamped with the time it was heard of, after the first end, not with the first start.
        let comeback = Self.record.episode.started + 6 * 3600
        let stamped = try object(WebhookPayload.messages(for: back, kind: .spikeStarted, hooks: hooks, now: comeback)[0])
        #expect(stamped["timestamp"] as? String == Timestamp.iso8601(comeback))
    }

    @Test func secretsComeFromTheFileOrTheCredentialsDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let env = ["CREDENTIALS_DIRECTORY": dir.path]
        var hook = Configuration.Webhook(name: "ops", url: "http://127.0.0.1/")
        #expect(WebhookSecret.path(for: hook, environment: env) == nil)
        try dir.write("webhook-ops", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")
        #expect(WebhookSecret.path(for: hook, environment: env) == dir.file("webhook-ops"))
        #expect(try WebhookSecret.key(for: hook, environment: env)?.count == 24)
        hook.secretFile = "other"
        #expect(WebhookSecret.path(for: hook, environment: env) == dir.file("other"))
        #expect(throws: WebhookSecret.Problem.unreadable(path: dir.file("other"))) { try WebhookSecret.key(for: hook, environment: env) }
        try dir.write("other", "hunter2")
        #expect(throws: WebhookSecret.Problem.notASecret(path: dir.file("other"))) { try WebhookSecret.key(for: hook, environment: env) }
        #expect(!WebhookSecret.Problem.notASecret(path: dir.file("other")).description.contains("hunter2"))
        hook.secretFile = "/abs/secret"
        #expect(WebhookSecret.path(for: hook, environment: env) == "/abs/secret")
    }
}
