import ArgumentParser
import Pipeline
import ServiceLifecycle

extension NarrativeWatch {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daemon in the foreground: poll on schedule, ingest, detect, notify.",
            discussion: "Stops cleanly on SIGTERM or SIGINT.\n\nExample:\n  narrative-watch run --config Config/narrative-watch.toml --database var/narrative-watch.sqlite")

        @OptionGroup var options: DaemonOptions

        func run() async throws {
            let (configuration, path, logger) = try options.prepare()
            let service = PollingService(configuration: configuration, databasePath: path, logger: logger)
            let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
