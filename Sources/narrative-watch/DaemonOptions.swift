import ArgumentParser
import FoundationEssentials
import Logging
import NarrativeCore
import Pipeline

/// What `run` and `poll-once` share: the configuration, the database, logging.
struct DaemonOptions: ParsableArguments {
    @OptionGroup var configOptions: ConfigOptions
    @Option(name: .long, help: ArgumentHelp("Database file (overrides the configuration).", valueName: "path"))
    var database: String?
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// Loads the configuration, starts logging and makes sure the database's directory exists.
    func prepare() throws -> (Configuration, databasePath: String, Logger) {
        let (configuration, _) = try configOptions.load()
        Logs.bootstrap(level: logLevel)
        let path = ConfigurationFile.databasePath(configured: configuration.storage.database, override: database)
        try ensureDirectory(for: path)
        return (configuration, path, Logger(label: "narrative-watch"))
    }

    /// Creates the database's directory when missing, so `./var/` works on a fresh clone; only
    /// that one, so a mistyped path fails instead of quietly starting an empty history elsewhere.
    private func ensureDirectory(for path: String) throws {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        guard !directory.isEmpty, !Files.isDirectory(directory) else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        } catch {
            throw fail("cannot create the database directory \(directory): \(Files.reason(error))")
        }
    }
}
