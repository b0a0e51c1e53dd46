import FeedParse
import Foundation
import NarrativeCore
import Pipeline
@testable import SeriesStore
import Testing
import TestSupport
import Webhooks

struct NarrativeDatabaseTests {
    static let hour: Int64 = 3600
    static let t0: Int64 = 1_795_860_000 // 2026-11-28T10:00:00Z

    static func item(_ key: String, at time: Int64, ai: Int = 0) -> IngestItem {
        IngestItem(key: key, title: "story \(key)", link: "https://n.test/\(key)", published: time, bucketStart: time - time % hour,
                   mentions: ai > 0 ? ["ai": ai] : [:])
    }

    static func batch(_ url: String, _ items: [IngestItem], at time: Int64 = t0) -> IngestBatch {
        IngestBatch(feedURL: url, feedTitle: "Feed", fetchedAt: time, etag: "\"v1\"", lastModified: nil, items: items)
    }

    @Test func reingestingTheSameItemsCountsNothingTwice() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try NarrativeDatabase(path: dir.file("db.sqlite"), bucketWidth: 3600)
        let items = [Self.item("a", at: Self.t0, ai: 2), Self.item("b", at: Self.t0 + 60), Self.item("c", at: Self.t0 + 3600, ai: 1)]
        #expect(try db.ingest(Self.batch("https://f.test/rss", items)) == 3)
        #expect(try db.ingest(Self.batch("https://f.test/rss", items)) == 0)
        let points = try db.points(narrative: "ai", from: Self.t0, to: Self.t0 + 7200)
        #expect(points.map(\.items) == [2, 1])
        #expect(points.map(\.matched) == [1, 1])
        #expect(points.map(\.mentions) == [2, 1])
        // The same guid in another feed is another item.
        #expect(try db.ingest(Self.batch("https://g.test/rss", [items[0]])) == 1)
        #expect(try db.feedStates().map(\.itemsTotal) == [3, 1])
        #expect(try db.feedStates().first?.etag == "\"v1\"")
    }

    @Test func aFailedIngestLeavesThePreviousStateIntact() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("db.sqlite")
        let db = try NarrativeDatabase(path: path, bucketWidth: 3600)
        try db.ingest(Self.batch("https://f.test/rss", [Self.item("a", at: Self.t0, ai: 1)]))
        // A trigger makes the third item of the next batch fail, after two were written.
        try SQLiteConnection(path: path).execute(
            "CREATE TRIGGER poison BEFORE INSERT ON items WHEN NEW.key = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END")
        let batch = Self.batch("https://f.test/rss", [Self.item("b", at: Self.t0, ai: 1), Self.item("c", at: Self.t0, ai: 1), Self.item("poison", at: Self.t0)],
                               at: Self.t0 + 600)
        #expect(throws: StoreError.self) { try db.ingest(batch) }
        let point = try #require(try db.points(narrative: "ai", from: Self.t0, to: Self.t0).first)
        #expect(point.items == 1)
        #expect(point.matched == 1)
        #expect(try db.feedStates().first?.itemsTotal == 1)
        #expect(try db.feedStates().first?.lastPoll == Self.t0)
    }

    /// A damaged or hand-edited file whose bucket width no configuration allows (0 once made
    /// `status` divide by zero) reads as one without a width.
    @Test(arguments: ["0", "-3600", "7", "abc"])
    func aBucketWidthNoConfigurationAllowsIsIgnored(stored: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("db.sqlite")
        #expect(try NarrativeDatabase(path: path, bucketWidth: 3600).bucketWidth() == 3600)
        try SQLiteConnection(path: path).execute("UPDATE meta SET value = '\(stored)' WHERE key = 'bucket_seconds'")
        let reopened = try NarrativeDatabase(readingAt: path)
        #expect(try reopened.bucketWidth() == nil)
    }

    @Test func writesGroupedInOneTransactionStayAllOrNothingEach() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("db.sqlite")
        let db = try NarrativeDatabase(path: path, bucketWidth: 3600)
        try SQLiteConnection(path: path).execute(
            "CREATE TRIGGER poison BEFORE INSERT ON items WHEN NEW.key = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END")
        // A failing feed inside the group undoes only its own writes.
        try db.inOneTransaction { () throws(StoreError) in
            try db.ingest(Self.batch("https://a.test/rss", [Self.item("a", at: Self.t0, ai: 1)]))
            #expect(throws: StoreError.self) {
                try db.ingest(Self.batch("https://b.test/rss", [Self.item("b", at: Self.t0, ai: 1), Self.item("poison", at: Self.t0)]))
            }
            try db.ingest(Self.batch("https://c.test/rss", [Self.item("c", at: Self.t0, ai: 1)]))
        }
        let point = try #require(try db.points(narrative: "ai", from: Self.t0, to: Self.t0).first)
        #expect(point.items == 2)
        #expect(point.matched == 2)
        #expect(try db.feedStates().map(\.url) == ["https://a.test/rss", "https://c.test/rss"])
        #expect(try db.feedStates().map(\.itemsTotal) == [1, 1])
        // A group that fails as a whole leaves nothing of itself behind.
        #expect(throws: StoreError.self) {
            try db.inOneTransaction { () throws(StoreError) in
                try db.ingest(Self.batch("https://d.test/rss", [Self.item("d", at: Self.t0, ai: 1)]))
                throw StoreError(code: 1, message: "the disk is full", context: "test")
            }
        }
        #expect(try db.points(narrative: "ai", from: Self.t0, to: Self.t0).first?.items == 2)
        #expect(try db.feedStates().count == 2)
    }

    @Test func pruningDropsOldItemsButKeepsTheSeries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try NarrativeDatabase(path: dir.file("db.sqlite"), bucketWidth: 3600)
        let old = (0..<50).map { Self.item("old\($0)", at: Self.t0 - 100 * 86_400 + Int64($0) * 60, ai: 1) }
        let recent = (0..<5).map { Self.item("new\($0)", at: Self.t0 + Int64($0) * 60, ai: 1) }
        try db.ingest(Self.batch("https://f.test/rss", old + recent))
        let cutoff = Self.t0 - 90 * 86_400
        #expect(try db.prune(before: cutoff, dryRun: true) == .init(items: 50, mentions: 50))
        #expect(try db.points(narrative: "ai", from: 0, to: Self.t0 + 3600).map(\.matched).reduce(0, +) == 55)
        try db.prune(before: cutoff, dryRun: false)
        #expect(try db.prune(before: cutoff, dryRun: true) == .init(items: 0, mentions: 0))
        #expect(try db.points(narrative: "ai", from: 0, to: Self.t0 + 3600).map(\.matched).reduce(0, +) == 55, "the series is kept")
        #expect(try db.evidence(narrative: "ai", bucketStart: Self.t0, limit: 10).top.count == 5)
        // A pruned item delivered again is not counted again: its feed still knows it.
        #expect(try db.ingest(Self.batch("https://f.test/rss", old + recent)) == 0)
        #expect(try db.points(narrative: "ai", from: 0, to: Self.t0 + 3600).map(\.matched).reduce(0, +) == 55)
    }

    @Test func failuresCountUpAndASuccessResetsThem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try NarrativeDatabase(path: dir.file("db.sqlite"), bucketWidth: 3600)
        #expect(try db.recordFailure(feedURL: "https://f.test/rss", feedTitle: "Wire", at: Self.t0, error: "HTTP 503") == 1)
        // A feed that has never answered is known by its configured name.
        #expect(try db.feedStates().first?.title == "Wire")
        #expect(try db.recordFailure(feedURL: "https://f.test/rss", at: Self.t0 + 60, error: "HTTP 503") == 2)
        try db.recordNotModified(feedURL: "https://f.test/rss", at: Self.t0 + 120)
        let state = try #require(try db.feedStates().first)
        #expect(state.title == "Wire")
        #expect(state.consecutiveErrors == 0)
        #expect(state.lastError == nil)
        #expect(state.lastSuccess == Self.t0 + 120)
    }

    @Test func aStatementInAnErrorIsOneLineCutAtAWord() {
        #expect(SQLiteConnection.excerpt("SELECT 1") == "SELECT 1")
        #expect(SQLiteConnection.excerpt("PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            == "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL; …")
        #expect(SQLiteConnection.excerpt("""
            SELECT name
              FROM schema_migrations
            """) == "SELECT name FROM schema_migrations")
    }

    @Test func aDatabaseKeepsItsBucketWidth() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try NarrativeDatabase(path: dir.file("db.sqlite"), bucketWidth: 3600)
        #expect(throws: StoreError.self) { try NarrativeDatabase(path: dir.file("db.sqlite"), bucketWidth: 900) }
    }

    @Test func readersRefuseFilesThatAreNotNarrativeWatchDatabases() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("other.sqlite", "")
        #expect(throws: StoreError.self) { try NarrativeDatabase(readingAt: dir.file("other.sqlite")) }
        #expect(throws: StoreError.self) { try NarrativeDatabase(readingAt: dir.file("absent.sqlite")) }
    }
}

struct SyndicationTests {
    static let t0: Int64 = 1_795_860_000

    static func story(link: String, published: Int64, title: String = "AI tokens rally as agents trade on-chain",
                      guid: String? = nil) -> ParsedItem {
        var item = ParsedItem()
        item.id = guid
        item.title = title
        item.link = link
        item.published = published
        item.summary = "<p>The AI revolution, again.</p>"
        return item
    }

    @Test func oneStoryInThreeFeedsCountsOnceWithThreeSources() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try NarrativeDatabase(path: dir.file("db.sqlite"), bucketWidth: 3600)
        let preparation = ItemPreparation(narratives: [
            .init(id: "ai", terms: ["AI"]), .init(id: "revolution", kind: .hype, terms: ["revolution"]),
        ], bucketing: Bucketing(width: 3600))
        let copies = [
            ("https://a.test/rss", Self.story(link: "https://www.news.test/ai-rally/?utm_source=a-feed", published: Self.t0 + 60)),
            ("https://b.test/rss", Self.story(link: "https://news.test/ai-rally?utm_medium=rss&utm_campaign=b", published: Self.t0 + 120)),
            // Re-sent later with an updated date and another tracking link.
            ("https://c.test/rss", Self.story(link: "http://news.test/ai-rally#top", published: Self.t0 + 1800)),
        ]
        for (feed, item) in copies {
            let prepared = try #require(preparation.prepare(item, fetchedAt: Self.t0 + 3000))
            try db.ingest(IngestBatch(feedURL: feed, feedTitle: nil, fetchedAt: Self.t0 + 3000, etag: nil, lastModified: nil, items: [prepared]))
        }
        // The same title with a fresh link a day later is the same story; three days later it is news again.
        for (offset, link) in [(Int64(86_400), "https://d.test/other"), (Int64(3 * 86_400), "https://d.test/again")] {
            let item = try #require(preparation.prepare(Self.story(link: link, published: Self.t0 + offset), fetchedAt: Self.t0 + offset))
            try db.ingest(IngestBatch(feedURL: "https://d.test/rss", feedTitle: nil, fetchedAt: Self.t0 + offset, etag: nil, lastModified: nil, items: [item]))
        }
        let first = try db.points(narrative: "ai", from: Self.t0, to: Self.t0)
        #expect(first.map(\.items) == [1])
        #expect(first.map(\.matched) == [1])
        #expect(first.map(\.hyped) == [1], "the AI story carries the hype marker")
        #expect(try db.points(narrative: "ai", from: Self.t0 + 3600, to: Self.t0 + 2 * 86_400).map(\.matched) == [])
        #expect(try db.points(narrative: "ai", from: Self.t0 + 3 * 86_400, to: Self.t0 + 3 * 86_400).map(\.matched) == [1])
        #expect(try db.storySources(feedURL: "https://a.test/rss", link: "https://www.news.test/ai-rally/?utm_source=a-feed") == 4)
        #expect(try db.feedStates().map(\.itemsTotal) == [1, 1, 1, 2], "each feed still has its own items")
        let evidence = try db.evidence(narrative: "ai", bucketStart: Self.t0, limit: 5)
        #expect(evidence.sources == 4)
        #expect(evidence.terms == ["AI"])
        #expect(try db.points(narrative: "revolution", from: Self.t0, to: Self.t0).map(\.hyped) == [0])
    }
}

struct DetectionStageTests {
    static let hour: Int64 = 3600

    static let burst: Int64 = 1_795_860_000

    /// A database in `dir` holding fifteen days of 10 items an hour from one feed, one in ten
    /// on AI, then a burst of 20 AI items in the hour from `burst`.
    static func seededDatabase(in dir: TemporaryDirectory) throws -> NarrativeDatabase {
        let db = try NarrativeDatabase(path: dir.file("db.sqlite"), bucketWidth: 3600)
        try seed(db, burstAt: burst)
        return db
    }

    private static func seed(_ db: NarrativeDatabase, burstAt burst: Int64) throws {
        var items: [IngestItem] = []
        var t = burst - 15 * 86_400
        var n = 0
        while t < burst {
            for k in 0..<10 {
                items.append(IngestItem(key: "i\(n)-\(k)", title: "t", link: nil, published: t, bucketStart: t, mentions: k == 0 ? ["ai": 1] : [:]))
            }
            t += hour
            n += 1
        }
        for k in 0..<20 {
            items.append(IngestItem(key: "burst-\(k)", title: "AI \(k)", link: "https://n.test/\(k)", published: burst, bucketStart: burst, mentions: ["ai": 1]))
        }
        try db.ingest(IngestBatch(feedURL: "https://f.test/rss", feedTitle: "F", fetchedAt: burst, etag: nil, lastModified: nil, items: items))
    }

    /// The seeded database with a second feed that has delivered (nothing on AI), so min_sources is 2.
    static func twoFeedDatabase(in dir: TemporaryDirectory) throws -> NarrativeDatabase {
        let db = try seededDatabase(in: dir)
        try ingestHour(db, -24, feed: "g.test", ai: 0, key: "g-earlier")
        return db
    }

    /// Ten ordinary items and `ai` AI items from `feed`, in the hour `n` hours after the burst.
    static func ingestHour(_ db: NarrativeDatabase, _ n: Int64, feed: String = "f.test", ai: Int, key: String) throws {
        let t = burst + n * hour
        let items = (0..<10).map { IngestItem(key: "\(key)-\($0)", title: "t", link: nil, published: t, bucketStart: t, mentions: [:]) }
            + (0..<ai).map { IngestItem(key: "\(key)-ai-\($0)", title: "AI \(key) \($0)", link: "https://n.test/\(key)/\($0)", published: t,
                                        bucketStart: t, mentions: ["ai": 1]) }
        try db.ingest(IngestBatch(feedURL: "https://\(feed)/rss", feedTitle: feed, fetchedAt: t, etag: nil, lastModified: nil, items: items))
    }

    @Test func aBurstRaisesOneAlertOnceAndResolvesWhenItEnds() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.seededDatabase(in: dir)
        let burst = Self.burst
        let stage = DetectionStage(parameters: Configuration.Detection())

        let first = try stage.run(narratives: ["ai", "defi"], database: db, now: burst + Self.hour + 60)
        #expect(first.count == 1)
        guard case .started(let episode)? = first.first?.transition else { Issue.record("\(first)"); return }
        #expect(episode.narrative == "ai")
        #expect(episode.bucketStart == burst)
        #expect(episode.observed == 20)
        #expect(first.first?.record.topItems.count == 5)
        #expect(first.first?.record.spikesIn90Days == 1)

        // The same moment again: nothing new.
        #expect(try stage.run(narratives: ["ai", "defi"], database: db, now: burst + Self.hour + 120).isEmpty)

        // An ordinary Self.hour afterwards resolves the episode.
        try db.ingest(IngestBatch(feedURL: "https://f.test/rss", feedTitle: "F", fetchedAt: burst + Self.hour, etag: nil, lastModified: nil,
                                  items: (0..<10).map { IngestItem(key: "after-\($0)", title: "t", link: nil, published: burst + Self.hour, bucketStart: burst + Self.hour, mentions: [:]) }))
        let later = try stage.run(narratives: ["ai"], database: db, now: burst + 2 * Self.hour + 60)
        guard case .resolved(let resolved)? = later.first?.transition else { Issue.record("\(later)"); return }
        #expect(resolved.id == episode.id)
        #expect(try db.alerts(since: 0, narrative: nil).map(\.episode.state) == [.resolved])
        let points = try db.points(narrative: "ai", from: burst - Self.hour, to: burst)
        #expect(points.map(\.spike) == [false, true])
        #expect(abs((points.first?.expected ?? 0) - 1.0) < 0.05)
    }

    /// A wave that comes back within the cooldown after its episode resolved is reported again
    /// (journal and webhooks), and so is its second end, each under an event id of its own.
    @Test func aWaveThatComesBackIsHeardOfAgain() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.seededDatabase(in: dir)
        let burst = Self.burst
        // The first wave is carried by three feeds, the one that comes back by two.
        try Self.ingestHour(db, 0, feed: "g.test", ai: 3, key: "g-burst")
        try Self.ingestHour(db, 0, feed: "h.test", ai: 3, key: "h-burst")
        let stage = DetectionStage(parameters: Configuration.Detection())
        let hooks = [Configuration.Webhook(name: "ops", url: "http://127.0.0.1:9/")]
        func messages(_ notice: DetectionStage.Notice) -> [OutboxMessage] {
            switch notice.transition {
            case .started, .resumed: WebhookPayload.messages(for: notice.record, kind: .spikeStarted, hooks: hooks, now: 1)
            case .resolved: WebhookPayload.messages(for: notice.record, kind: .spikeResolved, hooks: hooks, now: 1)
            case .updated, .rising: []
            }
        }
        var kinds: [String] = []
        func run(at n: Int64) throws {
            for notice in try stage.run(narratives: ["ai"], database: db, now: burst + n * Self.hour + 60, outbox: messages) {
                switch notice.transition {
                case .started: kinds.append("started")
                case .resumed: kinds.append("resumed")
                case .resolved: kinds.append("resolved")
                case .updated, .rising: break
                }
            }
        }
        try run(at: 1)           // the burst
        try Self.ingestHour(db, 1, ai: 1, key: "calm")
        try run(at: 2)           // an ordinary hour ends it
        try Self.ingestHour(db, 2, ai: 25, key: "again")
        try Self.ingestHour(db, 2, feed: "g.test", ai: 3, key: "g-again")
        try run(at: 3)           // two hours later, the wave is back
        try Self.ingestHour(db, 3, ai: 1, key: "calm2")
        try run(at: 4)           // and ends again
        #expect(kinds == ["started", "resolved", "resumed", "resolved"])
        let ids = try db.dueOutbox(now: .max).map(\.message.eventID)
        #expect(ids == ["ai-20261128T1000Z.started", "ai-20261128T1000Z.resolved",
                        "ai-20261128T1000Z.resumed-20261128T1200Z", "ai-20261128T1000Z.resolved-20261128T1200Z"], "\(ids)")
        let alert = try #require(try db.alerts(since: 0, narrative: "ai").first)
        #expect(alert.episode.resumedBucket == burst + 2 * Self.hour)
        #expect(alert.topItems.first?.link.hasPrefix("https://n.test/again/") == true, "the stories of the wave that came back")
        #expect(alert.sources == 3, "the sources of the peak, which the message shows beside them")
    }

    /// A comeback from one feed among several is not a wave either, and leaves the episode
    /// resolved for a real one to resume.
    @Test func aComebackFromOneFeedDoesNotResumeTheEpisode() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.seededDatabase(in: dir)
        let burst = Self.burst
        try Self.ingestHour(db, 0, feed: "g.test", ai: 5, key: "g0")     // the burst has a second source
        let stage = DetectionStage(parameters: Configuration.Detection())
        func kinds(at n: Int64) throws -> [String] {
            try stage.run(narratives: ["ai"], database: db, now: burst + n * Self.hour + 60).map { notice in
                switch notice.transition {
                case .started: "started"
                case .resumed: "resumed"
                case .resolved: "resolved"
                case .updated: "updated"
                case .rising: "rising"
                }
            }
        }
        #expect(try kinds(at: 1) == ["started"])
        try Self.ingestHour(db, 1, ai: 1, key: "calm")
        #expect(try kinds(at: 2) == ["resolved"])
        try Self.ingestHour(db, 2, ai: 30, key: "echo")  // one feed, repeating itself
        #expect(try kinds(at: 3) == [])
        try Self.ingestHour(db, 3, ai: 30, key: "wave")
        try Self.ingestHour(db, 3, feed: "g.test", ai: 10, key: "wave-g")
        #expect(try kinds(at: 4) == ["resumed"])
    }

    @Test func emptyBucketsKeepAnEpisodeUntilTheFeedsHaveBeenSilentLong() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.seededDatabase(in: dir)
        let burst = Self.burst
        let stage = DetectionStage(parameters: Configuration.Detection())
        #expect(try stage.run(narratives: ["ai"], database: db, now: burst + Self.hour + 60).count == 1)
        // Three hours without any item: still firing.
        #expect(try stage.run(narratives: ["ai"], database: db, now: burst + 4 * Self.hour + 60).isEmpty)
        #expect(try db.alerts(since: 0, narrative: "ai").first?.episode.state == .firing)
        // Six silent hours end it.
        let later = try stage.run(narratives: ["ai"], database: db, now: burst + 8 * Self.hour + 60)
        guard case .resolved? = later.first?.transition else { Issue.record("\(later)"); return }
    }

    @Test func recurrenceCountsEarlierEpisodesAndTheirPeak() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.seededDatabase(in: dir)
        let burst = Self.burst
        let stage = DetectionStage(parameters: Configuration.Detection())
        _ = try stage.run(narratives: ["ai"], database: db, now: burst + Self.hour + 60)
        // Ordinary days, then a second wave two days after the first.
        var items: [IngestItem] = []
        var t = burst + Self.hour
        while t < burst + 2 * 86_400 {
            for k in 0..<10 { items.append(IngestItem(key: "o\(t)-\(k)", title: "t", link: nil, published: t, bucketStart: t, mentions: k == 0 ? ["ai": 1] : [:])) }
            t += Self.hour
        }
        for k in 0..<25 { items.append(IngestItem(key: "second-\(k)", title: "AI \(k)", link: "https://n.test/b\(k)", published: t, bucketStart: t, mentions: ["ai": 1])) }
        try db.ingest(IngestBatch(feedURL: "https://f.test/rss", feedTitle: "F", fetchedAt: t, etag: nil, lastModified: nil, items: items))
        let notices = try stage.run(narratives: ["ai"], database: db, now: t + Self.hour + 60)
        let started = notices.filter { if case .started = $0.transition { return true } else { return false } }
        #expect(started.count == 1)
        let record = try #require(started.first?.record)
        #expect(record.spikesIn90Days == 2)
        #expect(record.previous == burst)
        #expect((record.previousLift ?? 0) > 2)
        #expect(record.medianGap == nil, "a median gap needs three episodes")
    }

    @Test func aNewFeedsBacklogDoesNotCreateASpike() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try NarrativeDatabase(path: dir.file("db.sqlite"), bucketWidth: 3600)
        let now: Int64 = 1_795_860_000
        // Fifteen days of one feed, evaluated up to now.
        var items: [IngestItem] = []
        var t = now - 15 * 86_400
        while t < now {
            for k in 0..<10 { items.append(IngestItem(key: "a\(t)-\(k)", title: "t", link: nil, published: t, bucketStart: t, mentions: k == 0 ? ["ai": 1] : [:])) }
            t += Self.hour
        }
        try db.ingest(IngestBatch(feedURL: "https://a.test/rss", feedTitle: "A", fetchedAt: now, etag: nil, lastModified: nil, items: items))
        let stage = DetectionStage(parameters: Configuration.Detection())
        _ = try stage.run(narratives: ["ai"], database: db, now: now + 60)
        // A new feed arrives with a month of backlog, a tenth of it on AI like everything else.
        var backlog: [IngestItem] = []
        t = now - 30 * 86_400
        while t <= now {
            for k in 0..<20 { backlog.append(IngestItem(key: "b\(t)-\(k)", title: "t", link: nil, published: t, bucketStart: t, mentions: k < 2 ? ["ai": 1] : [:])) }
            t += Self.hour
        }
        try db.ingest(IngestBatch(feedURL: "https://b.test/rss", feedTitle: "B", fetchedAt: now + 600, etag: nil, lastModified: nil, items: backlog))
        let notices = try stage.run(narratives: ["ai"], database: db, now: now + 3 * Self.hour)
        #expect(notices.isEmpty, "\(notices.map(\.transition))")
    }

    @Test func aBurstFromOneFeedAmongSeveralIsNotAWave() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.seededDatabase(in: dir) // history and the burst, all from f.test
        let burst = Self.burst
        try db.ingest(IngestBatch(feedURL: "https://g.test/rss", feedTitle: "G", fetchedAt: burst - 86_400, etag: nil, lastModified: nil,
                                  items: [IngestItem(key: "g1", title: "t", link: nil, published: burst - 86_400, bucketStart: burst - 86_400, mentions: [:])]))
        let stage = DetectionStage(parameters: Configuration.Detection())
        // backtest's replay judges it the same way, and the history does not call it a spike.
        #expect(try stage.replay(narrative: "ai", database: db, now: burst + Self.hour + 60).isEmpty)
        #expect(try stage.run(narratives: ["ai"], database: db, now: burst + Self.hour + 60).isEmpty, "twenty AI stories, all from one feed")
        #expect(try db.points(narrative: "ai", from: burst, to: burst).map(\.spike) == [false])
        var one = Configuration.Detection()
        one.minSources = 1
        #expect(try DetectionStage(parameters: one).replay(narrative: "ai", database: db, now: burst + Self.hour + 60).map(\.bucketStart) == [burst])
    }

    /// A spike that lacks sources when its bucket closes waits for the feeds not polled since:
    /// a second feed's items for the bucket, fetched later, make it a wave; without them, once
    /// `lateArrival` has passed, it is judged for good and is no spike.
    @Test(arguments: [true, false])
    func aSpikeWaitsForTheFeedsNotPolledSinceItsBucketClosed(secondFeedArrives: Bool) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.twoFeedDatabase(in: dir)
        let burst = Self.burst
        let stage = DetectionStage(parameters: Configuration.Detection(), lateArrival: 900)
        #expect(try stage.run(narratives: ["ai"], database: db, now: burst + Self.hour + 60).isEmpty)
        #expect(try db.detectionCursor(narrative: "ai")?.lastEvaluated == burst - Self.hour, "the bucket waits")
        if secondFeedArrives {
            try Self.ingestHour(db, 0, feed: "g.test", ai: 5, key: "g-late")
            let notices = try stage.run(narratives: ["ai"], database: db, now: burst + Self.hour + 120)
            guard case .started(let episode)? = notices.first?.transition else { Issue.record("\(notices)"); return }
            #expect(episode.bucketStart == burst)
        } else {
            #expect(try stage.run(narratives: ["ai"], database: db, now: burst + Self.hour + 600).isEmpty)
            #expect(try db.detectionCursor(narrative: "ai")?.lastEvaluated == burst - Self.hour, "still within late arrival")
            #expect(try stage.run(narratives: ["ai"], database: db, now: burst + Self.hour + 960).isEmpty)
            #expect(try db.detectionCursor(narrative: "ai")?.lastEvaluated == burst)
            #expect(try db.points(narrative: "ai", from: burst, to: burst).map(\.spike) == [false])
        }
    }

    /// Once every feed has been polled since the bucket closed, no other feed's items are to
    /// come: a spike from one feed is judged at once rather than held for `lateArrival`.
    @Test func aOneFeedSpikeIsJudgedAtOnceWhenEveryFeedHasBeenPolledSince() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.twoFeedDatabase(in: dir)
        let burst = Self.burst
        let stage = DetectionStage(parameters: Configuration.Detection(), lateArrival: 900)
        #expect(try stage.run(narratives: ["ai"], database: db, now: burst + Self.hour + 60, polledSince: burst + Self.hour + 30).isEmpty)
        #expect(try db.detectionCursor(narrative: "ai")?.lastEvaluated == burst, "judged, not waiting")
        #expect(try db.points(narrative: "ai", from: burst, to: burst).map(\.spike) == [false])
    }

    /// A closed bucket that some feed has not been polled since is judged only once it has
    /// (or `lateArrival` has passed): the wave that feed brings is not missed.
    @Test func aBucketWaitsUntilEveryFeedHasBeenPolledSinceItClosed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.twoFeedDatabase(in: dir)
        let burst = Self.burst
        try Self.ingestHour(db, 1, ai: 1, key: "f1")
        try Self.ingestHour(db, 2, ai: 1, key: "f2")
        let stage = DetectionStage(parameters: Configuration.Detection(), lateArrival: 900)
        // g was last polled before the bucket of hour 2 closed: that bucket waits.
        let first = try stage.run(narratives: ["ai"], database: db, now: burst + 3 * Self.hour + 60, polledSince: burst + 2 * Self.hour + 30)
        #expect(!first.contains { if case .started = $0.transition { true } else { false } })
        #expect(try db.detectionCursor(narrative: "ai")?.lastEvaluated == burst + Self.hour)
        // g's poll brings the wave of that hour.
        try Self.ingestHour(db, 2, feed: "g.test", ai: 25, key: "g2")
        let second = try stage.run(narratives: ["ai"], database: db, now: burst + 3 * Self.hour + 120, polledSince: burst + 3 * Self.hour + 100)
        guard case .started(let episode)? = second.first?.transition else { Issue.record("\(second)"); return }
        #expect(episode.bucketStart == burst + 2 * Self.hour)
        #expect(try db.detectionCursor(narrative: "ai")?.lastEvaluated == burst + 2 * Self.hour)
    }

    /// While a closed bucket waits for a feed, a wave in the open bucket is still reported at
    /// once, and the waiting bucket's final judgement does not end it.
    @Test func theOpenBucketIsWatchedWhileAClosedOneWaits() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.twoFeedDatabase(in: dir)
        let burst = Self.burst
        try Self.ingestHour(db, 1, ai: 1, key: "f1")
        try Self.ingestHour(db, 2, ai: 15, key: "f2")
        try Self.ingestHour(db, 2, feed: "g.test", ai: 15, key: "g2")
        let stage = DetectionStage(parameters: Configuration.Detection(), lateArrival: 900)
        let first = try stage.run(narratives: ["ai"], database: db, now: burst + 2 * Self.hour + 600, polledSince: burst + Self.hour + 30)
        #expect(try db.detectionCursor(narrative: "ai")?.lastEvaluated == burst, "the bucket of hour 1 waits")
        guard case .started(let episode)? = first.first?.transition else { Issue.record("\(first)"); return }
        #expect(episode.bucketStart == burst + 2 * Self.hour)
        // The series shows the bucket still filling as the spike it raised, before it is judged.
        let open = try #require(try db.points(narrative: "ai", from: burst + 2 * Self.hour, to: burst + 2 * Self.hour).first)
        #expect(open.spike)
        #expect(open.expected == episode.expected)
        #expect(open.score == episode.score)
        #expect(try db.points(narrative: "ai", from: burst + Self.hour, to: burst + Self.hour).map(\.spike) == [false])
        let second = try stage.run(narratives: ["ai"], database: db, now: burst + 2 * Self.hour + 700, polledSince: burst + 2 * Self.hour + 650)
        #expect(second.isEmpty, "\(second.map(\.transition))")
        #expect(try db.detectionCursor(narrative: "ai")?.lastEvaluated == burst + Self.hour)
        #expect(try db.alerts(since: 0, narrative: "ai").first?.episode.state == .firing)
    }

    /// An alert raised early on the bucket still filling takes that bucket's final figures
    /// once it closes and is judged, also when its score came out lower than the early one.
    @Test func anEarlyAlertTakesItsBucketsFinalFigures() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.seededDatabase(in: dir)
        let burst = Self.burst
        let stage = DetectionStage(parameters: Configuration.Detection())
        let early = try stage.run(narratives: ["ai"], database: db, now: burst + 600)
        guard case .started(let episode)? = early.first?.transition else { Issue.record("\(early)"); return }
        #expect(episode.observed == 20)
        #expect(early.first?.record.sources == 1)
        try Self.ingestHour(db, 0, feed: "g.test", ai: 5, key: "late")
        // While the bucket fills, the alert follows it without a word: its count and the
        // expectation for the items so far, which `status` shows beside each other.
        #expect(try stage.run(narratives: ["ai"], database: db, now: burst + 1800).isEmpty)
        let filling = try #require(try db.alerts(since: 0, narrative: "ai").first)
        #expect(filling.episode.observed == 25)
        #expect(filling.sources == 2, "the feeds beside the figures are the bucket's so far")
        #expect(filling.episode.expected > episode.expected, "15 more items expect more AI stories")
        #expect(try db.points(narrative: "ai", from: burst, to: burst).first?.expected == filling.episode.expected)
        let judged = try stage.run(narratives: ["ai"], database: db, now: burst + Self.hour + 60)
        #expect(!judged.contains { if case .updated = $0.transition { true } else { false } }, "the peak did not grow")
        let alert = try #require(try db.alerts(since: 0, narrative: "ai").first)
        #expect(alert.episode.observed == 25)
        let point = try #require(try db.points(narrative: "ai", from: burst, to: burst).first)
        #expect(alert.episode.expected == point.expected)
        #expect(alert.episode.score == point.score)
        #expect(alert.episode.score < episode.score)
    }

    /// After downtime one pass judges many buckets: each wave it raises counts the ones before it.
    @Test func wavesRaisedInOnePassCountEachOther() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.seededDatabase(in: dir)
        for hour in Int64(1)...11 { try Self.ingestHour(db, hour, ai: hour == 10 ? 20 : 1, key: "h\(hour)") }
        let notices = try DetectionStage(parameters: Configuration.Detection()).run(narratives: ["ai"], database: db, now: Self.burst + 12 * Self.hour + 60)
        let started = notices.filter { if case .started = $0.transition { true } else { false } }.map(\.record)
        #expect(started.map(\.episode.bucketStart) == [Self.burst, Self.burst + 10 * Self.hour])
        #expect(started.map(\.spikesIn90Days) == [1, 2])
        #expect(started.last?.previous == Self.burst)
        #expect(try db.alerts(since: 0, narrative: "ai").map(\.spikesIn90Days).sorted() == [1, 2], "as stored")
    }

    @Test func replayFindsTheWaveTheDaemonRaisesAndStoresNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.seededDatabase(in: dir)
        let stage = DetectionStage(parameters: Configuration.Detection())
        let now = Self.burst + Self.hour + 60
        let replayed = try stage.replay(narrative: "ai", database: db, now: now)
        #expect(replayed.map(\.bucketStart) == [Self.burst])
        #expect(try db.alerts(since: 0, narrative: nil).isEmpty)
        #expect(try db.detectionCursor(narrative: "ai") == nil)
        let raised = try stage.run(narratives: ["ai"], database: db, now: now)
        guard case .started(let episode)? = raised.first?.transition else { Issue.record("\(raised)"); return }
        #expect(episode.bucketStart == replayed.first?.bucketStart)
        #expect(episode.observed == replayed.first?.observed)
        let empty = try NarrativeDatabase(path: dir.file("empty.sqlite"), bucketWidth: 3600)
        #expect(try stage.replay(narrative: "ai", database: empty, now: now).isEmpty)
    }

    /// Past their retention, items lose their text and mentions but the counts stay: a spike
    /// there is still one, though who carried it can no longer be told.
    @Test func replayKeepsTheSpikesOfPrunedItems() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.seededDatabase(in: dir)
        let now = Self.burst + Self.hour + 60
        #expect(try db.prune(before: now, dryRun: false).items > 0)
        #expect(try db.sources(narrative: "ai", bucketStart: Self.burst) == 0)
        #expect(try DetectionStage(parameters: Configuration.Detection()).replay(narrative: "ai", database: db, now: now).map(\.bucketStart) == [Self.burst])
    }
}
