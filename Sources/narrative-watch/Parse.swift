import ArgumentParser
import FeedParse
import FoundationEssentials
import NarrativeCore
import Pipeline

extension NarrativeWatch {
    struct Parse: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse feed files and print what was understood, as the ingester sees it.",
            discussion: """
            One JSON object per file (JSON Lines), or a table on a terminal. A directory stands for the feed files in it; '-' reads stdin. \
            With a configuration (given or found), each item also shows its narrative mentions.

            Examples:
              narrative-watch parse feed.xml
              curl -s https://cointelegraph.com/rss | narrative-watch parse -
              narrative-watch parse --summary corpus/
            """)

        @Argument(help: "Feed files, directories, or - for stdin.") var files: [String]
        @Option(name: .long, help: ArgumentHelp("Configuration file (for narrative mentions).", valueName: "path")) var config: String?
        @Option(help: "Output: table or json (default: table on a terminal, else json).") var format: OutputFormat?
        private var outputFormat: OutputFormat { .resolved(format) }
        @Flag(help: "Print only one line of totals: files, items, bytes, seconds.") var summary = false

        func validate() throws {
            guard format != .csv else { throw ValidationError("--format csv does not fit nested items; use json or table") }
        }

        func run() throws {
            let matcher = try narrativeMatcher()
            let paths = try expand(files)
            let started = Date()
            var totalItems = 0, totalBytes = 0, unreadable = 0
            for path in paths {
                let bytes: [UInt8]
                do {
                    bytes = try Files.read(path, limit: FeedParser.maximumDocumentSize)
                } catch {
                    // The other files are still read; the exit status tells a script that one was not.
                    warn("\(path): cannot read: \(error)")
                    unreadable += 1
                    if !summary, outputFormat == .json { emit(Self.failure(path, "cannot read: \(error)").serialized()) }
                    continue
                }
                totalBytes += bytes.count
                let result = Result { () throws(FeedParseError) in try FeedParser.parse(bytes) }
                if case .success(let feed) = result { totalItems += feed.items.count }
                guard !summary else { continue }
                switch outputFormat {
                case .table: emit(Self.table(path, result, matcher: matcher))
                default: emit(Self.json(path, result, matcher: matcher).serialized())
                }
            }
            if summary {
                let seconds = Date().timeIntervalSince(started)
                emit(JSONValue.object([("files", .int(paths.count - unreadable)), ("items", .int(totalItems)), ("bytes", .int(totalBytes)),
                                       ("seconds", .double(seconds))]).serialized())
            }
            if unreadable > 0 { throw ExitCode(66) }
        }

        /// The configuration's matcher when one is given or found; a broken given one is an error.
        private func narrativeMatcher() throws -> NarrativeMatcher? {
            let environment = ProcessInfo.processInfo.environment
            guard config != nil || (try? ConfigurationFile.locate(explicit: nil, environment: environment).get()) != nil else { return nil }
            do {
                let (configuration, _) = try ConfigurationFile.load(explicit: config)
                return NarrativeMatcher(narratives: configuration.narratives)
            } catch {
                throw fail(error.description, code: 78)
            }
        }

        private func expand(_ files: [String]) throws -> [String] {
            var out: [String] = []
            for file in files {
                if file != "-", Files.isDirectory(file) {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: file)) ?? []
                    out += names.filter { !$0.hasPrefix(".") }.sorted().map { "\(file)/\($0)" }.filter { !Files.isDirectory($0) }
                } else {
                    out.append(file)
                }
            }
            return out
        }

        static func json(_ path: String, _ result: Result<ParsedFeed, FeedParseError>, matcher: NarrativeMatcher?) -> JSONValue {
            switch result {
            case .failure(let error):
                return failure(path, error.description)
            case .success(let feed):
                return .object([
                    ("file", .string(path)), ("format", .string(feed.format.rawValue)), ("bozo", .bool(feed.bozo)),
                    ("error", .optional(feed.bozoMessage)),
                    ("feed", .object([("title", .optional(feed.title)), ("link", .optional(feed.link)), ("language", .optional(feed.language)),
                                      ("updated", .time(feed.updated))])),
                    ("items", .array(feed.items.map { item in
                        var fields: [(String, JSONValue)] = [
                            ("id", .optional(item.id)), ("title", .optional(item.title)), ("link", .optional(item.link)),
                            ("published", .time(item.published)), ("updated", .time(item.updated)), ("author", .optional(item.author)),
                            ("summary", .optional(item.summary)), ("content", .optional(item.content)),
                            ("categories", .array(item.categories.map(JSONValue.string))),
                        ]
                        if let matcher {
                            let mentions = matcher.mentions(in: ItemPreparation.matchableText(item))
                            fields.append(("narratives", .object(matcher.narrativeIDs.compactMap { id in mentions[id].map { (id, .int($0)) } })))
                        }
                        return .object(fields)
                    })),
                ])
            }
        }

        /// The line of a file that gave no feed, in the shape of one that did.
        static func failure(_ path: String, _ error: String) -> JSONValue {
            .object([("file", .string(path)), ("format", .null), ("bozo", .bool(true)), ("error", .string(error)),
                     ("feed", .object([("title", .null), ("link", .null), ("language", .null), ("updated", .null)])), ("items", .array([]))])
        }

        static func table(_ path: String, _ result: Result<ParsedFeed, FeedParseError>, matcher: NarrativeMatcher?) -> String {
            switch result {
            case .failure(let error): return "\(path): \(error)"
            case .success(let feed):
                var lines = ["\(path): \(feed.format.rawValue), \(feed.items.count) items\(feed.bozo ? " (recovered: \(feed.bozoMessage ?? ""))" : "") — \(feed.title ?? "untitled")"]
                for item in feed.items {
                    var line = "  \(item.published.map(Timestamp.iso8601) ?? "-")  \(item.title ?? "(no title)")"
                    if let matcher {
                        let mentions = matcher.mentions(in: ItemPreparation.matchableText(item))
                        let counted = matcher.narrativeIDs.compactMap { id in mentions[id].map { "\(id) \($0)" } }
                        if !counted.isEmpty { line += "  [\(counted.joined(separator: ", "))]" }
                    }
                    lines.append(line)
                }
                return lines.joined(separator: "\n")
            }
        }
    }
}
