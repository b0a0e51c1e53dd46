import ArgumentParser
import NarrativeCore
import Pipeline

extension NarrativeWatch {
    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Validate the configuration and print a summary; exit 0, or 78 with one line per problem.",
            discussion: "Example:\n  narrative-watch check-config --config /etc/narrative-watch/narrative-watch.toml")

        @OptionGroup var configOptions: ConfigOptions

        func run() throws {
            let (c, path) = try configOptions.load()
            let d = c.detection
            emit("""
                \(path): OK
                  feeds:       \(c.feeds.count)
                  narratives:  \(c.narratives.count) (\(c.narratives.map(\.id).joined(separator: ", ")))
                  webhooks:    \(c.webhooks.count)\(c.webhooks.isEmpty ? "" : " (" + c.webhooks.map { "\($0.name): \($0.format.rawValue)" }.joined(separator: ", ") + ")")
                  database:    \(ConfigurationFile.databasePath(configured: c.storage.database, override: nil))
                  polling:     every \(ConfigUnits.format(seconds: c.polling.interval)), \(c.polling.concurrency) at once, \(c.polling.perHost) per host
                  detection:   \(ConfigUnits.format(seconds: d.bucket)) buckets, \(ConfigUnits.format(seconds: d.baseline)) baseline, \
                warm-up \(ConfigUnits.format(seconds: d.warmUp)), at least \(d.minCount) items and \(d.minLift)× lift
                """)
        }
    }
}
