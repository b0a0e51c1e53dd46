import FeedFetch
import FeedParse
import FoundationEssentials
import Logging
import NarrativeCore
import Notify
import SeriesStore
import Webhooks

/// One full cycle: fetch the given feeds, parse and match them on every core, store each
/// feed all or nothing, then detect and tell the journal. A feed that fails is recorded and
/// reported; it never stops the others.
public struct PollCycle {
    public let configuration: Configuration
    public let fetcher: FeedFetcher
    public let preparation: ItemPreparation
    public let detection: DetectionStage
    public let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let p = configuration.polling
        fetcher = FeedFetcher(options: FetchOptions(timeout: p.timeout, maxBody: p.maxBody, concurrency: p.concurrency,
                                                    perHost: p.perHost, userAgent: Product.userAgent))
        preparation = ItemPreparation(narratives: configuration.narratives, bucketing: Bucketing(width: configuration.detection.bucket))
        detection = DetectionStage(parameters: configuration.detection,
                                   lateArrival: configuration.feeds.map { $0.effectiveInterval(configuration.polling) }.max() ?? 0)
    }

    /// Failed polls in a row after which a feed is reported failing in the journal (and its
    /// recovery after): one failure is often a hiccup, and a feed that fails every other poll
    /// would raise an error-level entry each time. 410 Gone is reported at once.
    static let failingAfter = 2

    /// Workers that parse and match at once: one per core.
    static let parallelism = max(1, ProcessInfo.processInfo.activeProcessorCount)

    public struct Report: Sendable {
        public var feedsPolled = 0
        public var feedsFailed = 0
        public var feedsNotModified = 0
        public var newItems = 0
        public var notices: [DetectionStage.Notice] = []
        /// What the feeds being stored have to say (log lines, journal entries): said once their
        /// writes are committed, so a transaction that fails and is tried again says nothing twice.
        var told: [@Sendable () -> Void] = []
    }

    /// Runs `body` in one transaction, then says what it had to say; a failed one says nothing.
    private func committing(_ database: NarrativeDatabase, _ report: inout Report,
                            _ body: (inout Report) throws(StoreError) -> Void) throws(StoreError) {
        defer { report.told.removeAll() }
        try database.inOneTransaction { () throws(StoreError) in try body(&report) }
        for tell in report.told { tell() }
    }

    /// Polls `feeds` (default: every configured feed that is not disabled), then runs detection
    /// at `now()`. `jitter` spreads next-poll times (a number in [-1, 1]; random by default).
    /// `progress` is marked whenever the cycle moves on.
    public func run(database: NarrativeDatabase, feeds: [Configuration.Feed]? = nil, progress: CycleProgress? = nil,
                    now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
                    jitter: @Sendable () -> Double = { Double.random(in: -1...1) }) async throws(StoreError) -> Report {
        var report = Report()
        let states = Dictionary(try database.feedStates().map { ($0.url, $0) }, uniquingKeysWith: { a, _ in a })
        let feeds = (feeds ?? configuration.feeds).filter { feed in
            guard states[feed.url]?.disabled == true else { return true }
            logger.debug("feed disabled after 410 Gone; not polled", metadata: ["feed.url": "\(feed.url)"])
            return false
        }
        let requests = feeds.map { feed in
            FetchRequest(url: states[feed.url]?.fetchURL ?? feed.url, etag: states[feed.url]?.etag, lastModified: states[feed.url]?.lastModified)
        }
        // Feeds are parsed as their transfers end, while others still download, and stored as
        // they are parsed: whatever is ready when the store is free goes in one transaction.
        // Fetch failures wait for the end of the cycle: only then is it known whether the
        // network itself was down.
        var failures: [(Configuration.Feed, PreparedPoll)] = []
        var successes = 0
        let rounds = Rounds<PreparedPoll>()
        let fetches = fetcher.stream(requests, heartbeat: { progress?.mark() })
        var storeError: StoreError?
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [preparation] in
                await PreparedPoll.prepareAll(fetches, parallelism: Self.parallelism, preparation: preparation, now: now,
                                             progress: progress, into: rounds)
            }
            while storeError == nil, let round = await rounds.next() {
                do throws(StoreError) {
                    try committing(database, &report) { (report) throws(StoreError) in
                        for poll in round {
                            if case .fetchFailed = poll.outcome {
                                failures.append((feeds[poll.index], poll))
                            } else {
                                successes += 1
                                try handle(feeds[poll.index], poll, state: states[feeds[poll.index].url], networkDown: false,
                                           database: database, jitter: jitter, into: &report)
                            }
                        }
                    }
                    progress?.mark()
                } catch {
                    storeError = error
                    group.cancelAll()
                }
            }
        }
        if let storeError { throw storeError }
        let failedClasses = failures.map { _, poll -> String? in
            if case .fetchFailed(let error) = poll.outcome { return error.errorClass }
            return nil
        }
        // What the last polls of the other feeds said before this cycle: was the network already
        // down? A feed's own earlier failures say nothing about the network (its host may be dead).
        let failing = Set(failures.map(\.0.url))
        let configured = configuration.feeds.compactMap { states[$0.url] }.filter { !$0.disabled }
        let newestSuccess = configured.compactMap(\.lastSuccess).max()
        let lastPolls = configured.filter { !failing.contains($0.url) }.map { ($0.lastPoll, $0.lastSuccess, $0.errorClass) }
        let wasDown = PollSchedule.networkWasDown(lastPolls, newestSuccess: newestSuccess)
        let networkDown = successes == 0 && PollSchedule.isNetworkOutage(failedClasses, alreadyDown: wasDown)
        try committing(database, &report) { (report) throws(StoreError) in
            if networkDown {
                // Logged at error when first seen: the cycles before counted one failure at most.
                let known = PollSchedule.networkWasDown(lastPolls, newestSuccess: newestSuccess, polls: 2)
                let classes = Set(failedClasses.compactMap { $0 }).sorted().joined(separator: ", ")
                report.told.append { [logger, count = feeds.count] in
                    logger.log(level: known ? .info : .error,
                               "network \(known ? "still " : "")unreachable: all \(count) feeds failed (\(classes)); no feed is marked failing for it")
                }
            } else if successes > 0, PollSchedule.networkWasDown(lastPolls, newestSuccess: newestSuccess, polls: 2) {
                report.told.append { [logger, successes] in logger.notice("network reachable again: \(successes) feed\(successes == 1 ? "" : "s") answered") }
            }
            for (feed, poll) in failures {
                try handle(feed, poll, state: states[feed.url], networkDown: networkDown, database: database, jitter: jitter, into: &report)
            }
        }
        let hooks = configuration.webhooks
        let queued = now()
        // Buckets closed before every feed's newest poll hold all their items.
        let urls = Set(configuration.feeds.map(\.url))
        let polledSince = PollSchedule.everyFeedPolledSince(try database.feedStates().filter { urls.contains($0.url) && !$0.disabled }
            .map { ($0.lastPoll, $0.consecutiveErrors > 0) })
        // Each narrative's alerts are told once its detection is committed: one that fails after
        // another was stored must not take the stored one's journal entry with it.
        report.notices = try detection.run(narratives: configuration.narratives.map(\.id), database: database, now: now(),
                                           polledSince: polledSince, committed: tell) { notice in
            switch notice.transition {
            case .started, .resumed: WebhookPayload.messages(for: notice.record, kind: .spikeStarted, hooks: hooks, now: queued)
            case .resolved: WebhookPayload.messages(for: notice.record, kind: .spikeResolved, hooks: hooks, now: queued)
            case .updated, .rising: []
            }
        }
        return report
    }

    /// Journal entries for stored alert changes; a peak that grew is a log line.
    private func tell(_ notices: [DetectionStage.Notice]) {
        for notice in notices {
            switch notice.transition {
            case .started, .resumed:
                Journal.emit(AlertEvents.fields(for: notice.record, kind: .spikeStarted))
            case .resolved:
                Journal.emit(AlertEvents.fields(for: notice.record, kind: .spikeResolved))
            case .rising:
                Journal.emit(AlertEvents.fields(for: notice.record, kind: .narrativeRising))
            case .updated:
                logger.notice("\(AlertEvents.message(for: notice.record, kind: .spikeStarted)) (peak grew)",
                              metadata: ["narrative.id": "\(notice.record.episode.narrative)", "alert.id": "\(notice.record.episode.id)"])
            }
        }
    }

    /// Records one feed's poll: ingest and schedule, or the failure and its backoff.
    private func handle(_ feed: Configuration.Feed, _ poll: PreparedPoll, state: FeedState?, networkDown: Bool,
                        database: NarrativeDatabase, jitter: @Sendable () -> Double, into report: inout Report) throws(StoreError) {
        report.feedsPolled += 1
        let fetchedAt = poll.fetchedAt
        let previousErrors = state?.consecutiveErrors ?? 0
        let schedule = PollSchedule(interval: feed.effectiveInterval(configuration.polling), maxInterval: configuration.polling.maxInterval,
                                    maxBackoff: configuration.polling.maxBackoff)
        let response: FetchResponse
        let prepared: PreparedFeed?
        switch poll.outcome {
        case .fetchFailed(let error):
            return try recordFailure(feed, error, at: fetchedAt, schedule: schedule, networkDown: networkDown, database: database,
                                     jitter: jitter, into: &report)
        case .unreadable(_, let error):
            return try recordFailure(feed, error, at: fetchedAt, schedule: schedule, networkDown: networkDown, database: database,
                                     jitter: jitter, into: &report)
        case .notModified(let answer):
            (response, prepared) = (answer, nil)
        case .fresh(let answer, let parsed):
            (response, prepared) = (answer, parsed)
        }
        var hints = ServerHints(maxAge: Self.maxAge(response.cacheControl))
        if let expires = response.expires.flatMap(FeedDate.parse) {
            let reference = response.date.flatMap(FeedDate.parse) ?? fetchedAt
            hints.expiresIn = Int(max(0, expires - reference))
        }
        if let moved = response.permanentRedirect, moved != state?.fetchURL {
            try database.redirect(feedURL: feed.url, to: moved)
            report.told.append { [logger] in
                logger.notice("feed moved permanently; polling its new address", metadata: ["feed.url": "\(feed.url)", "feed.new_url": "\(moved)"])
            }
        }
        if let prepared {
            hints.feedPeriod = prepared.refreshPeriod
            let added = try database.ingest(IngestBatch(feedURL: feed.url, feedTitle: feed.name ?? prepared.title, fetchedAt: fetchedAt,
                                                        etag: response.etag, lastModified: response.lastModified, items: prepared.items))
            report.newItems += added
            let (bozo, bozoMessage, parsedItems) = (prepared.bozo, prepared.bozoMessage ?? "", prepared.parsedItems)
            report.told.append { [logger] in
                if bozo {
                    logger.warning("feed is not well-formed; recovered what could be read",
                                   metadata: ["feed.url": "\(feed.url)", "feed.items": "\(parsedItems)", "parse.error": "\(bozoMessage)"])
                }
                // Only news is worth a line at info level: a poll that brought nothing new is a debug line.
                logger.log(level: added > 0 ? .info : .debug, "feed ingested",
                           metadata: ["feed.url": "\(feed.url)", "feed.items": "\(parsedItems)", "feed.new_items": "\(added)"])
            }
            try database.schedule(feedURL: feed.url, nextPoll: schedule.nextPoll(after: fetchedAt, outcome: .fresh, consecutiveErrors: 0,
                                                                                 hints: hints, jitter: jitter()))
        } else {
            try database.recordNotModified(feedURL: feed.url, at: fetchedAt)
            report.feedsNotModified += 1
            report.told.append { [logger] in logger.debug("feed not modified", metadata: ["feed.url": "\(feed.url)"]) }
            try database.schedule(feedURL: feed.url, nextPoll: schedule.nextPoll(after: fetchedAt, outcome: .notModified, consecutiveErrors: 0,
                                                                                 hints: hints, jitter: jitter()))
        }
        if previousErrors >= Self.failingAfter {
            let entry = AlertEvents.feedFields(url: feed.url, name: feed.name, kind: .feedRecovered, detail: "", errorClass: nil,
                                               consecutiveErrors: previousErrors, lastSuccess: state?.lastSuccess)
            report.told.append { Journal.emit(entry) }
        }
    }

    /// Records a failed poll and when to try again; 410 Gone stops polling the feed.
    private func recordFailure(_ feed: Configuration.Feed, _ error: any Error, at fetchedAt: Int64, schedule: PollSchedule, networkDown: Bool,
                               database: NarrativeDatabase, jitter: @Sendable () -> Double, into report: inout Report) throws(StoreError) {
        report.feedsFailed += 1
        let (errorClass, detail) = Self.describe(error)
        let failures = try database.recordFailure(feedURL: feed.url, feedTitle: feed.name, at: fetchedAt, error: "\(errorClass): \(detail)", errorClass: errorClass,
                                                  countsAgainstFeed: !networkDown)
        var retryAfter: Int?
        if case .http(let status, let header)? = error as? FetchError {
            if status == 410 {
                try database.schedule(feedURL: feed.url, nextPoll: nil)
                let entry = AlertEvents.feedFields(url: feed.url, name: feed.name, kind: .feedFailing, detail: "gone (HTTP 410); polling stopped",
                                                   errorClass: errorClass, consecutiveErrors: failures)
                report.told.append { [logger] in
                    logger.error("feed is gone (HTTP 410) and is no longer polled; remove it from the configuration",
                                 metadata: ["feed.url": "\(feed.url)"])
                    Journal.emit(entry)
                }
                return
            }
            retryAfter = header.flatMap { RetryAfter.seconds($0, now: fetchedAt) }
        }
        let next = networkDown
            ? fetchedAt + Int64(min(60, schedule.interval))
            : schedule.nextPoll(after: fetchedAt, outcome: .failed(errorClass: errorClass, retryAfter: retryAfter),
                                consecutiveErrors: failures, jitter: jitter())
        try database.schedule(feedURL: feed.url, nextPoll: next)
        guard !networkDown else { return }
        let entry = failures == Self.failingAfter ? AlertEvents.feedFields(url: feed.url, name: feed.name, kind: .feedFailing, detail: detail,
                                                           errorClass: errorClass, consecutiveErrors: failures) : nil
        report.told.append { [logger] in
            logger.warning("feed failed: \(feed.url): \(detail)",
                           metadata: ["feed.url": "\(feed.url)", "error.class": "\(errorClass)", "feed.consecutive_errors": "\(failures)",
                                      "feed.next_poll": "\(next.map(Timestamp.iso8601) ?? "-")"])
            if let entry { Journal.emit(entry) }
        }
    }

    /// `max-age` (or `s-maxage`) of a Cache-Control header, in seconds.
    static func maxAge(_ header: String?) -> Int? {
        guard let header else { return nil }
        for directive in header.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmedWhitespace.lowercased() }
            if parts.count == 2, parts[0] == "max-age" || parts[0] == "s-maxage", let v = Int(parts[1]), v >= 0 { return v }
        }
        return nil
    }

    static func describe(_ error: any Error) -> (errorClass: String, detail: String) {
        switch error {
        case let e as FetchError: (e.errorClass, e.description)
        case let e as FeedParseError:
            switch e {
            case .notAFeed: ("not-a-feed", e.description)
            case .empty: ("empty", e.description)
            case .unreadable: ("unreadable", e.description)
            }
        default: ("other", "\(error)")
        }
    }
}

/// The product's name and version as it presents itself.
public enum Product {
    public static let version = "0.1.0"
    public static let userAgent = "NarrativeWatch/\(version) (self-hosted feed watcher)"
}
