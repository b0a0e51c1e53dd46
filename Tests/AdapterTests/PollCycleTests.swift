import FeedFetch
import Foundation
import Logging
import NarrativeCore
import Pipeline
import SeriesStore
import Testing
import TestSupport

/// The poll cycle against a misbehaving server on loopback, with a fixed clock and no jitter:
/// each misbehaviour ends in its error class and next-poll time, and the good feed beside it
/// is ingested all the same.
@Suite(.serialized)
struct PollCycleTests {
    static let now: Int64 = 1_795_860_000
    static let interval = 600

    static func configuration(_ urls: [String]) -> Configuration {
        var c = Configuration()
        c.polling.interval = interval
        c.polling.timeout = 5
        c.polling.maxBody = 256 * 1024
        c.polling.maxBackoff = 4 * 3600
        c.feeds = urls.map { Configuration.Feed(url: $0) }
        c.narratives = [.init(id: "ai", terms: ["AI"])]
        return c
    }

    static let rss = NewsFixture.rss([.init(id: "g1", published: now - 600, title: "AI story", body: "", mentionsAI: true)],
                                     title: "Good", base: "https://good.test")

    static func cycle(_ urls: [String], in dir: TemporaryDirectory) throws -> (PollCycle, NarrativeDatabase) {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        return (PollCycle(configuration: configuration(urls), logger: logger), try NarrativeDatabase(path: dir.file("db.sqlite"), bucketWidth: 3600))
    }

    static func state(_ db: NarrativeDatabase, _ url: String) throws -> FeedState? {
        try db.feedStates().first { $0.url == url }
    }

    @Test func eachMisbehaviourEndsInItsClassAndNextPoll() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        let rss = Self.rss
        server.route("/good") { r in
            r.headers["if-none-match"] == "\"v1\"" ? .init(status: 304, headers: [("ETag", "\"v1\""), ("Cache-Control", "public, max-age=1800")])
                : .init(contentType: "application/rss+xml", body: rss, headers: [("ETag", "\"v1\""), ("Cache-Control", "public, max-age=1800")])
        }
        server.route("/busy") { _ in .init(status: 429, headers: [("Retry-After", "120")]) }
        server.route("/down") { _ in .init(status: 503, headers: [("Retry-After", "Sat, 28 Nov 2026 11:00:00 GMT")]) }
        server.route("/old") { _ in .init(status: 301, headers: [("Location", "/good")]) }
        server.route("/gone") { _ in .init(status: 410) }
        server.route("/loop") { _ in .init(status: 302, headers: [("Location", "/loop")]) }
        server.route("/file") { _ in .init(status: 302, headers: [("Location", "file:///etc/passwd")]) }
        server.route("/huge") { _ in .init(contentType: "application/rss+xml", body: String(repeating: "x", count: 400 * 1024)) }
        server.route("/cut") { _ in .init(status: 200, headers: [("Content-Type", "application/rss+xml")], body: Array(rss.utf8), cutAfter: 200) }
        server.route("/html") { _ in .init(contentType: "text/html", body: "<!DOCTYPE html><html><body>hello</body></html>") }
        let urls = ["/good", "/busy", "/down", "/old", "/gone", "/loop", "/file", "/huge", "/cut", "/html"].map(server.url) + ["http://127.0.0.1:9/none"]
        let (cycle, db) = try Self.cycle(urls, in: dir)

        let report = try await cycle.run(database: db, now: { Self.now }, jitter: { 0 })
        #expect(report.feedsPolled == 11)
        let expected: [String: (String?, Int64?)] = [
            "/good": (nil, Self.now + 1800),                      // Cache-Control max-age stretches the 10 min interval
            "/busy": ("http-429", Self.now + 120),                // Retry-After in seconds
            "/down": ("http-5xx", 1_795_863_600),                 // Retry-After as a date
            "/old": (nil, Self.now + 1800),                       // followed to /good
            "/gone": ("http-410", nil),                           // disabled
            "/loop": ("redirect", Self.now + Int64(Self.interval)),
            "/file": ("redirect", Self.now + Int64(Self.interval)),
            "/huge": ("too-large", Self.now + Int64(Self.interval)),
            "/cut": ("connection-lost", Self.now + Int64(Self.interval)),
            "/html": ("not-a-feed", Self.now + Int64(Self.interval)),
        ]
        for (path, (errorClass, next)) in expected {
            let state = try #require(try Self.state(db, server.url(path)), "\(path)")
            #expect(state.errorClass == errorClass, "\(path): \(state.lastError ?? "")")
            #expect(state.nextPoll == next, "\(path)")
        }
        let refused = try #require(try Self.state(db, "http://127.0.0.1:9/none"))
        #expect(refused.errorClass == "connection-refused")
        #expect(refused.consecutiveErrors == 1)
        #expect(try Self.state(db, server.url("/gone"))?.disabled == true)
        #expect(try Self.state(db, server.url("/old"))?.fetchURL == server.url("/good"))
        #expect(try Self.state(db, server.url("/good"))?.itemsTotal == 1, "the good feed is ingested beside the broken ones")

        // Next cycle: the gone feed is not polled, the moved one is fetched at its new address,
        // and a second failure doubles the backoff.
        let before = server.requests.count
        _ = try await cycle.run(database: db, now: { Self.now + 3600 }, jitter: { 0 })
        let paths = server.requests.dropFirst(before).map(\.path)
        #expect(!paths.contains("/gone"))
        #expect(!paths.contains("/old"))
        #expect(try Self.state(db, server.url("/loop"))?.nextPoll == Self.now + 3600 + 2 * Int64(Self.interval))
        #expect(try Self.state(db, server.url("/loop"))?.consecutiveErrors == 2)
        #expect(try Self.state(db, server.url("/good"))?.nextPoll == Self.now + 3600 + 1800, "304 keeps the schedule")
    }

    @Test func theHTTPCharsetDecodesAFeedWithoutADeclaration() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        // "AI Привет" in windows-1251, in a document that declares no encoding.
        let title: [UInt8] = Array("AI ".utf8) + [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2]
        let body = Array("<rss version=\"2.0\"><channel><title>Ru</title><item><guid>r1</guid><title>".utf8) + title
            + Array("</title><link>https://ru.test/1</link><pubDate>Sat, 28 Nov 2026 09:00:00 GMT</pubDate></item></channel></rss>".utf8)
        server.route("/ru") { _ in .init(status: 200, headers: [("Content-Type", "application/rss+xml; charset=windows-1251")], body: body) }
        let (cycle, db) = try Self.cycle([server.url("/ru")], in: dir)
        _ = try await cycle.run(database: db, now: { Self.now }, jitter: { 0 })
        let evidence = try db.evidence(narrative: "ai", bucketStart: 1_795_856_400, limit: 5)
        #expect(evidence.top.map(\.title) == ["AI Привет"])
    }

    @Test func aNetworkOutageMarksNoFeedFailing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let urls = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b", "http://127.0.0.1:9/c"]
        let (cycle, db) = try Self.cycle(urls, in: dir)
        let report = try await cycle.run(database: db, now: { Self.now }, jitter: { 0 })
        #expect(report.feedsFailed == 3)
        for url in urls {
            let state = try #require(try Self.state(db, url))
            #expect(state.consecutiveErrors == 0)
            #expect(state.nextPoll == Self.now + 60)
        }
    }

    /// Feeds polled one at a time into an outage: the first counts as failing (nothing tells it
    /// from a dead host yet), the next one is the outage. One dead host polled again and again,
    /// with nothing else polled, stays a failing feed.
    @Test func anOutageIsRecognisedAcrossCyclesButADeadHostIsNotAnOutage() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let urls = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"]
        let (cycle, db) = try Self.cycle(urls, in: dir)
        for url in urls { try db.recordNotModified(feedURL: url, at: Self.now - 600) }
        let feeds = Self.configuration(urls).feeds
        _ = try await cycle.run(database: db, feeds: [feeds[0]], now: { Self.now }, jitter: { 0 })
        #expect(try Self.state(db, urls[0])?.consecutiveErrors == 1)
        _ = try await cycle.run(database: db, feeds: [feeds[1]], now: { Self.now + 10 }, jitter: { 0 })
        #expect(try Self.state(db, urls[1])?.consecutiveErrors == 0, "the second feed into the outage is not failing")

        let dead = try TemporaryDirectory()
        defer { dead.remove() }
        let (alone, single) = try Self.cycle([urls[0]], in: dead)
        try single.recordNotModified(feedURL: urls[0], at: Self.now - 600)
        for n in 0..<3 { _ = try await alone.run(database: single, now: { Self.now + Int64(n) * 3600 }, jitter: { 0 }) }
        #expect(try Self.state(single, urls[0])?.consecutiveErrors == 3, "its own failures say nothing about the network")
    }
}

struct PollScheduleTests {
    let schedule = PollSchedule(interval: 900, maxInterval: 6 * 3600, maxBackoff: 4 * 3600)

    @Test(arguments: [
        (PollOutcome.fresh, 0, ServerHints(), Int64(900)),
        (.notModified, 0, ServerHints(maxAge: 60), 900),                 // hints never shorten the interval
        (.fresh, 0, ServerHints(maxAge: 3600), 3600),
        (.fresh, 0, ServerHints(expiresIn: 100_000), 6 * 3600),          // …and stretch it only up to max_interval
        (.fresh, 0, ServerHints(feedPeriod: 7200), 7200),
        (.failed(errorClass: "timeout", retryAfter: nil), 1, ServerHints(), 900),
        (.failed(errorClass: "timeout", retryAfter: nil), 3, ServerHints(), 3600),
        (.failed(errorClass: "http-5xx", retryAfter: nil), 12, ServerHints(), 4 * 3600),
        (.failed(errorClass: "http-429", retryAfter: 30), 5, ServerHints(), 30),
        (.failed(errorClass: "http-429", retryAfter: 10_000_000), 1, ServerHints(), 86_400),
    ])
    func nextPoll(outcome: PollOutcome, errors: Int, hints: ServerHints, delay: Int64) {
        #expect(schedule.nextPoll(after: 1000, outcome: outcome, consecutiveErrors: errors, hints: hints) == 1000 + delay)
    }

    @Test func goneDisablesAndJitterSpreadsByAtMostATenth() {
        #expect(schedule.nextPoll(after: 0, outcome: .gone, consecutiveErrors: 1) == nil)
        #expect(schedule.nextPoll(after: 0, outcome: .fresh, consecutiveErrors: 0, jitter: 1) == 990)
        #expect(schedule.nextPoll(after: 0, outcome: .fresh, consecutiveErrors: 0, jitter: -1) == 810)
        // Never before what the server asked: a Retry-After, or the max-age that set the delay.
        #expect(schedule.nextPoll(after: 0, outcome: .failed(errorClass: "http-429", retryAfter: 3600), consecutiveErrors: 1, jitter: -1) == 3600)
        #expect(schedule.nextPoll(after: 0, outcome: .failed(errorClass: "http-429", retryAfter: 3600), consecutiveErrors: 1, jitter: 1) == 3960)
        #expect(schedule.nextPoll(after: 0, outcome: .fresh, consecutiveErrors: 0, hints: ServerHints(maxAge: 3600), jitter: -1) == 3600)
        #expect(schedule.nextPoll(after: 0, outcome: .fresh, consecutiveErrors: 0, hints: ServerHints(maxAge: 600), jitter: -1) == 810)
    }

    @Test func onlyAWholeCycleOfNetworkFailuresIsAnOutage() {
        #expect(PollSchedule.isNetworkOutage(["dns", "dns", "connection-refused"]))
        #expect(!PollSchedule.isNetworkOutage(["dns", nil]))
        #expect(!PollSchedule.isNetworkOutage(["dns", "http-5xx"]))
        #expect(!PollSchedule.isNetworkOutage(["dns"]))
        // One feed alone tells nothing, unless the network was already down.
        #expect(PollSchedule.isNetworkOutage(["timeout"], alreadyDown: true))
        #expect(!PollSchedule.isNetworkOutage(["http-5xx"], alreadyDown: true))
        #expect(!PollSchedule.isNetworkOutage([], alreadyDown: true))
        // Since the newest success anywhere (t = 100), every poll failed for the network: down,
        // even though the feed polled less often last succeeded before.
        #expect(PollSchedule.networkWasDown([(200, 100, "dns"), (210, 90, "connection-refused"), (50, 50, nil)]))
        #expect(!PollSchedule.networkWasDown([(200, 100, "dns"), (210, 210, nil)]), "a feed answered since")
        #expect(!PollSchedule.networkWasDown([(200, 100, "dns"), (210, 90, "http-5xx")]), "a server answered, with an error")
        #expect(PollSchedule.networkWasDown([(200, 100, "dns"), (100, 100, nil)]), "with this cycle's failure, two in a row")
        #expect(!PollSchedule.networkWasDown([(100, 100, nil), (90, 90, nil)]), "nothing has failed since the last success")
        #expect(!PollSchedule.networkWasDown([(200, 100, "dns")], newestSuccess: 250), "the failing feed itself answered since")
        #expect(!PollSchedule.networkWasDown([(200, 100, "dns")], polls: 2), "known only after two")
        #expect(!PollSchedule.networkWasDown([]))
    }

    /// A bucket is complete once every feed has been polled since it closed, except the feeds
    /// whose last poll failed: one backing off for hours does not hold every bucket back.
    @Test func aFailingFeedIsNotWaitedFor() {
        #expect(PollSchedule.everyFeedPolledSince([(300, false), (200, false), (100, true)]) == 200)
        #expect(PollSchedule.everyFeedPolledSince([(300, false), (nil, false)]) == .min, "a feed never polled holds every bucket")
        #expect(PollSchedule.everyFeedPolledSince([(300, true)]) == nil)
        #expect(PollSchedule.everyFeedPolledSince([]) == nil)
    }

    /// A reload that shortens a feed's interval brings its next poll forward; one that lengthens
    /// it, or a feed backing off after failures, keeps the time it had.
    @Test func aShorterIntervalOnReloadBringsTheNextPollForward() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try NarrativeDatabase(path: dir.file("db.sqlite"), bucketWidth: 3600)
        let t0: Int64 = 1_795_860_000
        for url in ["https://a.test/rss", "https://b.test/rss", "https://c.test/rss"] {
            try db.recordNotModified(feedURL: url, at: t0)
            try db.schedule(feedURL: url, nextPoll: t0 + 3600)
        }
        try db.recordFailure(feedURL: "https://b.test/rss", at: t0 + 60, error: "HTTP 503")
        var old = Configuration()
        old.polling.interval = 3600
        old.feeds = [Configuration.Feed(url: "https://a.test/rss"), Configuration.Feed(url: "https://b.test/rss"), Configuration.Feed(url: "https://c.test/rss")]
        var new = old
        new.polling.interval = 600
        new.feeds[2].interval = 7200
        let moved = PollScheduler.shortened(from: old, to: new, states: try db.feedStates())
        #expect(moved.map(\.url) == ["https://a.test/rss"])
        #expect(moved.map(\.nextPoll) == [t0 + 600])
    }
}
