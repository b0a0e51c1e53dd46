import Foundation
import Logging
import NarrativeCore
import Notify
import SeriesStore
import ServiceLifecycle

/// The daemon's main loop: every tick, poll the feeds that are due, ingest, detect, notify.
/// Stops between cycles on graceful shutdown; a cycle in flight finishes its transaction.
public struct PollingService: Service {
    public let configuration: Configuration
    public let databasePath: String
    public let logger: Logger
    /// Seconds between two looks at which feeds are due.
    public let tick: Int
    /// Seconds between two prunings of items past `storage.item_retention`.
    static let pruneEvery: Int64 = 3600

    public init(configuration: Configuration, databasePath: String, logger: Logger, tick: Int = 30) {
        self.configuration = configuration
        self.databasePath = databasePath
        self.logger = logger
        self.tick = tick
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [self] in try await loop() }
        } catch is CancellationError {
            // Graceful shutdown cancelled the sleep between two cycles: a normal stop.
        }
        ServiceManager.notify("STOPPING=1")
        logger.notice("narrative-watch stopped")
    }

    /// Runs until cancelled; the database and the cycle live inside the loop's task.
    private func loop() async throws {
        let database = try NarrativeDatabase(path: databasePath, bucketWidth: configuration.detection.bucket)
        let cycle = PollCycle(configuration: configuration, logger: logger)
        ServiceManager.notify("READY=1\nSTATUS=polling \(configuration.feeds.count) feeds")
        logger.notice("narrative-watch started", metadata: ["feeds": "\(configuration.feeds.count)", "narratives": "\(configuration.narratives.count)", "database": "\(databasePath)"])
        var lastPrune: Int64 = 0
        while !Task.isCancelled {
            let now = Int64(Date().timeIntervalSince1970)
            if now - lastPrune >= Self.pruneEvery {
                let pruned = try database.prune(before: now - Int64(configuration.storage.itemRetention), dryRun: false)
                if pruned.items > 0 {
                    logger.info("pruned items past their retention", metadata: ["items": "\(pruned.items)", "mentions": "\(pruned.mentions)"])
                }
                lastPrune = now
            }
            let due = PollScheduler.due(configuration.feeds, states: try database.feedStates(), at: Int64(Date().timeIntervalSince1970))
            if !due.isEmpty {
                let report = try await cycle.run(database: database, feeds: due)
                logger.info("cycle done", metadata: ["feeds.polled": "\(report.feedsPolled)", "feeds.failed": "\(report.feedsFailed)", "items.new": "\(report.newItems)"])
                ServiceManager.notify("STATUS=polling \(configuration.feeds.count) feeds, \(report.feedsFailed) failing in the last cycle")
            }
            try await Task.sleep(for: .seconds(tick))
        }
    }
}
