import ArgumentParser
import Foundation
import NarrativeCore
import SeriesStore

extension NarrativeWatch {
    struct Feeds: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every polled feed's health: last poll, last success, items, consecutive errors.",
            discussion: "Example:\n  narrative-watch feeds --failing")

        @OptionGroup var data: DataOptions
        @Flag(help: "Only feeds whose last poll failed.") var failing = false

        func run() throws {
            let path = try data.databasePath()
            do {
                let feeds = try NarrativeDatabase(readingAt: path).feedStates().filter { !failing || $0.consecutiveErrors > 0 }
                switch data.outputFormat {
                case .json:
                    emit(JSONValue.array(feeds.map { f in
                        .object([("url", .string(f.url)), ("title", .optional(f.title)), ("last_poll", .time(f.lastPoll)),
                                 ("last_success", .time(f.lastSuccess)), ("items", .int(f.itemsTotal)),
                                 ("consecutive_errors", .int(f.consecutiveErrors)), ("last_error", .optional(f.lastError))])
                    }).serialized())
                case .csv:
                    emit(([CSV.line(["url", "title", "last_poll", "last_success", "items", "consecutive_errors", "last_error"])] + feeds.map { f in
                        CSV.line([f.url, f.title ?? "", f.lastPoll.map(Timestamp.iso8601) ?? "", f.lastSuccess.map(Timestamp.iso8601) ?? "",
                                  String(f.itemsTotal), String(f.consecutiveErrors), f.lastError ?? ""])
                    }).joined(separator: "\n"))
                case .table:
                    var table = TextTable(header: ["feed", "last poll", "last success", "items", "errors", "last error"], rightAligned: [3, 4])
                    for f in feeds {
                        table.rows.append([f.title ?? f.url, f.lastPoll.map(Timestamp.iso8601) ?? "-", f.lastSuccess.map(Timestamp.iso8601) ?? "-",
                                           String(f.itemsTotal), String(f.consecutiveErrors), String((f.lastError ?? "").prefix(60))])
                    }
                    emit(feeds.isEmpty ? "no feeds polled yet" : table.render())
                }
            } catch {
                throw fail("database \(path): \(error)")
            }
        }
    }
}
