import FoundationEssentials
import Logging
import SeriesStore
import ServiceLifecycle

/// Delivers the outbox in the background, so a slow receiver never holds up polling.
/// Looks for due messages every `interval`; stops between two passes on graceful shutdown.
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

    /// The connection lives inside the loop's task.
    private func loop() async throws {
        let database = try NarrativeDatabase(path: databasePath, bucketWidth: bucketWidth)
        while !Task.isCancelled {
            let hooks = roster.current
            if try !hooks.isEmpty || database.pendingOutboxCount() > 0 {
                try await delivery.deliverDue(database: database, hooks: hooks)
            }
            try await Task.sleep(for: interval)
        }
    }
}
