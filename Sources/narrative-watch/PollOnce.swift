import ArgumentParser
import Pipeline
import SeriesStore

extension NarrativeWatch {
    struct PollOnce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "poll-once",
            abstract: "Poll every feed once, ingest, detect and notify, then exit.",
            discussion: "Exit status 0 even when some feeds fail (they are reported); non-zero when the database cannot be written.\n\nExample:\n  narrative-watch poll-once --config Config/narrative-watch.toml")

        @OptionGroup var options: DaemonOptions

        func run() async throws {
            let (configuration, path, logger) = try options.prepare()
            do {
                let db = try NarrativeDatabase(path: path, bucketWidth: configuration.detection.bucket)
                let report = try await PollCycle(configuration: configuration, logger: logger).run(database: db)
                logger.notice("""
                    polled \(report.feedsPolled) feeds (\(report.feedsFailed) failed, \(report.feedsNotModified) not modified), \
                    \(report.newItems) new items, \(report.notices.count) alert changes
                    """)
            } catch {
                throw fail("database \(path): \(error)")
            }
        }
    }
}
