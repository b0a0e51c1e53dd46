import FeedFetch
import FeedParse
import Foundation
import Logging
import NarrativeCore
import Notify
import SeriesStore
import Webhooks

/// One full cycle: fetch the given feeds, parse, match and store each in its own
/// transaction, then detect and tell the journal. A feed that fails is recorded and
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
        detection = DetectionStage(parameters: configuration.detection)
    }

    public struct Report: Sendable {
        public var feedsPolled = 0
        public var feedsFailed = 0
        public var feedsNotModified = 0
        public var newItems = 0
        public var notices: [DetectionStage.Notice] = []
    }

    /// Polls `feeds` (default: all configured), then runs detection at `now()`.
    public func run(database: NarrativeDatabase, feeds: [Configuration.Feed]? = nil,
                    now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) async throws(StoreError) -> Report {
        let feeds = feeds ?? configuration.feeds
        var report = Report()
        let states = Dictionary(try database.feedStates().map { ($0.url, $0) }, uniquingKeysWith: { a, _ in a })
        let requests = feeds.map { FetchRequest(url: $0.url, etag: states[$0.url]?.etag, lastModified: states[$0.url]?.lastModified) }
        let results = await fetcher.fetchAll(requests)
        for (feed, result) in zip(feeds, results) {
            report.feedsPolled += 1
            let fetchedAt = now()
            let previousErrors = states[feed.url]?.consecutiveErrors ?? 0
            do {
                let response = try result.get()
                if response.isNotModified {
                    try database.recordNotModified(feedURL: feed.url, at: fetchedAt)
                    report.feedsNotModified += 1
                    logger.debug("feed not modified", metadata: ["feed.url": "\(feed.url)"])
                } else {
                    let parsed = try FeedParser.parse(response.body, baseURL: response.effectiveURL)
                    let items = parsed.items.compactMap { preparation.prepare($0, fetchedAt: fetchedAt) }
                    let added = try database.ingest(IngestBatch(feedURL: feed.url, feedTitle: feed.name ?? parsed.title, fetchedAt: fetchedAt,
                                                                etag: response.etag, lastModified: response.lastModified, items: items))
                    report.newItems += added
                    if parsed.bozo {
                        logger.warning("feed is not well-formed; recovered what could be read",
                                       metadata: ["feed.url": "\(feed.url)", "feed.items": "\(parsed.items.count)", "parse.error": "\(parsed.bozoMessage ?? "")"])
                    }
                    logger.info("feed ingested", metadata: ["feed.url": "\(feed.url)", "feed.items": "\(parsed.items.count)", "feed.new_items": "\(added)"])
                }
                if previousErrors > 0 {
                    Journal.emit(AlertEvents.feedFields(url: feed.url, kind: .feedRecovered, detail: "", errorClass: nil, consecutiveErrors: 0))
                }
            } catch let error as StoreError {
                throw error
            } catch {
                report.feedsFailed += 1
                let (errorClass, detail) = Self.describe(error)
                let failures = try database.recordFailure(feedURL: feed.url, at: fetchedAt, error: "\(errorClass): \(detail)")
                logger.warning("feed failed: \(feed.url): \(detail)",
                               metadata: ["feed.url": "\(feed.url)", "error.class": "\(errorClass)", "feed.consecutive_errors": "\(failures)"])
                if failures == 1 {
                    Journal.emit(AlertEvents.feedFields(url: feed.url, kind: .feedFailing, detail: detail, errorClass: errorClass, consecutiveErrors: failures))
                }
            }
        }
        let hooks = configuration.webhooks
        let queued = now()
        report.notices = try detection.run(narratives: configuration.narratives.map(\.id), database: database, now: now()) { notice in
            switch notice.transition {
            case .started: WebhookPayload.messages(for: notice.record, kind: .spikeStarted, hooks: hooks, now: queued)
            case .resolved: WebhookPayload.messages(for: notice.record, kind: .spikeResolved, hooks: hooks, now: queued)
            case .updated: []
            }
        }
        for notice in report.notices {
            switch notice.transition {
            case .started:
                Journal.emit(AlertEvents.fields(for: notice.record, kind: .spikeStarted))
            case .resolved:
                Journal.emit(AlertEvents.fields(for: notice.record, kind: .spikeResolved))
            case .updated:
                logger.notice("\(AlertEvents.message(for: notice.record, kind: .spikeStarted)) (peak grew)",
                              metadata: ["narrative.id": "\(notice.record.episode.narrative)", "alert.id": "\(notice.record.episode.id)"])
            }
        }
        return report
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
