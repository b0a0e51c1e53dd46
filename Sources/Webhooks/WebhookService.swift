import FoundationEssentials
import Logging
import NarrativeCore
import SeriesStore
import ServiceLifecycle
import Synchronization

/// Delivers the outbox in the background, so a slow receiver never holds up polling.
/// Looks for due messages every `interval` and sends to each receiver from a task of its own,
/// with its own connection: one that hangs holds up neither the others nor the next look.
/// Stops on graceful shutdown.
public struct WebhookService: Service {
    public let databasePath: String
    public let bucketWidth: Int
    public let roster: WebhookRoster
    public let delivery: WebhookDelivery
    public let interval: Duration

    public init(databasePath: String, bucketWidth: Int, roster: WebhookRoster, delivery: WebhookDelivery, interval: Duration = .seconds(1)) {
        self.databasePath = databasePath
        self.bucketWidth = bucketWidth
        self.roster = roster
        self.delivery = delivery
        self.interval = interval
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [self] in try await loop() }
        } catch is CancellationError {
            // Shutdown between two passes.
        }
    }

    /// The connection lives inside the loop's task; each sending task opens its own.
    private func loop() async throws {
        let database = try NarrativeDatabase(path: databasePath, bucketWidth: bucketWidth)
        let sending = Sending()
        // A discarding group: a finished sending task leaves nothing behind to collect.
        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let hooks = roster.current
                let due: [(hook: Configuration.Webhook, entries: [OutboxEntry])]
                let busy = sending.names.withLock { $0 }
                do throws(StoreError) {
                    let pending = try database.pendingOutboxCount()
                    due = hooks.isEmpty && pending == 0 ? [] : try delivery.due(database: database, hooks: hooks, skipping: busy, now: Self.now)
                } catch {
                    // A lock held elsewhere or a full disk: the messages wait in the outbox for the next look.
                    guard let cause = error.passingCause else { throw error }
                    delivery.logger.error("webhooks: database \(databasePath): \(cause) (\(error)); messages wait for the next look")
                    due = []
                }
                for (hook, entries) in due {
                    sending.names.withLock { _ = $0.insert(hook.name) }
                    group.addTask { [self] in
                        defer { sending.names.withLock { _ = $0.remove(hook.name) } }
                        do {
                            let connection = try NarrativeDatabase(path: databasePath, bucketWidth: bucketWidth)
                            try await delivery.deliver(entries, to: hook, database: connection, now: Self.now)
                        } catch {
                            // The messages stay queued and are tried again on a later look.
                            delivery.logger.error("webhook \(hook.name): delivery stopped: \(error)", metadata: ["webhook.name": "\(hook.name)"])
                        }
                    }
                }
                try await Task.sleep(for: interval)
            }
            group.cancelAll()
        }
    }

    static let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    /// The hooks a task is sending to right now.
    private final class Sending: Sendable {
        let names = Mutex<Set<String>>([])
    }
}
