import ArgumentParser
import Foundation
import Logging
import Pipeline
import SeriesStore

extension NarrativeWatch {
    struct PollOnce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "poll-once",
            abstract: "Poll every feed once, ingest, detect and notify, then exit.",
            discussion: "Exit status 0 even when some feeds fail (they are reported); non-zero when the database cannot be written.\n\nExample:\n  narrative-watch poll-once --config Config/narrative-watch.toml")

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
            do {
                try DatabaseDirectory.ensure(for: path)
                let db = try NarrativeDatabase(path: path, bucketWidth: configuration.detection.bucket)
                let report = try await PollCycle(configuration: configuration, logger: logger).run(database: db)
                logger.notice("""
                    polled \(report.feedsPolled) feeds (\(report.feedsFailed) failed, \(report.feedsNotModified) not modified), \
                    \(report.newItems) new items, \(report.notices.count) alert changes
                    """)
            } catch let error as StoreError {
                throw fail("database \(path): \(error)")
            }
        }
    }
}

/// Creates the database's directory when missing, so `./var/` works on a fresh clone.
enum DatabaseDirectory {
    static func ensure(for path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw fail("cannot create the database directory \(directory): \(error.localizedDescription)")
        }
    }
}
