import ArgumentParser
import Logging
import Pipeline
import ServiceLifecycle

extension NarrativeWatch {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daemon in the foreground: poll on schedule, ingest, detect, notify.",
            discussion: "Stops cleanly on SIGTERM or SIGINT.\n\nExample:\n  narrative-watch run --config Config/narrative-watch.toml --database var/narrative-watch.sqlite")

        @OptionGroup var configOptions: ConfigOptions
        @Option(name: .long, help: ArgumentHelp("Database file (overrides the configuration).", valueName: "path"))
        var database: String?
        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: Logger.Level = .info

        func run() async throws {
            let (configuration, _) = try configOptions.load()
            Logs.bootstrap(level: logLevel)
            let logger = Logger(label: "narrative-watch")
            let path = ConfigurationFile.databasePath(configured: configuration.storage.database, override: database)
            try DatabaseDirectory.ensure(for: path)
            let service = PollingService(configuration: configuration, databasePath: path, logger: logger)
            let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
