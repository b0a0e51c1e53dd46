import Foundation
import Logging
import NarrativeCore
import Notify
import Testing
import TestSupport

/// The journal side: the message catalog that `journalctl -x` shows, and ordinary logs as structured entries.
@Suite(.serialized)
struct JournalTests {
    static let catalog = Binary.packageRoot + "/systemd/narrative-watch.catalog"

    /// A sample entry of each kind, as the daemon sends it.
    static func fields(_ kind: EventKind) -> [(String, String)] {
        let record = AlertRecord(
            episode: AlertEpisode(id: "ai-20261128T1000Z", narrative: "ai", state: .firing, started: 1_795_860_000, ended: nil,
                                  bucketStart: 1_795_856_400, lastSpikeBucket: 1_795_856_400, observed: 42, expected: 8.3, lift: 5.1, score: 6),
            spikesIn90Days: 3, previous: nil, sources: 7, topItems: [TopItem(title: "t", link: "https://news.test/a", feed: "f")])
        switch kind {
        case .spikeStarted, .spikeResolved, .narrativeRising: return AlertEvents.fields(for: record, kind: kind)
        case .feedFailing: return AlertEvents.feedFields(url: "https://a.test/rss", kind: kind, detail: "HTTP 500", errorClass: "http", consecutiveErrors: 1)
        case .feedRecovered: return AlertEvents.feedFields(url: "https://a.test/rss", kind: kind, detail: "", errorClass: nil, consecutiveErrors: 0)
        case .webhookGaveUp: return AlertEvents.webhookGaveUpFields(hook: "ops", eventID: "ai-1.started", attempts: 9, reason: "HTTP 410")
        }
    }

    @Test func feedEntriesNameTheFeedAndHowLongItWasDown() {
        let failing = AlertEvents.feedFields(url: "https://a.test/rss", name: "Wire", kind: .feedFailing, detail: "HTTP 500", errorClass: "http-5xx",
                                             consecutiveErrors: 1)
        #expect(failing.first { $0.0 == "MESSAGE" }?.1 == "feed failing: Wire (https://a.test/rss): HTTP 500")
        #expect(failing.first { $0.0 == "FEED_NAME" }?.1 == "Wire")
        let recovered = AlertEvents.feedFields(url: "https://a.test/rss", name: "Wire", kind: .feedRecovered, detail: "", errorClass: nil,
                                               consecutiveErrors: 3, lastSuccess: 1_795_860_000)
        #expect(recovered.first { $0.0 == "MESSAGE" }?.1
                == "feed recovered: Wire (https://a.test/rss) after 3 failed polls; the last success was at 2026-11-28T10:00:00Z")
    }

    @Test func theCatalogExplainsEveryEventWithFieldsTheEntryCarries() throws {
        let text = try String(contentsOfFile: Self.catalog, encoding: .utf8)
        var sections: [String: String] = [:]
        for part in text.components(separatedBy: "\n-- ").dropFirst() {
            let id = String(part.prefix { !$0.isNewline })
            sections[id] = String(part.drop { !$0.isNewline })
        }
        #expect(Set(sections.keys) == Set(EventKind.allCases.map(\.messageID)))
        for kind in EventKind.allCases {
            let section = try #require(sections[kind.messageID], "\(kind)")
            #expect(section.contains("\nSubject: ") && section.contains("\nDefined-By: narrative-watch"), "\(kind)")
            let sent = Set(Self.fields(kind).map(\.0))
            let placeholders = section.split(separator: "@", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            #expect(!placeholders.isEmpty, "\(kind)")
            for name in placeholders {
                #expect(sent.contains(name), "\(kind): the catalog names @\(name)@ but the entry has no such field")
                // journalctl substitutes only names of capital letters and underscores; @SPIKES_90D@ would show as is.
                #expect(name.allSatisfy { ("A"..."Z").contains($0) || $0 == "_" }, "\(kind): journalctl -x would print @\(name)@ verbatim")
            }
        }
    }

    @Test func journalctlBuildsTheCatalogAndListsEveryEvent() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try FileManager.default.createDirectory(atPath: root.file("usr/lib/systemd/catalog"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.catalog, toPath: root.file("usr/lib/systemd/catalog/narrative-watch.catalog"))
        let update = try ChildProcess.run("/usr/bin/journalctl", ["--root=\(root.path)", "--update-catalog"])
        #expect(update.status == 0 && update.stderr.isEmpty, "\(update.stderr)")
        let list = try ChildProcess.run("/usr/bin/journalctl", ["--root=\(root.path)", "--list-catalog"])
        for kind in EventKind.allCases {
            #expect(list.stdout.contains("\(kind.messageID) narrative-watch: "), "\(kind) missing from \(list.stdout)")
        }
    }

    @Test func logLinesBecomeEntriesWithCodeLocationAndMetadataFields() async throws {
        let marker = UUID().uuidString
        var logger = Logger(label: "narrative-watch.test") { JournalLogHandler(label: $0) }
        logger[metadataKey: "test.marker"] = "\(marker)"
        logger.warning("journal handler check", metadata: ["feed.url": "https://a.test/rss"]); let line = #line
        var entry: [String: Any]?
        for _ in 0..<50 where entry == nil {
            let read = try ChildProcess.run("/usr/bin/journalctl", ["-o", "json", "--no-pager", "TEST_MARKER=\(marker)"])
            entry = read.stdout.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            if entry == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let found = try #require(entry, "no entry in the journal (is journald running? `make journald`)")
        // The metadata ends the message too: `journalctl` shows only the message by default.
        #expect(found["MESSAGE"] as? String == "journal handler check feed.url=https://a.test/rss test.marker=\(marker)")
        #expect(found["PRIORITY"] as? String == "4")
        #expect(found["SYSLOG_IDENTIFIER"] as? String == "narrative-watch")
        #expect((found["CODE_FILE"] as? String)?.hasSuffix("JournalTests.swift") == true, "\(found["CODE_FILE"] ?? "")")
        #expect(found["CODE_LINE"] as? String == String(line))
        #expect(found["FEED_URL"] as? String == "https://a.test/rss")
        #expect(found["LOGGER"] as? String == "narrative-watch.test")
    }
}
