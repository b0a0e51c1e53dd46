import ArgumentParser
import FoundationEssentials
import NarrativeCore
import Pipeline
import SeriesStore
import ServiceLifecycle
import Webhooks

extension NarrativeWatch {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daemon in the foreground: poll on schedule, ingest, detect, notify.",
            discussion: """
            Under systemd (Type=notify) it reports readiness, status and watchdog pings. SIGHUP re-reads the \
            configuration (an invalid one is refused and the running one kept); SIGTERM or SIGINT stop it cleanly.

            Example:
              narrative-watch run --config Config/narrative-watch.toml --database var/narrative-watch.sqlite
            """)

        @OptionGroup var options: DaemonOptions

        func run() async throws {
            Heap.limitArenas(to: 2)
            Heap.mapBlocks(from: 64 * 1024)
            let (configuration, path, logger) = try options.prepare()
            let configPath = try ConfigurationFile.locate(explicit: options.configOptions.config,
                                                          environment: ProcessInfo.processInfo.environment).get()
            do {
                // Created and migrated once here, before the services open their own connections.
                _ = try NarrativeDatabase(path: path, bucketWidth: configuration.detection.bucket)
            } catch {
                throw fail(database: path, error)
            }
            let roster = WebhookRoster(configuration.webhooks)
            let polling = PollingService(configuration: configuration, databasePath: path, logger: logger, roster: roster) {
                try ConfigurationFile.load(explicit: configPath).0
            }
            let delivery = WebhookDelivery(client: WebhookClient(userAgent: Product.userAgent), logger: logger)
            let webhooks = WebhookService(databasePath: path, bucketWidth: configuration.detection.bucket, roster: roster, delivery: delivery)
            let group = ServiceGroup(configuration: .init(services: [polling, webhooks], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
