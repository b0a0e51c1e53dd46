import ArgumentParser
import FoundationEssentials
import NarrativeCore
import Pipeline
import SeriesStore

extension NarrativeWatch {
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete raw items older than storage.item_retention (the daemon does this hourly); series and alerts stay.",
            discussion: "Examples:\n  narrative-watch prune --dry-run\n  narrative-watch prune --older-than 30d")

        @OptionGroup var configOptions: ConfigOptions
        @Option(name: .long, help: ArgumentHelp("Database file (overrides the configuration).", valueName: "path")) var database: String?
        @Option(help: "Prune items older than this (default: storage.item_retention).") var olderThan: String?
        @Flag(help: "Only say what would go.") var dryRun = false

        func run() throws {
            let (configuration, _) = try configOptions.load()
            var retention = configuration.storage.itemRetention
            if let olderThan {
                guard let seconds = ConfigUnits.seconds(olderThan) else { throw fail("--older-than '\(olderThan)' is not a duration (e.g. 30d)", code: 64) }
                retention = seconds
            }
            let path = ConfigurationFile.databasePath(configured: configuration.storage.database, override: database)
            let cutoff = Int64(Date().timeIntervalSince1970) - Int64(retention)
            do throws(StoreError) {
                // Only a database that is there: a wrong path or configuration must not leave a new, empty one behind.
                _ = try NarrativeDatabase(readingAt: path)
                let db = try NarrativeDatabase(path: path, bucketWidth: configuration.detection.bucket)
                let count = try db.prune(before: cutoff, dryRun: dryRun)
                emit("\(dryRun ? "would prune" : "pruned") the text of \(count.items) items (\(count.mentions) mentions) counted before \(Timestamp.iso8601(cutoff)); series and alerts are kept")
            } catch {
                throw fail(database: path, error)
            }
        }
    }
}
