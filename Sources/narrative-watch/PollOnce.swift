import ArgumentParser
import Pipeline
import SeriesStore
import Webhooks

extension NarrativeWatch {
    struct PollOnce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "poll-once",
            abstract: "Poll every feed once, ingest, detect and notify, then exit.",
            discussion: "Webhook messages are tried once; those that fail stay queued for the daemon. Exit status 0 even when some feeds fail (they are reported); non-zero when the database cannot be written.\n\nExample:\n  narrative-watch poll-once --config Config/narrative-watch.toml")

        @OptionGroup var options: DaemonOptions

        func run() async throws {
            let (configuration, path, logger) = try options.prepare()
            do {
                let db = try NarrativeDatabase(path: path, bucketWidth: configuration.detection.bucket)
                let report = try await PollCycle(configuration: configuration, logger: logger).run(database: db)
                // One delivery attempt for what is due; what fails stays in the outbox for the daemon or the next run.
                let delivered = configuration.webhooks.isEmpty ? 0 : try await WebhookDelivery(
                    client: WebhookClient(userAgent: Product.userAgent), logger: logger).deliverDue(database: db, hooks: configuration.webhooks)
                logger.notice("""
                    polled \(report.feedsPolled) feeds (\(report.feedsFailed) failed, \(report.feedsNotModified) not modified), \
                    \(report.newItems) new items, \(report.notices.count) alert changes, \(delivered) webhook messages delivered
                    """)
            } catch {
                throw fail(database: path, error)
            }
        }
    }
}
