import ArgumentParser
import FoundationEssentials
import NarrativeCore
import Notify
import Pipeline
import SeriesStore
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
            // A secret the daemon could not use would only show when the first alert is sent. One
            // that is not a secret is a mistake; one this shell cannot read may still be readable
            // by the service (its credentials, its user), so that is a warning.
            var wrong: [String] = []
            // These lines name the file, the line and the key, as the loader's own do.
            let document = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { try? TOMLDocument.parse($0) }
            func at(_ key: String) -> String { document?.line(of: key).map { "\(path):\($0)" } ?? path }
            for (index, hook) in c.webhooks.enumerated() where hook.format == .standard && hook.secretFile == nil {
                Journal.writeStderr("\(at("webhooks[\(index)]")): warning: webhooks[\(index)] (\(hook.name)): no secret_file; its messages go out unsigned "
                    + "unless the service has a credential named webhook-\(hook.name)")
            }
            for (index, hook) in c.webhooks.enumerated() where Self.canCheckSecret(of: hook) {
                do {
                    _ = try WebhookSecret.key(for: hook)
                } catch .notASecret(let file) {
                    wrong.append("\(at("webhooks[\(index)].secret_file")): webhooks[\(index)].secret_file: \(file) does not hold a whsec_<base64> secret")
                } catch {
                    Journal.writeStderr("\(at("webhooks[\(index)].secret_file")): warning: webhooks[\(index)].secret_file: \(error) here; the service must be able to")
                }
            }
            // A database keeps the bucket width it was made with; the daemon would not start.
            let database = ConfigurationFile.databasePath(configured: c.storage.database, override: nil)
            if FileManager.default.fileExists(atPath: database), let stored = try? NarrativeDatabase(readingAt: database).bucketWidth(),
               stored != c.detection.bucket {
                wrong.append("\(at("detection.bucket")): detection.bucket: the database \(database) holds \(ConfigUnits.format(seconds: stored)) buckets, "
                    + "not \(ConfigUnits.format(seconds: c.detection.bucket)); keep its width or start a new database")
            }
            guard wrong.isEmpty else {
                Journal.writeStderr(wrong.joined(separator: "\n"))
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

        /// A relative secret_file, or one under /run/credentials, lives in the credentials directory
        /// systemd gives the running service, which a check from a shell does not have.
        static func canCheckSecret(of hook: Configuration.Webhook) -> Bool {
            guard let file = hook.secretFile else { return false }
            if !(ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] ?? "").isEmpty { return true }
            return file.hasPrefix("/") && !file.hasPrefix("/run/credentials/")
        }
    }
}
