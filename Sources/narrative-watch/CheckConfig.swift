import ArgumentParser
import FoundationEssentials
import NarrativeCore
import Notify
import Pipeline
import Webhooks

extension NarrativeWatch {
    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Validate the configuration and print a summary; exit 0, or 78 with one line per problem.",
            discussion: "Example:\n  narrative-watch check-config --config /etc/narrative-watch/narrative-watch.toml")

        @OptionGroup var configOptions: ConfigOptions

        func run() throws {
            let (c, path) = try configOptions.load()
            // A secret the daemon could not read would only show when the first alert is sent.
            let unreadable = c.webhooks.compactMap { hook -> String? in
                guard Self.canCheckSecret(of: hook) else { return nil }
                do {
                    _ = try WebhookSecret.key(for: hook)
                    return nil
                } catch {
                    return "\(path): webhook '\(hook.name)': \(error)"
                }
            }
            guard unreadable.isEmpty else {
                Journal.writeStderr(unreadable.joined(separator: "\n"))
                throw ExitCode(78)
            }
            if c.feeds.isEmpty { Journal.writeStderr("\(path): warning: no [[feeds]]; the daemon would have nothing to poll") }
            if c.narratives.isEmpty { Journal.writeStderr("\(path): warning: no [[narratives]]; items would be counted but nothing detected") }
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

        /// A relative secret_file lives in the $CREDENTIALS_DIRECTORY systemd gives the service,
        /// which a check from a shell does not have.
        static func canCheckSecret(of hook: Configuration.Webhook) -> Bool {
            guard let file = hook.secretFile else { return false }
            return file.hasPrefix("/") || !(ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] ?? "").isEmpty
        }
    }
}
