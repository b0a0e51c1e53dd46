import FoundationEssentials
import Glibc
import Logging
import NarrativeCore
import Notify
import SeriesStore
import ServiceLifecycle
import UnixSignals
import Webhooks

/// The daemon's main loop: every tick, poll the feeds that are due, ingest, detect, notify.
/// Tells systemd when it is ready, keeps `STATUS=` current, pings the watchdog from the loop
/// and through a cycle only while the cycle moves on (so a stuck one gets the service
/// restarted, a long one does not), re-reads the configuration on
/// SIGHUP, and stops between cycles on graceful shutdown.
public struct PollingService: Service {
    public let configuration: Configuration
    public let databasePath: String
    public let logger: Logger
    /// Seconds between two looks at which feeds are due: a feed is polled at most this late. A look
    /// is one small query, so it can be frequent.
    public let tick: Int
    /// Seconds between two prunings of items past `storage.item_retention`.
    static let pruneEvery: Int64 = 3600
    /// Reads the configuration again for a reload; throws when the new one is invalid.
    public let reload: @Sendable () throws -> Configuration
    /// The webhooks in force, replaced on reload.
    public let roster: WebhookRoster

    public init(configuration: Configuration, databasePath: String, logger: Logger, tick: Int = 10,
                roster: WebhookRoster? = nil, reload: @escaping @Sendable () throws -> Configuration) {
        self.configuration = configuration
        self.databasePath = databasePath
        self.logger = logger
        self.tick = tick
        self.reload = reload
        self.roster = roster ?? WebhookRoster(configuration.webhooks)
    }

    /// Why the loop woke up.
    enum Wake: Sendable { case tick, reload }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        do {
            try await withGracefulShutdownHandler {
                try await cancelWhenGracefulShutdown { [self] in try await loop(hangups: hangups) }
            } onGracefulShutdown: {
                ServiceManager.stopping()
            }
        } catch is CancellationError {
            // Graceful shutdown cancelled the wait between two cycles: a normal stop.
        }
        logger.notice("narrative-watch stopped")
    }

    /// Runs until cancelled; the database and the cycle live inside the loop's task.
    private func loop(hangups: UnixSignalsSequence) async throws {
        var configuration = configuration
        let database = try NarrativeDatabase(path: databasePath, bucketWidth: configuration.detection.bucket)
        let opened = FileIdentity.of(databasePath)
        var cycle = PollCycle(configuration: configuration, logger: logger)
        var lastPrune: Int64 = 0

        // Wake at least twice per watchdog period, so the pings come from this loop.
        let watchdog = ServiceManager.watchdogInterval
        let wakeEvery = min(Duration.seconds(tick), watchdog ?? .seconds(tick))
        let (wakes, wake) = AsyncStream.makeStream(of: Wake.self, bufferingPolicy: .bufferingNewest(4))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in hangups { wake.yield(.reload) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: wakeEvery)
                    wake.yield(.tick)
                }
            }
            ServiceManager.ready(status: try status(configuration, database))
            logger.notice("narrative-watch started", metadata: ["feeds": "\(configuration.feeds.count)", "narratives": "\(configuration.narratives.count)",
                                                              "webhooks": "\(configuration.webhooks.count)", "database": "\(databasePath)"])
            checkSecrets(configuration.webhooks)
            wake.yield(.tick)
            var trouble = DatabaseTrouble()
            // The configuration before a reload whose shorter intervals are not written yet.
            var toShorten: Configuration?
            for await event in wakes {
                if Task.isCancelled { break }
                if watchdog != nil { ServiceManager.watchdog() }
                if case .file = opened, case let current = FileIdentity.of(databasePath), current != opened, current != .unknown {
                    // Whatever it writes now goes to a file that is gone; a restart opens what is there.
                    let problem = "the file was removed or replaced while the daemon ran; it stops rather than write where nothing is kept"
                    logger.critical("database \(databasePath): \(problem)", metadata: ["database": "\(databasePath)"])
                    throw StoreError(problem)
                }
                if event == .reload {
                    if let new = reloaded(from: configuration) {
                        toShorten = toShorten ?? configuration
                        configuration = new
                        cycle = PollCycle(configuration: new, logger: logger)
                        roster.replace(with: new.webhooks)
                        checkSecrets(new.webhooks)
                    }
                    // Reading works while another process writes: systemd hears the reload is done.
                    ServiceManager.ready(status: (try? status(configuration, database)) ?? "reloaded")
                }
                let now = Int64(Date().timeIntervalSince1970)
                // A database that cannot be written for now (a lock another process holds, a full
                // disk) stops nothing: what failed was rolled back, and the cycle is tried again.
                guard now >= trouble.retryAt else { continue }
                do {
                    if let previous = toShorten {
                        for (url, next) in PollScheduler.shortened(from: previous, to: configuration, states: try database.feedStates()) {
                            try database.schedule(feedURL: url, nextPoll: next)
                        }
                        toShorten = nil
                    }
                    if now - lastPrune >= Self.pruneEvery {
                        let pruned = try database.prune(before: now - Int64(configuration.storage.itemRetention), dryRun: false)
                        if pruned.items > 0 {
                            logger.info("pruned items past their retention", metadata: ["items": "\(pruned.items)", "mentions": "\(pruned.mentions)"])
                        }
                        lastPrune = now
                    }
                    let due = PollScheduler.due(configuration.feeds, states: try database.feedStates(), at: now)
                    // After a failed try the cycle runs even with no feed due: its detection may not be stored yet.
                    if !due.isEmpty || trouble.failures > 0 {
                        let report = try await pollWatched(cycle, feeds: due, database: database, pingEvery: watchdog)
                        logger.log(level: report.newItems > 0 || report.feedsFailed > 0 ? .info : .debug, "cycle done",
                                   metadata: ["feeds.polled": "\(report.feedsPolled)", "feeds.failed": "\(report.feedsFailed)", "items.new": "\(report.newItems)"])
                        ServiceManager.status(try status(configuration, database))
                        // Hand the heap the cycle's parsing freed back to the system: between cycles the
                        // daemon's resident memory should be what it keeps, not what it once needed.
                        Heap.releaseFreed()
                    }
                    if trouble.failures > 0 {
                        logger.notice("database \(databasePath) can be written again; polling goes on", metadata: ["database": "\(databasePath)"])
                        trouble = DatabaseTrouble()
                    }
                } catch let error as StoreError {
                    guard let cause = error.passingCause else { throw error }
                    let wait = trouble.failed(at: now)
                    logger.error("database \(databasePath): \(cause) (\(error)); nothing was lost, the cycle is tried again in \(wait) s",
                                 metadata: ["database": "\(databasePath)", "database.failures": "\(trouble.failures)"])
                    ServiceManager.status("database cannot be written: \(cause); trying again in \(wait) s")
                }
            }
            group.cancelAll()
        }
    }

    /// Runs a poll cycle; with the watchdog armed, keeps pinging it through the cycle for as
    /// long as the cycle moves on (transfers running, feeds parsed, rounds stored), so a cycle
    /// longer than `WatchdogSec` is not mistaken for a hang, while one that hangs still is.
    private func pollWatched(_ cycle: PollCycle, feeds: [Configuration.Feed], database: NarrativeDatabase,
                             pingEvery: Duration?) async throws -> PollCycle.Report {
        guard let pingEvery else { return try await cycle.run(database: database, feeds: feeds) }
        let progress = CycleProgress()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: pingEvery)
                    if progress.isRecent(within: pingEvery * 2) { ServiceManager.watchdog() }
                }
            }
            defer { group.cancelAll() }
            return try await cycle.run(database: database, feeds: feeds, progress: progress)
        }
    }

    /// Says at once when a webhook's secret cannot be used, rather than at its first alert.
    private func checkSecrets(_ hooks: [Configuration.Webhook]) {
        for hook in hooks {
            do {
                if try WebhookSecret.key(for: hook) == nil, hook.format == .standard {
                    logger.warning("webhook \(hook.name): no secret; its messages go out without a webhook-signature",
                                   metadata: ["webhook.name": "\(hook.name)"])
                }
            } catch {
                logger.error("webhook \(hook.name): \(error); its messages wait, retried until it can be read or they are given up",
                             metadata: ["webhook.name": "\(hook.name)"])
            }
        }
    }

    /// The new configuration, or nil (with its problems logged) when it cannot replace the running one.
    private func reloaded(from current: Configuration) -> Configuration? {
        ServiceManager.reloading()
        let new: Configuration
        do {
            new = try reload()
        } catch {
            for line in "\(error)".split(separator: "\n") {
                logger.error("configuration reload refused, the running configuration stays: \(line)")
            }
            return nil
        }
        guard new.detection.bucket == current.detection.bucket else {
            logger.error("configuration reload refused, the running configuration stays: detection.bucket cannot change while running (the database holds \(ConfigUnits.format(seconds: current.detection.bucket)) buckets)")
            return nil
        }
        let before = Set(current.feeds.map(\.url)), after = Set(new.feeds.map(\.url))
        logger.notice("configuration reloaded", metadata: [
            "feeds": "\(new.feeds.count)", "feeds.added": "\(after.subtracting(before).count)", "feeds.removed": "\(before.subtracting(after).count)",
            "narratives": "\(new.narratives.count)", "webhooks": "\(new.webhooks.count)",
        ])
        return new
    }

    private func status(_ configuration: Configuration, _ database: NarrativeDatabase) throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        let urls = Set(configuration.feeds.map(\.url))
        let failing = try database.feedStates().filter { urls.contains($0.url) && $0.consecutiveErrors > 0 }.count
        // A wave that came back is the latest spike from the bucket it came back in.
        func heard(_ e: AlertEpisode) -> Int64 { max(e.started, e.resumedBucket ?? e.started) }
        let last = try database.alerts(since: now - 90 * 86_400, narrative: nil).map(\.episode).max { heard($0) < heard($1) }
        return StatusLine.text(feeds: configuration.feeds.count, failing: failing,
                               lastSpike: last.map { ($0.narrative, min(now, heard($0))) },
                               pendingWebhooks: try database.pendingOutboxCount(), now: now)
    }
}

/// Which file a path names (device and inode), to notice the database being removed or
/// replaced under the running daemon.
enum FileIdentity: Equatable {
    case file(device: UInt64, inode: UInt64)
    case missing
    /// `stat` failed for another reason (permissions, a stale handle): nothing is known.
    case unknown

    static func of(_ path: String) -> FileIdentity {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT ? .missing : .unknown }
        return .file(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}

/// When to try a database again that could not be written: at the next look (10 s), then
/// twice as long each time, at most 5 minutes. Pure.
struct DatabaseTrouble {
    private(set) var failures = 0
    private(set) var retryAt: Int64 = 0

    /// Counts a failure at `now`; returns the seconds until the next try.
    mutating func failed(at now: Int64) -> Int64 {
        failures += 1
        let wait = min(300, 10 << min(failures - 1, 5))
        retryAt = now + Int64(wait)
        return Int64(wait)
    }
}

/// The one-line `STATUS=` that `systemctl status` shows. Pure.
public enum StatusLine {
    /// e.g. "polling 42 feeds, 2 failing; last spike: ai 12 min ago".
    public static func text(feeds: Int, failing: Int, lastSpike: (narrative: String, at: Int64)?, pendingWebhooks: Int, now: Int64) -> String {
        var line = "polling \(feeds) feed\(feeds == 1 ? "" : "s"), \(failing) failing"
        if let lastSpike { line += "; last spike: \(lastSpike.narrative) \(ago(now - lastSpike.at)) ago" }
        if pendingWebhooks > 0 { line += "; \(pendingWebhooks) webhook message\(pendingWebhooks == 1 ? "" : "s") pending" }
        return line
    }

    /// A rounded age: "40 s", "12 min", "3 h", "2 days".
    static func ago(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        switch s {
        case ..<60: return "\(s) s"
        case ..<3600: return "\(s / 60) min"
        case ..<86_400: return "\(s / 3600) h"
        default: return "\(s / 86_400) day\(s / 86_400 == 1 ? "" : "s")"
        }
    }
}
