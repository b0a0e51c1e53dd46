import NarrativeCore

/// NarrativeWatch's SQLite database: feeds and their fetch state, items, the per-narrative
/// series with their exposure, evaluations and alerts. WAL mode, so `history` and friends
/// read while the daemon writes.
public final class NarrativeDatabase {
    let db: SQLiteConnection
    public var path: String { db.path }

    /// Opens (creating when needed) and migrates the database.
    /// - Parameter bucketWidth: the series' bucket width in seconds; a database keeps the one it was created with.
    public init(path: String, bucketWidth: Int) throws(StoreError) {
        db = try SQLiteConnection(path: path)
        // auto_vacuum only takes effect on a database without tables: new files give back the
        // pages that pruning frees, a little at a time (`prune`). It is set only there, as setting
        // it takes the write lock, which another process may hold. Statement journals in memory:
        // in a temporary file they cost a write for every page an upsert touches. A page cache of
        // 512 KiB instead of 2 MiB: ingest touches the newest pages, the kernel caches the file
        // anyway, and SQLite's default was most of the daemon's heap after an hour.
        if try db.prepare("SELECT count(*) FROM sqlite_master").rows([], { $0.int(0) }).first == 0 {
            try db.execute("PRAGMA auto_vacuum=INCREMENTAL")
        }
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-512;")
        try migrate()
        try checkBucketWidth(bucketWidth)
    }

    /// Opens an existing database for queries only.
    public init(readingAt path: String) throws(StoreError) {
        db = try SQLiteConnection(path: path, readOnly: true)
        let applied = try db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'").rows { $0.int(0) }
        guard applied.first == 1 else {
            throw StoreError("an SQLite database, but not NarrativeWatch's")
        }
        let names = Set(try db.prepare("SELECT name FROM schema_migrations").rows { $0.text(0) ?? "" })
        guard Schema.migrations.allSatisfy({ names.contains($0.name) }) else {
            throw StoreError("written by an older NarrativeWatch; run `narrative-watch poll-once` (or the daemon) once to upgrade it")
        }
    }

    private func migrate() throws(StoreError) {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations(name TEXT PRIMARY KEY, applied INTEGER NOT NULL)")
        let applied = Set(try db.prepare("SELECT name FROM schema_migrations").rows { $0.text(0) ?? "" })
        for migration in Schema.migrations where !applied.contains(migration.name) {
            try db.transaction { () throws(StoreError) in
                try db.execute(migration.sql)
                try db.prepare("INSERT INTO schema_migrations(name, applied) VALUES (?, strftime('%s','now'))").run([.text(migration.name)])
            }
        }
    }

    private func checkBucketWidth(_ width: Int) throws(StoreError) {
        let stored = try db.prepare("SELECT value FROM meta WHERE key = 'bucket_seconds'").rows { $0.text(0) }.first ?? nil
        if let stored {
            guard stored == String(width) else {
                throw StoreError(code: 0, message: "the database holds \(ConfigUnits.format(seconds: Int(stored) ?? 0)) buckets but the configuration asks for \(ConfigUnits.format(seconds: width)); keep detection.bucket or start a new database", context: "",
                                 contradictsConfiguration: true)
            }
        } else {
            try db.prepare("INSERT INTO meta(key, value) VALUES ('bucket_seconds', ?)").run([.text(String(width))])
        }
    }

    /// The bucket width the series were stored with; nil when unknown, or not a width the
    /// configuration allows, as in a damaged file.
    public func bucketWidth() throws(StoreError) -> Int? {
        let stored = try db.prepare("SELECT value FROM meta WHERE key = 'bucket_seconds'").rows { $0.text(0).flatMap { Int($0) } }.first ?? nil
        return stored.flatMap { Configuration.Detection.isValidBucket($0) ? $0 : nil }
    }

    // MARK: Feeds

    public func feedStates() throws(StoreError) -> [FeedState] {
        try db.prepare("""
            SELECT url, title, etag, last_modified, last_poll, last_success, consecutive_errors, last_error, items_total,
                next_poll, error_class, disabled, fetch_url
            FROM feeds ORDER BY id
            """).rows { r in
            FeedState(url: r.text(0) ?? "", title: r.text(1), etag: r.text(2), lastModified: r.text(3), lastPoll: r.optionalInt(4),
                      lastSuccess: r.optionalInt(5), consecutiveErrors: Int(r.int(6)), lastError: r.text(7), itemsTotal: Int(r.int(8)),
                      nextPoll: r.optionalInt(9), errorClass: r.text(10), disabled: r.int(11) != 0, fetchURL: r.text(12))
        }
    }

    private func feedID(_ url: String) throws(StoreError) -> Int64 {
        try db.prepare("INSERT OR IGNORE INTO feeds(url) VALUES (?)").run([.text(url)])
        return try db.prepare("SELECT id FROM feeds WHERE url = ?").rows([.text(url)]) { $0.int(0) }[0]
    }

    /// Runs several writes as one transaction. Each write inside stays all or nothing on its
    /// own, but they reach the disk together: a poll that stores many feeds at once then writes
    /// each changed page once instead of once per feed.
    public func inOneTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try db.transaction(body)
    }

    /// Stores one successful poll: new items, their counts and the feed's state, all or nothing.
    /// Items the feed already delivered are skipped, so re-polling never counts twice; an item
    /// that is a story already stored from another feed (same global guid, canonical link, or
    /// title within 48 hours) adds that feed to the story's sources and counts nothing again.
    /// - Returns: how many items were new to this feed.
    @discardableResult
    public func ingest(_ batch: IngestBatch) throws(StoreError) -> Int {
        try db.transaction { () throws(StoreError) -> Int in
            let feed = try feedID(batch.feedURL)
            let statements = try IngestStatements(db)
            var added = 0
            for item in batch.items {
                try statements.insertItem.run([.int(feed), .text(item.key), .optionalText(item.title), .optionalText(item.link),
                                               .optionalInt(item.published), .int(batch.fetchedAt), .int(item.bucketStart)])
                guard db.changes == 1 else { continue }
                let itemID = db.lastInsertRowID
                added += 1
                if let story = try existingStory(item, statements) {
                    try statements.linkItem.run([.int(story), .int(itemID)])
                    try statements.addStoryFeed.run([.int(story), .int(feed)])
                    if db.changes == 1 { try statements.countSource.run([.int(story)]) }
                    continue
                }
                try statements.insertStory.run([.optionalText(item.story.guid), .optionalText(item.story.canonicalLink),
                                                .optionalText(item.story.titleKey), .int(item.published ?? item.bucketStart)])
                let story = db.lastInsertRowID
                try statements.linkItem.run([.int(story), .int(itemID)])
                try statements.addStoryFeed.run([.int(story), .int(feed)])
                try statements.addExposure.run([.int(item.bucketStart)])
                try statements.addDailyExposure.run([.int(Self.day(item.bucketStart))])
                for (narrative, mentions) in item.mentions.sorted(by: { $0.key < $1.key }) where mentions > 0 {
                    try statements.addSeries.run([.text(narrative), .int(item.bucketStart), .integer(mentions),
                                                  .integer(item.hyped.contains(narrative) ? 1 : 0)])
                    try statements.addDailySeries.run([.text(narrative), .int(Self.day(item.bucketStart)), .integer(mentions),
                                                       .integer(item.hyped.contains(narrative) ? 1 : 0)])
                    let terms = JSONValue.array((item.terms[narrative] ?? []).map(JSONValue.string)).serialized()
                    try statements.addMention.run([.text(narrative), .int(itemID), .integer(mentions), .text(terms)])
                }
            }
            try db.prepare("""
                UPDATE feeds SET title = coalesce(?, title), etag = ?, last_modified = ?, last_poll = ?, last_success = ?,
                    consecutive_errors = 0, last_error = NULL, error_class = NULL, items_total = items_total + ?
                WHERE id = ?
                """).run([.optionalText(batch.feedTitle), .optionalText(batch.etag), .optionalText(batch.lastModified),
                          .int(batch.fetchedAt), .int(batch.fetchedAt), .integer(added), .int(feed)])
            return added
        }
    }

    /// The story an item repeats: by global guid, then canonical link, then title within the window.
    private func existingStory(_ item: IngestItem, _ s: IngestStatements) throws(StoreError) -> Int64? {
        if let guid = item.story.guid, let id = try s.storyByGuid.rows([.text(guid)], { $0.int(0) }).first { return id }
        if let link = item.story.canonicalLink, let id = try s.storyByLink.rows([.text(link)], { $0.int(0) }).first { return id }
        if let title = item.story.titleKey {
            let at = item.published ?? item.bucketStart
            let window = StoryIdentity.titleWindow
            if let id = try s.storyByTitle.rows([.text(title), .int(at - window), .int(at + window)], { $0.int(0) }).first { return id }
        }
        return nil
    }

    /// Records a poll answered with 304 Not Modified.
    public func recordNotModified(feedURL: String, at time: Int64) throws(StoreError) {
        try db.transaction { () throws(StoreError) in
            let feed = try feedID(feedURL)
            try db.prepare("UPDATE feeds SET last_poll = ?, last_success = ?, consecutive_errors = 0, last_error = NULL, error_class = NULL WHERE id = ?")
                .run([.int(time), .int(time), .int(feed)])
        }
    }

    /// Records a failed poll. A failure that is the network's, not the feed's, is noted
    /// without counting against the feed.
    /// - Parameter feedTitle: the configured name, so a feed that never answered is known by it.
    /// - Returns: the feed's consecutive failures, this one included.
    @discardableResult
    public func recordFailure(feedURL: String, feedTitle: String? = nil, at time: Int64, error: String, errorClass: String = "other",
                              countsAgainstFeed: Bool = true) throws(StoreError) -> Int {
        try db.transaction { () throws(StoreError) -> Int in
            let feed = try feedID(feedURL)
            try db.prepare("""
                UPDATE feeds SET title = coalesce(?, title), last_poll = ?, consecutive_errors = consecutive_errors + ?, last_error = ?,
                    error_class = ? WHERE id = ?
                """).run([.optionalText(feedTitle), .int(time), .integer(countsAgainstFeed ? 1 : 0), .text(error), .text(errorClass), .int(feed)])
            return Int(try db.prepare("SELECT consecutive_errors FROM feeds WHERE id = ?").rows([.int(feed)]) { $0.int(0) }[0])
        }
    }

    /// Sets when a feed is polled next (seconds since 1970); nil disables it (410 Gone).
    public func schedule(feedURL: String, nextPoll: Int64?) throws(StoreError) {
        let feed = try feedID(feedURL)
        try db.prepare("UPDATE feeds SET next_poll = ?, disabled = ? WHERE id = ?")
            .run([.optionalInt(nextPoll), .integer(nextPoll == nil ? 1 : 0), .int(feed)])
    }

    /// Remembers a feed's new address after a permanent redirect; later polls go there.
    public func redirect(feedURL: String, to newURL: String) throws(StoreError) {
        let feed = try feedID(feedURL)
        try db.prepare("UPDATE feeds SET fetch_url = ? WHERE id = ?").run([.text(newURL), .int(feed)])
    }

    /// Distinct feeds that carried the story of the item at `link` in `feedURL`.
    public func storySources(feedURL: String, link: String) throws(StoreError) -> Int? {
        try db.prepare("""
            SELECT s.sources FROM items i JOIN feeds f ON f.id = i.feed_id JOIN stories s ON s.id = i.story_id
            WHERE f.url = ? AND i.link = ?
            """).rows([.text(feedURL), .text(link)]) { Int($0.int(0)) }.first
    }

    // MARK: Series

    /// Whether the database has judged or counted this narrative; one index lookup.
    public func knows(narrative: String) throws(StoreError) -> Bool {
        try !db.prepare("""
            SELECT 1 FROM detection_cursor WHERE narrative = ?1 UNION ALL SELECT 1 FROM series WHERE narrative = ?1 LIMIT 1
            """).rows([.text(narrative)]) { $0.int(0) }.isEmpty
    }

    /// Every narrative the database has judged or counted, including ones since removed from the
    /// configuration. Reads the whole series: for messages, not for every command.
    public func narratives() throws(StoreError) -> Set<String> {
        Set(try db.prepare("SELECT narrative FROM detection_cursor UNION SELECT narrative FROM series").rows { $0.text(0) }.compactMap { $0 })
    }

    /// Start of the first bucket holding any item.
    public func firstDataBucket() throws(StoreError) -> Int64? {
        try db.prepare("SELECT min(bucket_start) FROM exposure").rows { $0.optionalInt(0) }.first ?? nil
    }

    /// All-items counts per bucket start in [from, to].
    public func exposure(from: Int64, to: Int64) throws(StoreError) -> [Int64: Int] {
        var out: [Int64: Int] = [:]
        for (start, items) in try db.prepare("SELECT bucket_start, items FROM exposure WHERE bucket_start BETWEEN ? AND ?")
            .rows([.int(from), .int(to)], { ($0.int(0), Int($0.int(1))) }) {
            out[start] = items
        }
        return out
    }

    /// Matching-item counts of one narrative per bucket start in [from, to].
    public func matched(narrative: String, from: Int64, to: Int64) throws(StoreError) -> [Int64: Int] {
        var out: [Int64: Int] = [:]
        for (start, matched) in try db.prepare("SELECT bucket_start, matched FROM series WHERE narrative = ? AND bucket_start BETWEEN ? AND ?")
            .rows([.text(narrative), .int(from), .int(to)], { ($0.int(0), Int($0.int(1))) }) {
            out[start] = matched
        }
        return out
    }

    /// Buckets of one narrative in [from, to] that were evaluated as spikes.
    public func spikeBuckets(narrative: String, from: Int64, to: Int64) throws(StoreError) -> Set<Int64> {
        Set(try db.prepare("SELECT bucket_start FROM evaluations WHERE narrative = ? AND spike = 1 AND bucket_start BETWEEN ? AND ?")
            .rows([.text(narrative), .int(from), .int(to)]) { $0.int(0) })
    }

    /// Start of the UTC day holding `time`.
    static func day(_ time: Int64) -> Int64 { time - ((time % 86_400) + 86_400) % 86_400 }

    /// The narrative's series in [from, to] by UTC day, from the daily roll-up: one point per
    /// day that holds any item. `expected` sums the day's evaluated buckets; `score` is their highest.
    public func dailyPoints(narrative: String, from: Int64, to: Int64) throws(StoreError) -> [SeriesPoint] {
        try db.prepare("""
            SELECT e.day, e.items, coalesce(s.matched, 0), coalesce(s.mentions, 0), s.expected, s.score, coalesce(s.spike, 0), coalesce(s.hyped, 0)
            FROM daily_exposure e LEFT JOIN daily_series s ON s.narrative = ?1 AND s.day = e.day
            WHERE e.day BETWEEN ?2 AND ?3
            ORDER BY e.day
            """).rows([.text(narrative), .int(Self.day(from)), .int(to)]) { r in
            SeriesPoint(start: r.int(0), items: Int(r.int(1)), matched: Int(r.int(2)), mentions: Int(r.int(3)),
                        expected: r.optionalDouble(4), score: r.optionalDouble(5), spike: r.int(6) != 0, hyped: Int(r.int(7)))
        }
    }

    /// The narrative's series in [from, to], one point per bucket that holds any item.
    /// A bucket not judged yet (still filling, or waiting for a feed) that has raised an alert
    /// already is a spike, with the expectation and score it was raised with.
    public func points(narrative: String, from: Int64, to: Int64) throws(StoreError) -> [SeriesPoint] {
        try db.prepare("""
            SELECT e.bucket_start, e.items, coalesce(s.matched, 0), coalesce(s.mentions, 0),
                coalesce(v.expected, a.expected), coalesce(v.score, a.score),
                coalesce(v.spike, a.id IS NOT NULL OR EXISTS (SELECT 1 FROM alerts r WHERE r.narrative = ?1 AND r.state != 'rising'
                                                              AND r.resumed_bucket = e.bucket_start)),
                coalesce(s.hyped, 0)
            FROM exposure e
            LEFT JOIN series s ON s.narrative = ?1 AND s.bucket_start = e.bucket_start
            LEFT JOIN evaluations v ON v.narrative = ?1 AND v.bucket_start = e.bucket_start
            -- An alert's id is its narrative and bucket: at most one per bucket.
            LEFT JOIN alerts a ON v.bucket_start IS NULL AND a.narrative = ?1 AND a.bucket_start = e.bucket_start AND a.state != 'rising'
            WHERE e.bucket_start BETWEEN ?2 AND ?3
            ORDER BY e.bucket_start
            """).rows([.text(narrative), .int(from), .int(to)]) { r in
            SeriesPoint(start: r.int(0), items: Int(r.int(1)), matched: Int(r.int(2)), mentions: Int(r.int(3)),
                        expected: r.optionalDouble(4), score: r.optionalDouble(5), spike: r.int(6) != 0, hyped: Int(r.int(7)))
        }
    }

    // MARK: Detection

    /// Where detection of a narrative stands: the newest evaluated bucket, the alert it has
    /// firing, and the detector's learnt baseline.
    public func detectionCursor(narrative: String) throws(StoreError) -> (lastEvaluated: Int64, firing: AlertRecord?, baseline: SeriesBaseline?)? {
        let rows = try db.prepare("SELECT last_evaluated, firing_alert, baseline FROM detection_cursor WHERE narrative = ?")
            .rows([.text(narrative)]) { ($0.int(0), $0.text(1), $0.text(2)) }
        guard let (last, firingID, baseline) = rows.first else { return nil }
        let firing = try firingID.flatMap { (id) throws(StoreError) -> AlertRecord? in try alert(id: id) }
        return (last, firing, baseline.flatMap(SeriesBaseline.decoded))
    }

    /// The narrative's newest resolved spike alert, which a new spike within the cooldown reopens.
    public func lastResolvedAlert(narrative: String) throws(StoreError) -> AlertRecord? {
        try db.prepare("SELECT \(Self.alertColumns) FROM alerts WHERE narrative = ? AND state = 'resolved' ORDER BY bucket_start DESC LIMIT 1")
            .rows([.text(narrative)], Self.alertRecord).first
    }

    /// Distinct feeds that carried the narrative's stories in a bucket.
    public func sources(narrative: String, bucketStart: Int64) throws(StoreError) -> Int {
        try db.prepare("""
            SELECT count(DISTINCT sf.feed_id) FROM item_mentions m JOIN items i ON i.id = m.item_id
            JOIN story_feeds sf ON sf.story_id = i.story_id
            WHERE m.narrative = ? AND i.bucket_start = ?
            """).rows([.text(narrative), .int(bucketStart)]) { Int($0.int(0)) }.first ?? 0
    }

    /// What lies behind a narrative's bucket: the distinct feeds that carried its stories,
    /// the top stories, and the terms that hit, most items first.
    public func evidence(narrative: String, bucketStart: Int64, limit: Int) throws(StoreError) -> (sources: Int, top: [TopItem], terms: [String]) {
        let sources = try sources(narrative: narrative, bucketStart: bucketStart)
        let top = try db.prepare("""
            SELECT coalesce(i.title, ''), coalesce(i.link, ''), coalesce(f.title, f.url)
            FROM item_mentions m JOIN items i ON i.id = m.item_id JOIN feeds f ON f.id = i.feed_id
            LEFT JOIN stories s ON s.id = i.story_id
            WHERE m.narrative = ? AND i.bucket_start = ?
            ORDER BY coalesce(s.sources, 1) DESC, m.mentions DESC, i.published DESC, i.id
            LIMIT ?
            """).rows([.text(narrative), .int(bucketStart), .integer(limit)]) {
            TopItem(title: $0.text(0) ?? "", link: $0.text(1) ?? "", feed: $0.text(2) ?? "")
        }
        let termLists = try db.prepare("""
            SELECT m.terms FROM item_mentions m JOIN items i ON i.id = m.item_id WHERE m.narrative = ? AND i.bucket_start = ?
            """).rows([.text(narrative), .int(bucketStart)]) { TopItemsColumn.strings($0.text(0) ?? "[]") }
        var counts: [String: Int] = [:]
        for list in termLists { for term in list { counts[term, default: 0] += 1 } }
        let terms = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit).map(\.key)
        return (sources, top, terms)
    }

    /// Spike episodes of a narrative whose first bucket lies in [from, to], oldest first:
    /// their first bucket and peak lift.
    public func episodes(narrative: String, from: Int64, to: Int64) throws(StoreError) -> [(start: Int64, lift: Double)] {
        try db.prepare("""
            SELECT bucket_start, lift FROM alerts WHERE narrative = ? AND state != 'rising' AND bucket_start BETWEEN ? AND ?
            ORDER BY bucket_start
            """).rows([.text(narrative), .int(from), .int(to)]) { ($0.int(0), $0.double(1)) }
    }

    /// Stores the outcome of one detection pass over one narrative, all or nothing:
    /// its evaluations, the alerts it started or changed, and its new cursor.
    /// `outbox`: webhook messages for the alerts' state changes, stored in the same transaction so none is lost.
    public func recordDetection(narrative: String, evaluations: [EvaluationRecord], alerts: [AlertRecord],
                                lastEvaluated: Int64, firingAlert: String?, baseline: SeriesBaseline,
                                outbox: [OutboxMessage] = []) throws(StoreError) {
        try db.transaction { () throws(StoreError) in
            try insertOutbox(outbox)
            let evaluation = try db.prepare("INSERT OR IGNORE INTO evaluations(narrative, bucket_start, expected, score, spike) VALUES (?, ?, ?, ?, ?)")
            let daily = try db.prepare("""
                INSERT INTO daily_series(narrative, day, expected, score, spike) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(narrative, day) DO UPDATE SET expected = coalesce(expected, 0) + excluded.expected,
                    score = max(coalesce(score, 0), excluded.score), spike = max(spike, excluded.spike)
                """)
            for record in evaluations {
                let values: [Statement.Value] = [.text(narrative), .int(record.bucketStart), .double(record.evaluation.expected),
                                                 .double(record.evaluation.score), .integer(record.evaluation.isSpike ? 1 : 0)]
                try evaluation.run(values)
                // A bucket is evaluated once; the daily roll-up adds it once too.
                guard db.changes == 1 else { continue }
                try daily.run([values[0], .int(Self.day(record.bucketStart)), values[2], values[3], values[4]])
            }
            let upsert = try db.prepare("""
                INSERT OR REPLACE INTO alerts(id, narrative, state, started, ended, bucket_start, last_spike_bucket, observed,
                    expected, lift, score, spikes_90d, previous, sources, top_items, terms, previous_lift, median_gap, resumed_bucket)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for a in alerts {
                let e = a.episode
                let top = JSONValue.array(a.topItems.map { .object([("title", .string($0.title)), ("link", .string($0.link)), ("feed", .string($0.feed))]) })
                try upsert.run([.text(e.id), .text(e.narrative), .text(e.state.rawValue), .int(e.started), .optionalInt(e.ended),
                                .int(e.bucketStart), .int(e.lastSpikeBucket), .integer(e.observed), .double(e.expected), .double(e.lift),
                                .double(e.score), .integer(a.spikesIn90Days), .optionalInt(a.previous), .integer(a.sources),
                                .text(top.serialized()), .text(JSONValue.array(a.terms.map(JSONValue.string)).serialized()),
                                a.previousLift.map { .double($0) } ?? .null, .optionalInt(a.medianGap), .optionalInt(e.resumedBucket)])
            }
            try db.prepare("INSERT OR REPLACE INTO detection_cursor(narrative, last_evaluated, firing_alert, baseline) VALUES (?, ?, ?, ?)")
                .run([.text(narrative), .int(lastEvaluated), .optionalText(firingAlert), .text(baseline.encoded())])
        }
    }

    /// Every story behind a narrative's bucket, with the feeds that carried it.
    public func stories(narrative: String, bucketStart: Int64) throws(StoreError) -> [(item: TopItem, sources: [String], terms: [String])] {
        try db.prepare("""
            SELECT coalesce(i.title, ''), coalesce(i.link, ''), coalesce(f.title, f.url), m.terms,
                (SELECT group_concat(coalesce(f2.title, f2.url), '\u{1F}') FROM story_feeds sf JOIN feeds f2 ON f2.id = sf.feed_id WHERE sf.story_id = i.story_id)
            FROM item_mentions m JOIN items i ON i.id = m.item_id JOIN feeds f ON f.id = i.feed_id
            WHERE m.narrative = ? AND i.bucket_start = ?
            ORDER BY m.mentions DESC, i.published DESC, i.id
            """).rows([.text(narrative), .int(bucketStart)]) { r in
            (TopItem(title: r.text(0) ?? "", link: r.text(1) ?? "", feed: r.text(2) ?? ""),
             (r.text(4) ?? "").split(separator: "\u{1F}").map(String.init), TopItemsColumn.strings(r.text(3) ?? "[]"))
        }
    }

    // MARK: Retention

    /// What pruning removes: the text of old items and their per-narrative mentions.
    public struct PruneCount: Sendable, Equatable {
        public let items: Int
        public let mentions: Int

        public init(items: Int, mentions: Int) {
            self.items = items
            self.mentions = mentions
        }
    }

    /// Counts (with `dryRun`) or removes the raw content of items in buckets before `cutoff`
    /// (seconds since 1970): titles, links and per-item mentions go; each item's key stays, so
    /// a feed that delivers an old item again never gets it counted twice. Series,
    /// evaluations, alerts and stories are kept. Freed pages go back to the file system.
    @discardableResult
    public func prune(before cutoff: Int64, dryRun: Bool) throws(StoreError) -> PruneCount {
        let old = "SELECT id FROM items WHERE bucket_start < ?1 AND (title IS NOT NULL OR link IS NOT NULL)"
        let items = Int(try db.prepare("SELECT count(*) FROM (\(old))").rows([.int(cutoff)]) { $0.int(0) }.first ?? 0)
        let mentions = Int(try db.prepare("SELECT count(*) FROM item_mentions WHERE item_id IN (SELECT id FROM items WHERE bucket_start < ?1)")
            .rows([.int(cutoff)]) { $0.int(0) }.first ?? 0)
        guard !dryRun else { return PruneCount(items: items, mentions: mentions) }
        try db.transaction { () throws(StoreError) in
            try db.prepare("DELETE FROM item_mentions WHERE item_id IN (SELECT id FROM items WHERE bucket_start < ?1)").run([.int(cutoff)])
            try db.prepare("UPDATE items SET title = NULL, link = NULL WHERE id IN (\(old))").run([.int(cutoff)])
        }
        try db.execute("PRAGMA incremental_vacuum")
        return PruneCount(items: items, mentions: mentions)
    }

    // MARK: Alerts

    private static let alertColumns = """
        id, narrative, state, started, ended, bucket_start, last_spike_bucket, observed, expected, lift, score,
        spikes_90d, previous, sources, top_items, terms, previous_lift, median_gap, resumed_bucket
        """

    public func alert(id: String) throws(StoreError) -> AlertRecord? {
        try db.prepare("SELECT \(Self.alertColumns) FROM alerts WHERE id = ?").rows([.text(id)], Self.alertRecord).first
    }

    /// Alerts whose first bucket is at or after `since`, newest first, optionally of one narrative.
    public func alerts(since: Int64, narrative: String?) throws(StoreError) -> [AlertRecord] {
        try db.prepare("""
            SELECT \(Self.alertColumns) FROM alerts
            WHERE bucket_start >= ?1 AND (?2 IS NULL OR narrative = ?2)
            ORDER BY bucket_start DESC, narrative
            """).rows([.int(since), .optionalText(narrative)], Self.alertRecord)
    }

    private static func alertRecord(_ r: Row) -> AlertRecord {
        let episode = AlertEpisode(
            id: r.text(0) ?? "", narrative: r.text(1) ?? "", state: AlertEpisode.State(rawValue: r.text(2) ?? "") ?? .resolved,
            started: r.int(3), ended: r.optionalInt(4), bucketStart: r.int(5), lastSpikeBucket: r.int(6), observed: Int(r.int(7)),
            expected: r.double(8), lift: r.double(9), score: r.double(10), resumedBucket: r.optionalInt(18))
        return AlertRecord(episode: episode, spikesIn90Days: Int(r.int(11)), previous: r.optionalInt(12), sources: Int(r.int(13)),
                           topItems: TopItemsColumn.decode(r.text(14) ?? "[]"), terms: TopItemsColumn.strings(r.text(15) ?? "[]"),
                           previousLift: r.optionalDouble(16), medianGap: r.optionalInt(17))
    }
}

/// The statements one ingest runs for every item, prepared once per transaction.
private struct IngestStatements {
    let insertItem: Statement
    let linkItem: Statement
    let insertStory: Statement
    let addStoryFeed: Statement
    let countSource: Statement
    let storyByGuid: Statement
    let storyByLink: Statement
    let storyByTitle: Statement
    let addExposure: Statement
    let addSeries: Statement
    let addMention: Statement
    let addDailyExposure: Statement
    let addDailySeries: Statement

    init(_ db: SQLiteConnection) throws(StoreError) {
        insertItem = try db.prepare("""
            INSERT OR IGNORE INTO items(feed_id, key, title, link, published, fetched, bucket_start) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        linkItem = try db.prepare("UPDATE items SET story_id = ? WHERE id = ?")
        insertStory = try db.prepare("INSERT INTO stories(guid, canonical_link, title_key, published) VALUES (?, ?, ?, ?)")
        addStoryFeed = try db.prepare("INSERT OR IGNORE INTO story_feeds(story_id, feed_id) VALUES (?, ?)")
        countSource = try db.prepare("UPDATE stories SET sources = sources + 1 WHERE id = ?")
        storyByGuid = try db.prepare("SELECT id FROM stories WHERE guid = ? LIMIT 1")
        storyByLink = try db.prepare("SELECT id FROM stories WHERE canonical_link = ? LIMIT 1")
        storyByTitle = try db.prepare("SELECT id FROM stories WHERE title_key = ? AND published BETWEEN ? AND ? LIMIT 1")
        addExposure = try db.prepare("""
            INSERT INTO exposure(bucket_start, items) VALUES (?, 1) ON CONFLICT(bucket_start) DO UPDATE SET items = items + 1
            """)
        addSeries = try db.prepare("""
            INSERT INTO series(narrative, bucket_start, matched, mentions, hyped) VALUES (?, ?, 1, ?, ?)
            ON CONFLICT(narrative, bucket_start) DO UPDATE SET matched = matched + 1, mentions = mentions + excluded.mentions,
                hyped = hyped + excluded.hyped
            """)
        addMention = try db.prepare("INSERT INTO item_mentions(narrative, item_id, mentions, terms) VALUES (?, ?, ?, ?)")
        addDailyExposure = try db.prepare("""
            INSERT INTO daily_exposure(day, items) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET items = items + 1
            """)
        addDailySeries = try db.prepare("""
            INSERT INTO daily_series(narrative, day, matched, mentions, hyped) VALUES (?, ?, 1, ?, ?)
            ON CONFLICT(narrative, day) DO UPDATE SET matched = matched + 1, mentions = mentions + excluded.mentions,
                hyped = hyped + excluded.hyped
            """)
    }
}
