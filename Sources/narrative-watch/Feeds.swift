import ArgumentParser
import FoundationEssentials
import NarrativeCore
import Notify
import Pipeline
import FeedParse
import SeriesStore

extension NarrativeWatch {
    struct Feeds: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every polled feed's health: last poll, last success, items, consecutive errors, next poll.",
            discussion: "Examples:\n  narrative-watch feeds --failing\n  narrative-watch feeds import-opml subscriptions.opml >> /etc/narrative-watch/narrative-watch.toml",
            subcommands: [ImportOPML.self])

        @OptionGroup var data: DataOptions
        @Flag(help: "Only feeds whose last poll failed.") var failing = false

        func run() throws {
            let path = try data.databasePath()
            // A feed removed from the configuration keeps its row (its items stay counted); it is
            // shown as such, not as overdue.
            let configured = try data.configurationUnlessDatabaseAlone().map { Set($0.feeds.map(\.url)) }
            func isRemoved(_ f: FeedState) -> Bool { configured.map { !$0.contains(f.url) } ?? false }
            do {
                let feeds = try NarrativeDatabase(readingAt: path).feedStates().filter { !failing || $0.consecutiveErrors > 0 }
                switch data.outputFormat {
                case .json:
                    emit(JSONValue.array(feeds.map { f in
                        .object([("url", .string(f.url)), ("title", .optional(f.title)), ("last_poll", .time(f.lastPoll)),
                                 ("last_success", .time(f.lastSuccess)), ("items", .int(f.itemsTotal)),
                                 ("consecutive_errors", .int(f.consecutiveErrors)), ("last_error", .optional(f.lastError)),
                                 ("error_class", .optional(f.errorClass)), ("next_poll", .time(f.nextPoll)), ("disabled", .bool(f.disabled)),
                                 ("fetch_url", .optional(f.fetchURL)), ("configured", configured == nil ? .null : .bool(!isRemoved(f)))])
                    }).serialized())
                case .csv:
                    emit(([CSV.line(["url", "title", "last_poll", "last_success", "items", "consecutive_errors", "last_error", "next_poll", "disabled"])] + feeds.map { f in
                        CSV.line([f.url, f.title ?? "", f.lastPoll.map(Timestamp.iso8601) ?? "", f.lastSuccess.map(Timestamp.iso8601) ?? "",
                                  String(f.itemsTotal), String(f.consecutiveErrors), f.lastError ?? "", f.nextPoll.map(Timestamp.iso8601) ?? "",
                                  f.disabled ? "true" : "false"])
                    }).joined(separator: "\n"))
                case .table:
                    var table = TextTable(header: ["feed", "last poll", "last success", "items", "errors", "next poll", "last error"], rightAligned: [3, 4])
                    for f in feeds {
                        let error = f.lastError ?? ""
                        table.rows.append([f.title ?? f.url, f.lastPoll.map(Timestamp.iso8601) ?? "-", f.lastSuccess.map(Timestamp.iso8601) ?? "-",
                                           String(f.itemsTotal), String(f.consecutiveErrors),
                                           isRemoved(f) ? "not configured" : f.disabled ? "disabled (410)" : f.nextPoll.map(Timestamp.iso8601) ?? "-",
                                           error.count > 60 ? error.prefix(59) + "…" : error])
                    }
                    emit(feeds.isEmpty ? "no feeds polled yet" : table.render())
                }
            } catch {
                throw fail("database \(path): \(error)")
            }
        }
    }
}

extension NarrativeWatch.Feeds {
    struct ImportOPML: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-opml",
            abstract: "Print the [[feeds]] blocks for the subscriptions of an OPML file.",
            discussion: """
            Feeds the configuration (--config, or the usual one) has already are left out and named on stderr.
            Example:
              narrative-watch feeds import-opml subscriptions.opml >> narrative-watch.toml
            """)

        @Argument(help: "The OPML file, or - for stdin.") var file: String
        /// Its `--config`: the feeds of that configuration (or of the usual one, when there is
        /// one) are left out, so the output can be appended to it.
        @ParentCommand var feeds: NarrativeWatch.Feeds

        func run() throws {
            let bytes: [UInt8]
            do {
                bytes = try Files.read(file, limit: FeedParser.maximumDocumentSize)
            } catch {
                throw fail("\(file): cannot read: \(error)", code: 66)
            }
            let subscriptions: [OPMLReader.Subscription]
            do {
                subscriptions = try OPMLReader.subscriptions(bytes)
            } catch {
                throw fail("\(file): \(error)", code: 65)
            }
            let configured: Set<String>
            do {
                configured = Set(try ConfigurationFile.load(explicit: feeds.data.configOptions.config).0.feeds.map { Configuration.feedIdentity($0.url) })
            } catch .notFound {
                configured = []
            } catch {
                Journal.writeStderr(error.description)
                throw ExitCode(78)
            }
            // Only what the configuration accepts: a feed it would refuse is named on stderr instead.
            var blocks = "", seen = Set<String>(), imported = 0
            for s in subscriptions {
                if let problem = Configuration.urlProblem(s.url) {
                    warn("\(file): skipped: \(problem)")
                    continue
                }
                if configured.contains(Configuration.feedIdentity(s.url)) {
                    warn("\(file): skipped: '\(s.url)' is configured already")
                    continue
                }
                guard seen.insert(Configuration.feedIdentity(s.url)).inserted else {
                    warn("\(file): skipped: '\(s.url)' is listed twice")
                    continue
                }
                blocks += "\n[[feeds]]\nurl = \(Self.quoted(s.url))\n"
                if let title = s.title { blocks += "name = \(Self.quoted(title))\n" }
                imported += 1
            }
            let out = "# \(imported) feeds imported from \(file)\n" + blocks
            emit(out)
        }

        /// A TOML basic string: a title's line breaks become spaces, other control characters
        /// (which TOML does not allow raw) escapes.
        static func quoted(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\\": out += "\\\\"
                case "\"": out += "\\\""
                case "\n", "\r": out += " "
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
    }
}
