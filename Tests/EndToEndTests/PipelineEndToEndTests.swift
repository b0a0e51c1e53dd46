import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Synchronization
import Testing
import TestSupport

/// Runs the built binary against feeds served on loopback, a real SQLite file and the real journald.
@Suite(.serialized)
struct PipelineEndToEndTests {
    static let bucket: Int64 = 3600

    /// A configuration for feeds on `server`, with the three narratives the fixtures exercise.
    static func configuration(feeds: [(String, String)], database: String) -> String {
        var toml = """
            [storage]
            database = "\(database)"

            [polling]
            timeout = "10s"

            [detection]
            bucket = "1h"
            baseline = "14d"

            """
        for (name, url) in feeds {
            toml += "\n[[feeds]]\nname = \"\(name)\"\nurl = \"\(url)\"\n"
        }
        toml += """

            [[narratives]]
            id = "ai"
            name = "AI"
            terms = ["AI", "artificial intelligence", "الذكاء الاصطناعي", "人工智能"]
            exclude = ["EU AI Act"]

            [[narratives]]
            id = "defi"
            terms = ["DeFi", "التمويل اللامركزي", "去中心化金融"]

            [[narratives]]
            id = "revolution"
            kind = "hype"
            terms = ["revolution", "ثورة", "革命"]

            """
        return toml
    }

    /// Serves the fixture's three feeds; the English one with an ETag so a re-poll is a 304.
    static func serve(_ fixture: NewsFixture, on server: LoopbackServer) {
        let base = server.url("")
        let rss = NewsFixture.rss(fixture.english, title: "Chain Ledger", base: base + "/en")
        server.route("/en.xml") { request in
            if request.headers["if-none-match"] == "\"en-v1\"" { return .init(status: 304, headers: [("ETag", "\"en-v1\"")]) }
            return .init(contentType: "application/rss+xml; charset=utf-8", body: rss, headers: [("ETag", "\"en-v1\"")])
        }
        let atom = NewsFixture.atom(fixture.arabic, title: "سلسلة الأخبار", base: base + "/ar")
        server.route("/ar.xml") { _ in .init(contentType: "application/atom+xml", body: atom) }
        let json = NewsFixture.jsonFeed(fixture.chinese, title: "链闻", base: base + "/zh")
        server.route("/zh.json") { _ in .init(contentType: "application/feed+json", body: json) }
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func pollOnceCountsNarrativesRaisesOneAISpikeAndJournalsIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        let fixture = NewsFixture.twoWeeksWithAIBurst(now: now)
        Self.serve(fixture, on: server)
        let database = dir.file("nw.sqlite")
        let config = try dir.write("nw.toml", Self.configuration(
            feeds: [("English", server.url("/en.xml")), ("Arabic", server.url("/ar.xml")), ("Chinese", server.url("/zh.json"))],
            database: database))

        let first = try ChildProcess(Binary.path, ["poll-once", "--config", config])
        let firstOutcome = first.wait()
        #expect(firstOutcome.status == 0, "poll-once failed: \(firstOutcome.stderr)")

        // history: exactly the items that mention AI, bucket by bucket; "said", "air", "Thailand" never count.
        let history = try Binary.run(["history", "ai", "--config", config, "--since", "15d", "--format", "json"])
        #expect(history.status == 0, "\(history.stderr)")
        let object = try #require(try Self.json(history.stdout) as? [String: Any])
        #expect(object["narrative"] as? String == "ai")
        #expect(object["bucket"] as? String == "1h")
        let points = try #require(object["points"] as? [[String: Any]])
        let expectedAI = fixture.aiPerBucket(width: Self.bucket)
        let expectedItems = fixture.itemsPerBucket(width: Self.bucket)
        var matchedTotal = 0, itemsTotal = 0
        for point in points {
            let start = try #require(point["start"] as? String)
            let bucketStart = Int64(ISO8601DateFormatter().date(from: start)!.timeIntervalSince1970)
            #expect(point["matched"] as? Int == expectedAI[bucketStart] ?? 0, "matched in \(start)")
            #expect(point["items"] as? Int == expectedItems[bucketStart] ?? 0, "items in \(start)")
            matchedTotal += point["matched"] as? Int ?? 0
            itemsTotal += point["items"] as? Int ?? 0
        }
        #expect(matchedTotal == fixture.all.filter(\.mentionsAI).count)
        #expect(itemsTotal == fixture.all.count)
        #expect(points.contains { $0["spike"] as? Bool == true })

        // alerts: one AI spike with its top items, nothing for the other narratives.
        let alertsRun = try Binary.run(["alerts", "--config", config, "--format", "json"])
        #expect(alertsRun.status == 0, "\(alertsRun.stderr)")
        let alerts = try #require(try Self.json(alertsRun.stdout) as? [[String: Any]])
        #expect(alerts.count == 1, "alerts: \(alertsRun.stdout)")
        let alert = try #require(alerts.first)
        #expect(alert["narrative"] as? String == "ai")
        // Firing, or already resolved when the burst's last hour was too thin to keep it going.
        let state = alert["state"] as? String
        #expect(state == "firing" || state == "resolved")
        #expect((alert["observed"] as? Int ?? 0) >= 10)
        #expect((alert["lift"] as? Double ?? 0) >= 2)
        #expect(alert["sources"] as? Int == 3)
        let top = try #require(alert["top_items"] as? [[String: Any]])
        #expect(top.count == 5)
        #expect(top.allSatisfy { ($0["link"] as? String ?? "").hasPrefix(server.url("/")) })
        let recurrence = try #require(alert["recurrence"] as? [String: Any])
        #expect(recurrence["spikes_90d"] as? Int == 1)

        // journald holds the entry with every documented field.
        let alertID = try #require(alert["id"] as? String)
        let entry = try #require(try Journal.waitForEntry(["ALERT_ID=\(alertID)", "MESSAGE_ID=5b6a4c4fb65c48acad249795c1497184", "_PID=\(first.pid)"]), "no journal entry for \(alertID)")
        for field in ["MESSAGE", "MESSAGE_ID", "PRIORITY", "NARRATIVE", "ALERT_ID", "OBSERVED", "EXPECTED", "LIFT", "SCORE",
                      "BUCKET_START", "SPIKES_90D", "TOP_LINK"] {
            #expect(entry[field] != nil, "journal entry lacks \(field)")
        }
        #expect(entry["SYSLOG_IDENTIFIER"] == "narrative-watch")
        #expect(entry["NARRATIVE"] == "ai")
        #expect(entry["PRIORITY"] == "4")
        #expect(entry["MESSAGE_ID"] == "5b6a4c4fb65c48acad249795c1497184")
        // The entry is the start; the alert may have grown since (its peak bucket came later).
        #expect((Int(entry["OBSERVED"] ?? "") ?? 0) >= 5 && (Int(entry["OBSERVED"] ?? "") ?? 0) <= (alert["observed"] as? Int ?? 0))
        #expect(entry["SPIKES_90D"] == "1")
        #expect(entry["TOP_LINK"]?.hasPrefix(server.url("/")) == true)
        #expect(entry["MESSAGE"]?.contains("ai spike") == true)

        // Daily history comes from the roll-up and agrees with the hourly series.
        let daily = try #require(try Self.json(try Binary.run(["history", "ai", "--config", config, "--since", "15d", "--bucket", "1d", "--format", "json"]).stdout) as? [String: Any])
        let days = try #require(daily["points"] as? [[String: Any]])
        #expect(days.map { $0["matched"] as? Int ?? 0 }.reduce(0, +) == matchedTotal)
        #expect(days.map { $0["items"] as? Int ?? 0 }.reduce(0, +) == itemsTotal)
        #expect(days.contains { $0["spike"] as? Bool == true })

        // status puts the firing narrative first; backtest finds the same wave.
        let status = try #require(try Self.json(try Binary.run(["status", "--config", config, "--format", "json"]).stdout) as? [[String: Any]])
        if state == "firing" {
            #expect(status.first?["narrative"] as? String == "ai")
            #expect(status.first?["firing"] as? String == alertID)
        }
        #expect(status.count == 3)
        let backtest = try #require(try Self.json(try Binary.run(["backtest", "--config", config, "--format", "json"]).stdout) as? [[String: Any]])
        #expect(backtest.map { $0["narrative"] as? String } == ["ai"])
        // A mistyped narrative is an error, not a quiet series.
        for command in [["history", "ia"], ["alerts", "--narrative", "ia"], ["backtest", "--narrative", "ia"]] {
            let typo = try Binary.run(command + ["--config", config, "--format", "json"])
            #expect(typo.status == 64, "\(command)")
            #expect(typo.stdout.isEmpty)
            #expect(typo.stderr == "narrative-watch: unknown narrative 'ia'; known: ai, defi, revolution\n", "\(command): \(typo.stderr)")
        }

        // alerts show: every story of the peak bucket with its sources; export: every narrative's series.
        let shown = try #require(try Self.json(try Binary.run(["alerts", "show", alertID, "--config", config, "--format", "json"]).stdout) as? [String: Any])
        let stories = try #require(shown["stories"] as? [[String: Any]])
        #expect(stories.count >= alert["observed"] as? Int ?? .max, "every story of the episode")
        #expect(stories.allSatisfy { ($0["sources"] as? [String])?.count == 1 })
        let exported = try Binary.run(["export", "--config", config, "--since", "15d", "--format", "csv"])
        #expect(exported.stdout.split(separator: "\n").first == "narrative,start,items,matched,mentions,expected,score,spike,hyped,share")
        #expect(exported.stdout.split(separator: "\n").filter { $0.hasPrefix("ai,") }.count == points.count)
        let exportedJSON = try #require(try Self.json(try Binary.run(["export", "--config", config, "--since", "15d"]).stdout) as? [[String: Any]])
        #expect(exportedJSON.first?["bucket"] as? String == "1h")
        let exportedTable = try Binary.run(["export", "--config", config, "--since", "15d", "--format", "table"])
        #expect(exportedTable.stdout.split(separator: "\n").first?.split(separator: " ").map(String.init)
            == ["narrative", "start", "items", "matched", "mentions", "expected", "score", "spike", "hyped", "share"])
        #expect(exportedTable.stdout.split(separator: "\n").filter { $0.hasPrefix("ai ") }.count == points.count)
        let pruneRun = try Binary.run(["prune", "--config", config, "--dry-run"])
        #expect(pruneRun.stdout.contains("would prune the text of 0 items"), "\(pruneRun.stdout)")

        // The SVG chart is well-formed XML with a line per narrative and a marker on the spike.
        let chart = dir.file("chart.svg")
        let charted = try Binary.run(["history", "ai", "defi", "--config", config, "--since", "15d", "--bucket", "6h", "--chart", chart, "--format", "json"])
        #expect(charted.status == 0, "\(charted.stderr)")
        let svg = try XMLDocument(contentsOf: URL(fileURLWithPath: chart))
        let elements = (svg.rootElement()?.children ?? []).compactMap { $0 as? XMLElement }
        func attribute(_ e: XMLElement, _ name: String) -> String? {
            e.attributes?.first { ($0.localName ?? $0.name) == name }?.stringValue
        }
        func named(_ name: String, _ cls: String) -> [String] {
            elements.filter { $0.localName == name && attribute($0, "class") == cls }.compactMap { attribute($0, "data-series") }
        }
        #expect(svg.rootElement()?.localName == "svg")
        #expect(named("polyline", "series") == ["ai", "defi"], "\(elements.map { $0.localName ?? "" })")
        #expect(named("circle", "spike").contains("ai"))
        #expect(!named("circle", "spike").contains("defi"))
        #expect(Set(named("polygon", "baseline-band")) == ["ai", "defi"])

        // A second poll changes no count and raises nothing.
        let second = try Binary.run(["poll-once", "--config", config])
        #expect(second.status == 0, "\(second.stderr)")
        let historyAgain = try Binary.run(["history", "ai", "--config", config, "--since", "15d", "--format", "json"])
        #expect(historyAgain.stdout == history.stdout || Self.sameCounts(historyAgain.stdout, history.stdout))
        let alertsAgain = try #require(try Self.json(try Binary.run(["alerts", "--config", config, "--format", "json"]).stdout) as? [[String: Any]])
        #expect(alertsAgain.count == 1)
        #expect(alertsAgain.first?["id"] as? String == alertID)
        #expect(server.requests.filter { $0.path == "/en.xml" }.last?.headers["if-none-match"] == "\"en-v1\"")
    }

    /// The counts of two history outputs, ignoring evaluations added for buckets that closed in between.
    static func sameCounts(_ a: String, _ b: String) -> Bool {
        func counts(_ s: String) -> [String] {
            let points = ((try? json(s)) as? [String: Any])?["points"] as? [[String: Any]] ?? []
            return points.map { "\($0["start"] ?? "") \($0["items"] ?? "") \($0["matched"] ?? "") \($0["mentions"] ?? "")" }
        }
        return counts(a) == counts(b)
    }

    @Test func killedPollOnceLeavesCountsExact() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        // A long feed, so that the kill lands while items are being ingested.
        var stories: [NewsFixture.Story] = []
        for n in 0..<6000 {
            stories.append(.init(id: "big-\(n)", published: now - 86_400 * 10 + Int64(n) * 137,
                                 title: n % 3 == 0 ? "AI item \(n)" : "Market item \(n) said", body: "<p>body \(n)</p>", mentionsAI: n % 3 == 0))
        }
        let rss = NewsFixture.rss(stories, title: "Big", base: server.url("/big"))
        server.route("/big.xml") { _ in .init(contentType: "application/rss+xml", body: rss) }
        let smallStories = stories.prefix(50).map { story in
            NewsFixture.Story(id: "small-\(story.id)", published: story.published, title: story.title, body: story.body, mentionsAI: story.mentionsAI)
        }
        let small = NewsFixture.rss(smallStories, title: "Small", base: server.url("/small"))
        server.route("/small.xml") { _ in .init(contentType: "application/rss+xml", body: small) }
        let config = try dir.write("nw.toml", Self.configuration(
            feeds: [("Small", server.url("/small.xml")), ("Big", server.url("/big.xml"))], database: dir.file("nw.sqlite")))

        for delay in [0.3, 0.6, 0.9, 1.2, 1.6, 2.0] {
            let run = try ChildProcess(Binary.path, ["poll-once", "--config", config])
            Thread.sleep(forTimeInterval: delay)
            run.kill(SIGKILL)
            _ = run.wait()
        }
        let final = try Binary.run(["poll-once", "--config", config])
        #expect(final.status == 0, "\(final.stderr)")
        let history = try #require(try Self.json(try Binary.run(["history", "ai", "--config", config, "--since", "11d", "--format", "json"]).stdout) as? [String: Any])
        let points = try #require(history["points"] as? [[String: Any]])
        let items = points.map { $0["items"] as? Int ?? 0 }.reduce(0, +)
        let matched = points.map { $0["matched"] as? Int ?? 0 }.reduce(0, +)
        #expect(items == 6050)
        #expect(matched == 2000 + 17)
        let feeds = try #require(try Self.json(try Binary.run(["feeds", "--config", config, "--format", "json"]).stdout) as? [[String: Any]])
        #expect(feeds.map { $0["items"] as? Int ?? -1 }.sorted() == [50, 6000])
    }

    @Test func brokenFeedsAreReportedAndTheOthersStillIngested() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        let good = (0..<20).map { n in NewsFixture.Story(id: "g\(n)", published: now - Int64(n) * 3600, title: "AI story \(n)", body: "", mentionsAI: true) }
        let rss = NewsFixture.rss(good, title: "Good", base: server.url("/good"))
        server.route("/good.xml") { _ in .init(contentType: "application/rss+xml", body: rss) }
        server.route("/html") { _ in .init(contentType: "text/html", body: "<!DOCTYPE html><html><head><meta charset=utf-8><title>Welcome</title></head><body><p>Not a feed<br></body></html>") }
        server.route("/empty") { _ in .init(contentType: "application/rss+xml", body: "") }
        let cutStories = good.prefix(5).map { story in
            NewsFixture.Story(id: "t-\(story.id)", published: story.published, title: story.title, body: story.body, mentionsAI: true)
        }
        let truncated = String(NewsFixture.rss(cutStories, title: "Cut", base: server.url("/cut")).dropLast(300))
        server.route("/truncated") { _ in .init(contentType: "application/rss+xml", body: truncated) }
        let feeds = [("Good", server.url("/good.xml")), ("HTML", server.url("/html")), ("Empty", server.url("/empty")),
                     ("Truncated", server.url("/truncated")), ("Missing", server.url("/missing")), ("Nobody", "http://127.0.0.1:9/feed")]
        let config = try dir.write("nw.toml", Self.configuration(feeds: feeds, database: dir.file("nw.sqlite")))

        let run = try Binary.run(["poll-once", "--config", config])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("\(server.url("/html")): not a feed: the root element is <html>"), "\(run.stderr)")
        #expect(run.stderr.contains("\(server.url("/empty")): the document is empty"), "\(run.stderr)")
        #expect(run.stderr.contains("\(server.url("/missing")): HTTP 404"), "\(run.stderr)")
        #expect(run.stderr.contains("http://127.0.0.1:9/feed: connection refused"), "\(run.stderr)")
        #expect(run.stderr.contains("not well-formed"), "truncated feed should be reported as recovered: \(run.stderr)")

        let health = try #require(try Self.json(try Binary.run(["feeds", "--config", config, "--format", "json"]).stdout) as? [[String: Any]])
        let byURL = Dictionary(uniqueKeysWithValues: health.map { ($0["url"] as? String ?? "", $0) })
        #expect(byURL[server.url("/good.xml")]?["items"] as? Int == 20)
        #expect(byURL[server.url("/good.xml")]?["consecutive_errors"] as? Int == 0)
        #expect((byURL[server.url("/truncated")]?["items"] as? Int ?? 0) >= 3, "the readable items of a truncated feed are kept")
        for path in ["/html", "/empty", "/missing"] {
            #expect(byURL[server.url(path)]?["consecutive_errors"] as? Int == 1, "\(path)")
            #expect(byURL[server.url(path)]?["items"] as? Int == 0, "\(path)")
        }
    }

    @Test func invalidConfigurationIsRefusedWithExit78AndOneLinePerProblem() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("bad.toml", """
            [polling]
            interval = "15 minutes"
            concurency = 4

            [[feeds]]
            url = "ftp://example.test/feed"

            [[narratives]]
            id = "ai"
            terms = ["AI"]

            [[narratives]]
            id = "ai"
            terms = ["LLM"]
            """)
        for command in [["check-config"], ["poll-once"], ["history", "ai"]] {
            let run = try Binary.run(command + ["--config", config])
            #expect(run.status == 78, "\(command): \(run.stderr)")
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 4, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("\(config):2: polling.interval: '15 minutes' is not a duration"))
            #expect(run.stderr.contains("\(config):3: polling.concurency: unknown key"))
            #expect(run.stderr.contains("\(config):6: feeds[0].url: 'ftp://example.test/feed' must be an http or https URL"))
            #expect(run.stderr.contains("\(config):13: narratives[1].id: duplicate narrative id 'ai' (first defined on line 9)"))
        }
        let missing = try Binary.run(["check-config", "--config", dir.file("absent.toml")])
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("absent.toml: cannot read the configuration: no such file"))

        // A secret the daemon could not use is found now, not when the first alert goes out.
        let hook = try dir.write("hook.toml", """
            [[narratives]]
            id = "ai"
            terms = ["AI"]

            [[webhooks]]
            name = "ops"
            url = "https://hooks.example.test/nw"
            secret_file = "\(dir.file("absent.secret"))"
            """)
        let noFeeds = "\(hook): warning: no [[feeds]]; the daemon would have nothing to poll\n"
        let absent = try Binary.run(["check-config", "--config", hook])
        #expect(absent.status == 0)
        #expect(absent.stderr == "\(hook):8: warning: webhooks[0].secret_file: cannot read the secret file \(dir.file("absent.secret")) here; the service must be able to\n" + noFeeds,
                "\(absent.stderr)")
        try dir.write("absent.secret", "hunter2\n")
        let notASecret = try Binary.run(["check-config", "--config", hook])
        #expect(notASecret.status == 78)
        #expect(notASecret.stderr == "\(hook):8: webhooks[0].secret_file: \(dir.file("absent.secret")) does not hold a whsec_<base64> secret\n", "\(notASecret.stderr)")
        try dir.write("absent.secret", "whsec_" + Data("a secret of the right kind".utf8).base64EncodedString() + "\n")
        let found = try Binary.run(["check-config", "--config", hook])
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stderr == noFeeds)
        // Without any secret, a standard webhook's messages are not signed: said, not refused.
        try dir.write("hook.toml", try String(contentsOfFile: hook, encoding: .utf8).replacingOccurrences(of: "secret_file = \"\(dir.file("absent.secret"))\"", with: ""))
        let unsigned = try Binary.run(["check-config", "--config", hook])
        #expect(unsigned.status == 0)
        #expect(unsigned.stderr == "\(hook):5: warning: webhooks[0] (ops): no secret_file; its messages go out unsigned unless the service has a credential named webhook-ops\n" + noFeeds,
                "\(unsigned.stderr)")
    }

    @Test func readCommandsSayWhatIsWrongWithTheDatabase() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("junk.sqlite", String(repeating: "not a database ", count: 100))
        let config = try dir.write("nw.toml", Self.configuration(feeds: [], database: dir.file("nw.sqlite")))
        let cases: [(String, String)] = [
            (dir.file("absent.sqlite"), "no such file; the daemon or `poll-once` creates it"),
            (dir.path, "is a directory, not a database file"),
            (dir.file("junk.sqlite"), "the file is not an SQLite database (SQLite code 26)"),
        ]
        for (path, reason) in cases {
            for command in [["history", "ai"], ["alerts"], ["feeds"], ["backtest"], ["prune"]] {
                let run = try Binary.run(command + ["--config", config, "--database", path])
                #expect(run.status == 1, "\(command)")
                #expect(run.stderr == "narrative-watch: database \(path): \(reason)\n", "\(command): \(run.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("absent.sqlite")), "prune makes no database of its own")
        // The daemon makes the database's own directory (./var on a fresh clone), not a whole mistyped path.
        let typo = try Binary.run(["poll-once", "--config", config, "--database", dir.file("vra/state/nw.sqlite")])
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("cannot create the database directory \(dir.file("vra/state")): No such file or directory"), "\(typo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("vra")))
        #expect(try Binary.run(["poll-once", "--config", config, "--database", dir.file("var/nw.sqlite")]).status == 0)
        // A database keeps the bucket width it was made with.
        let quarter = try dir.write("quarter.toml", Self.configuration(feeds: [], database: dir.file("var/nw.sqlite")).replacingOccurrences(of: "bucket = \"1h\"", with: "bucket = \"15m\""))
        let width = try Binary.run(["poll-once", "--config", quarter])
        #expect(width.status == 78, "a configuration mistake: systemd does not restart on it")
        #expect(width.stderr.hasSuffix("the database holds 1h buckets but the configuration asks for 15m; keep detection.bucket or start a new database\n"),
                "\(width.stderr)")
        let pruned = try Binary.run(["prune", "--config", quarter])
        #expect(pruned.status == 78)
        #expect(pruned.stderr.hasSuffix("the database holds 1h buckets but the configuration asks for 15m; keep detection.bucket or start a new database\n"),
                "\(pruned.stderr)")
        let checked = try Binary.run(["check-config", "--config", quarter])
        #expect(checked.status == 78)
        #expect(checked.stderr == "\(quarter):8: detection.bucket: the database \(dir.file("var/nw.sqlite")) holds 1h buckets, not 15m; keep its width or start a new database\n",
                "\(checked.stderr)")
        let later = try Binary.run(["history", "ai", "--database", dir.file("var/nw.sqlite"), "--since", "1h", "--until", "3h"])
        #expect(later.status == 64)
        #expect(later.stderr.contains("is after --until"), "\(later.stderr)")
    }

    @Test func shippedExampleConfigurationIsValid() throws {
        let run = try Binary.run(["check-config", "--config", Binary.packageRoot + "/Config/narrative-watch.toml"])
        #expect(run.status == 0, "\(run.stderr)")
        for id in ["ai", "revolution", "defi", "public-chains", "compute"] {
            #expect(run.stdout.contains(id))
        }
    }

    @Test func daemonPollsOnStartAndStopsCleanlyOnSIGTERM() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        let stories = (0..<5).map { n in NewsFixture.Story(id: "d\(n)", published: now - Int64(n) * 600, title: "AI daemon \(n)", body: "", mentionsAI: true) }
        let rss = NewsFixture.rss(stories, title: "Daemon", base: server.url("/d"))
        server.route("/d.xml") { _ in .init(contentType: "application/rss+xml", body: rss) }
        let config = try dir.write("nw.toml", Self.configuration(feeds: [("Daemon", server.url("/d.xml"))], database: dir.file("nw.sqlite")))

        let daemon = try ChildProcess(Binary.path, ["run", "--config", config])
        var ingested = false
        for _ in 0..<100 where !ingested {
            Thread.sleep(forTimeInterval: 0.1)
            let feeds = try Binary.run(["feeds", "--config", config, "--format", "json"])
            ingested = ((try? Self.json(feeds.stdout)) as? [[String: Any]])?.first?["items"] as? Int == 5
        }
        #expect(ingested, "the daemon did not ingest the feed on start")
        // One poller per database: a second daemon, or poll-once beside it, would fetch every feed twice.
        for command in ["run", "poll-once"] {
            let second = try Binary.run([command, "--config", config])
            #expect(second.status == 1, "\(command)")
            #expect(second.stderr == "narrative-watch: database \(dir.file("nw.sqlite")): another narrative-watch (pid \(daemon.pid)) is polling it; stop that one first\n",
                    "\(command): \(second.stderr)")
        }
        daemon.kill(SIGTERM)
        let outcome = daemon.wait()
        #expect(outcome.signal == nil, "killed by signal \(outcome.signal ?? 0)")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try Binary.run(["poll-once", "--config", config]).status == 0, "the lock went with the daemon")

        // A database removed under the daemon: it stops, loudly, rather than write to a file that is gone.
        let again = try ChildProcess(Binary.path, ["run", "--config", config])
        var started = false
        for _ in 0..<50 where !started {
            Thread.sleep(forTimeInterval: 0.1)
            started = (try? String(contentsOfFile: dir.file("nw.sqlite.lock"), encoding: .utf8))?.hasPrefix("\(again.pid)") == true
        }
        #expect(started, "the second daemon did not start")
        Thread.sleep(forTimeInterval: 0.5) // past opening the database
        try FileManager.default.removeItem(atPath: dir.file("nw.sqlite"))
        func running() -> Bool { (try? String(contentsOfFile: "/proc/\(again.pid)/stat", encoding: .utf8)).map { !$0.contains(") Z ") } ?? false }
        for _ in 0..<250 where running() { Thread.sleep(forTimeInterval: 0.1) }
        again.kill(SIGKILL) // only if it did not stop on its own: the expectations below then fail
        let stopped = again.wait()
        #expect(stopped.status == 1)
        #expect(stopped.stderr.contains("database \(dir.file("nw.sqlite")): the file was removed or replaced while the daemon ran"), "\(stopped.stderr)")
        #expect(outcome.stderr.contains("narrative-watch stopped"), "\(outcome.stderr)")
    }

    /// Another process writing to the database (an operator's sqlite3 session, a long prune)
    /// stops nothing: the cycle that could not be stored is rolled back, said once, and tried
    /// again once the lock is gone, every item counted once.
    @Test func aDatabaseLockedByAnotherProcessDelaysTheCycleWithoutStoppingTheDaemon() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        let stories = (0..<5).map { n in NewsFixture.Story(id: "l\(n)", published: now - Int64(n) * 600, title: "AI lock \(n)", body: "", mentionsAI: true) }
        let rss = NewsFixture.rss(stories, title: "Locked", base: server.url("/l"))
        let asked = Mutex(false)
        server.route("/l.xml") { _ in
            // The first answer takes 2 s: time for another process to take the lock before the items are stored.
            let first = asked.withLock { seen -> Bool in
                defer { seen = true }
                return !seen
            }
            if first { Thread.sleep(forTimeInterval: 2) }
            return .init(contentType: "application/rss+xml", body: rss)
        }
        let config = try dir.write("nw.toml", Self.configuration(feeds: [("Locked", server.url("/l.xml"))], database: dir.file("nw.sqlite")))
        let daemon = try ChildProcess(Binary.path, ["run", "--config", config])
        for _ in 0..<50 where !asked.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.1) }
        #expect(asked.withLock { $0 }, "the daemon did not poll")

        // Holds the write lock for 8 s, past SQLite's 5 s busy wait, while the first answer is on its way.
        let holder = try ChildProcess("/usr/bin/python3", ["-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN IMMEDIATE")
            open(sys.argv[2], "w").close()
            time.sleep(8)
            c.execute("COMMIT")
            """, dir.file("nw.sqlite"), dir.file("locked")])
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: dir.file("locked")) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(FileManager.default.fileExists(atPath: dir.file("locked")))
        var items = 0
        for _ in 0..<300 where items != 5 {
            Thread.sleep(forTimeInterval: 0.1)
            let feeds = try Binary.run(["feeds", "--config", config, "--format", "json"])
            items = ((try? Self.json(feeds.stdout)) as? [[String: Any]])?.first?["items"] as? Int ?? 0
        }
        #expect(holder.wait().status == 0)
        #expect(items == 5, "the daemon did not store the feed once the lock was gone")
        daemon.kill(SIGTERM)
        let outcome = daemon.wait()
        #expect(outcome.status == 0, "the daemon stopped on the lock: \(outcome.stderr)")
        #expect(outcome.stderr.contains("another process is writing to it"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("can be written again"), "\(outcome.stderr)")
        #expect(outcome.stderr.components(separatedBy: "feed ingested").count == 2, "said once, when stored: \(outcome.stderr)")
        let history = try #require(try Self.json(try Binary.run(["history", "ai", "--config", config, "--format", "json", "--since", "3h"]).stdout) as? [String: Any])
        #expect((history["points"] as? [[String: Any]])?.reduce(0) { $0 + ($1["matched"] as? Int ?? 0) } == 5)
    }

    /// One failed poll is a hiccup: the journal hears of a failing feed at its second failure in
    /// a row, and of its recovery only after that, so a feed that fails every other poll is quiet.
    @Test func aFeedIsReportedFailingAtItsSecondFailedPollInARow() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        let answers = Mutex<[Int]>([500, 200, 500, 500, 200])
        let rss = NewsFixture.rss([NewsFixture.Story(id: "f1", published: Int64(Date().timeIntervalSince1970), title: "AI flaps", body: "", mentionsAI: true)],
                                  title: "Flaky", base: server.url("/f"))
        server.route("/f.xml") { _ in
            let status = answers.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            return .init(status: status, contentType: "application/rss+xml", body: status == 200 ? rss : "down")
        }
        let url = server.url("/f.xml")
        let config = try dir.write("nw.toml", Self.configuration(feeds: [("Flaky", url)], database: dir.file("nw.sqlite")))
        func entries(_ id: String) throws -> Int {
            try ChildProcess.run("/usr/bin/journalctl", ["-o", "cat", "--no-pager", "MESSAGE_ID=\(id)", "FEED_URL=\(url)"]).stdout
                .split(separator: "\n").count
        }
        let failing = "6ae7498d712a4f508e7a32b7075ff70d", recovered = "c1f3eb3aa060407e87119d79ca2108c5"
        // 500, 200: quiet. 500, 500: failing. 200: recovered. journald writes asynchronously, so
        // each count is awaited (an entry that should not be there gets the same time to show).
        let expected = [(0, 0), (0, 0), (0, 0), (1, 0), (1, 1)]
        for (poll, (wantFailing, wantRecovered)) in expected.enumerated() {
            #expect(try Binary.run(["poll-once", "--config", config]).status == 0)
            var seen = (-1, -1)
            for _ in 0..<10 {
                Thread.sleep(forTimeInterval: 0.2)
                seen = (try entries(failing), try entries(recovered))
                if seen == (wantFailing, wantRecovered) && (wantFailing + wantRecovered > 0 || poll > 0) { break }
            }
            #expect(seen == (wantFailing, wantRecovered), "poll \(poll + 1)")
        }
    }

    @Test func parsePrintsWhatTheIngesterSeesWithNarrativeMentions() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let feed = try dir.write("feed.xml", NewsFixture.rss([
            .init(id: "p1", published: 1_795_860_000, title: "AI and DeFi, said the desk", body: "<p>Artificial intelligence &amp; more</p>", mentionsAI: true),
            .init(id: "p2", published: 1_795_863_600, title: "Air traffic in Thailand", body: "", mentionsAI: false),
        ], title: "Parse Me", base: "https://p.test"))
        try dir.write("broken.xml", "<html><body>nope</body></html>")
        let config = try dir.write("nw.toml", Self.configuration(feeds: [], database: dir.file("nw.sqlite")))
        let run = try Binary.run(["parse", "--config", config, feed, dir.file("broken.xml")])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try Self.json(String(lines[0])) as? [String: Any])
        #expect(first["format"] as? String == "rss2")
        #expect(first["bozo"] as? Bool == false)
        #expect((first["feed"] as? [String: Any])?["title"] as? String == "Parse Me")
        let items = try #require(first["items"] as? [[String: Any]])
        #expect(items.first?["published"] as? String == "2026-11-28T10:00:00Z")
        #expect(items.first?["summary"] as? String == "<p>Artificial intelligence &amp; more</p>")
        #expect(items.first?["narratives"] as? [String: Int] == ["ai": 2, "defi": 1])
        #expect(items.last?["narratives"] as? [String: Int] == [:])
        let second = try #require(try Self.json(String(lines[1])) as? [String: Any])
        #expect((second["error"] as? String)?.contains("not a feed") == true)

        // A file that cannot be read has its line and its message, and the next file is still read.
        let missing = try Binary.run(["parse", dir.file("absent.xml"), feed])
        #expect(missing.status == 66, "EX_NOINPUT")
        #expect(missing.stderr == "narrative-watch: \(dir.file("absent.xml")): cannot read: No such file or directory\n", "\(missing.stderr)")
        let missingLines = missing.stdout.split(separator: "\n").compactMap { try? Self.json(String($0)) as? [String: Any] }
        #expect(missingLines.map { $0["file"] as? String } == [dir.file("absent.xml"), feed])
        #expect(missingLines.first?["error"] as? String == "cannot read: No such file or directory")
        #expect((missingLines.first?["feed"] as? [String: Any])?.keys.sorted() == ["language", "link", "title", "updated"], "the shape of a feed read")
        #expect((missingLines.last?["items"] as? [Any])?.count == 2)
        let table = try Binary.run(["parse", "--config", config, "--format", "table", feed])
        #expect(table.stdout.contains("AI and DeFi, said the desk  [ai 2, defi 1]"), "\(table.stdout)")
        #expect(try Binary.run(["parse", "--format", "csv", feed]).status == 64)

        let summary = try Binary.run(["parse", "--summary", feed], stdin: feed)
        let totals = try #require(try Self.json(summary.stdout) as? [String: Any])
        #expect(totals["files"] as? Int == 1)
        #expect(totals["items"] as? Int == 2)
        let piped = try Binary.run(["parse", "-"], stdin: feed)
        #expect((try Self.json(String(piped.stdout.split(separator: "\n")[0])) as? [String: Any])?["file"] as? String == "-")

        // A file larger than any feed is refused before it is read (a sparse 100 GB file once
        // made the command try to allocate it); so is standard input that goes on past it.
        let huge = dir.path + "/huge.xml"
        let descriptor = creat(huge, 0o644)
        #expect(descriptor >= 0)
        close(descriptor)
        #expect(truncate(huge, 100 << 30) == 0)
        let refused = try Binary.run(["parse", huge])
        #expect(refused.status == 66)
        #expect(refused.stderr.contains("huge.xml: cannot read: larger than 64 MB"), "\(refused.stderr)")
        let flood = try Binary.run(["parse", "-"], stdin: huge)
        #expect(flood.stderr.contains("-: cannot read: larger than 64 MB"), "\(flood.stderr)")
    }

    @Test func detectScoresACSVSeriesAndFlagsOneEpisode() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var lines = ["timestamp,value"]
        var seed: UInt64 = 3
        let start = 1_795_046_400
        for h in 0..<(12 * 24) {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let base = 20 + Int(seed >> 60) - 8
            let value = (10 * 24 + 5..<10 * 24 + 8).contains(h) ? 90 : base
            let date = Date(timeIntervalSince1970: TimeInterval(start + h * 3600))
            lines.append("\(NewsFixture.iso(Int64(date.timeIntervalSince1970)).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")),\(value)")
        }
        let csv = try dir.write("series.csv", lines.joined(separator: "\n") + "\n")
        let run = try Binary.run(["detect", "--csv", csv])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n").compactMap { try? Self.json(String($0)) as? [String: Any] }
        #expect(rows.count == 12 * 24)
        let spikes = rows.indices.filter { rows[$0]["spike"] as? Bool == true }
        #expect(spikes == [10 * 24 + 5])
        #expect(rows[10 * 24 + 6]["firing"] as? Bool == true)
        #expect(rows.allSatisfy { (($0["score"] as? Double) ?? -1) >= 0 && (($0["score"] as? Double) ?? 2) <= 1 })

        let bad = try dir.write("bad.csv", "timestamp,value\n2026-11-28 10:00:00,4\n2026-11-28 11:00:00,lots\n")
        let refused = try Binary.run(["detect", "--csv", bad])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("bad.csv:3: value 'lots' is not a count"), "\(refused.stderr)")
        // Beyond what an Int holds: once a crash, now a line naming the value.
        let huge = try dir.write("huge.csv", "timestamp,value,total\n2026-11-28 10:00:00,4,9\n2026-11-28 11:00:00,3,1e30\n")
        let tooLarge = try Binary.run(["detect", "--csv", huge])
        #expect(tooLarge.status == 65)
        #expect(tooLarge.stderr.contains("huge.csv:3: total '1e30' is not a count"), "\(tooLarge.stderr)")
        let millennia = try dir.write("millennia.csv", "timestamp,value\n0001-01-01 00:00:00,1\n5001-01-01 00:00:00,2\n9001-01-01 00:00:00,3\n")
        let tooFarApart = try Binary.run(["detect", "--csv", millennia])
        #expect(tooFarApart.status == 65)
        #expect(tooFarApart.stderr.contains("more than 100 years; give --bucket"), "\(tooFarApart.stderr)")
        let noHeader = try dir.write("noheader.csv", "when,count\n")
        #expect(try Binary.run(["detect", "--csv", noHeader]).stderr.contains("the header needs timestamp and value columns"))
        let overTotal = try dir.write("over.csv", "timestamp,value,total\n2026-11-28 10:00:00,4,9\n2026-11-28 11:00:00,50,10\n")
        let over = try Binary.run(["detect", "--csv", overTotal])
        #expect(over.status == 65)
        #expect(over.stderr.contains("over.csv:3: value 50 is more than total 10"), "\(over.stderr)")
        let headerOnly = try dir.write("header.csv", "timestamp,value\n")
        #expect(try Binary.run(["detect", "--csv", headerOnly]).stderr == "narrative-watch: \(headerOnly): no rows to judge\n")

        // Rows out of order are judged as they come (one line each, in file order), with a warning;
        // times are printed in UTC whatever offset they were written with.
        let shuffled = try dir.write("shuffled.csv", "timestamp,value\n2026-11-28T12:00:00+02:00,3\n2026-11-28 09:00:00,4\n2026-11-28 10:00:00,5\n2026-11-28 10:00:00,5\n")
        let judged = try Binary.run(["detect", "--csv", shuffled, "--bucket", "1h"])
        #expect(judged.status == 0, "\(judged.stderr)")
        #expect(judged.stderr == "narrative-watch: \(shuffled):3: 2 rows are not later than the row before; rows are judged in file order\n", "\(judged.stderr)")
        let stamps = judged.stdout.split(separator: "\n").compactMap { (try? Self.json(String($0)) as? [String: Any])?["timestamp"] as? String }
        #expect(stamps == ["2026-11-28T10:00:00Z", "2026-11-28T09:00:00Z", "2026-11-28T10:00:00Z", "2026-11-28T10:00:00Z"])
    }

    @Test func importOPMLPrintsFeedBlocksTheConfigurationAccepts() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let opml = try dir.write("subs.opml", """
            <?xml version="1.0"?>
            <opml version="2.0"><head><title>Mine</title></head><body>
            <outline text="Crypto"><outline text="Coin &quot;Desk&quot; &amp; co" type="rss" xmlUrl="https://www.coindesk.com/arc/outboundfeeds/rss/"/>
            <outline title="链闻" xmlUrl="https://cn.example.test/rss"/><outline text="a folder without a feed"/></outline></body></opml>
            """)
        let run = try Binary.run(["feeds", "import-opml", opml])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("name = \"Coin \\\"Desk\\\" & co\""), "\(run.stdout)")
        let config = try dir.write("nw.toml", run.stdout + "\n[[narratives]]\nid = \"ai\"\nterms = [\"AI\"]\n")
        let check = try Binary.run(["check-config", "--config", config])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("feeds:       2"))
        // Imported again into that configuration, the feeds it has are left out, so it still loads.
        try dir.write("subs.opml", try String(contentsOfFile: opml, encoding: .utf8).replacingOccurrences(of: "https://cn.example.test/", with: "HTTPS://CN.example.test/"))
        let again = try Binary.run(["feeds", "import-opml", opml, "--config", config])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasPrefix("# 0 feeds imported"), "\(again.stdout)")
        #expect(again.stderr.contains("skipped: 'HTTPS://CN.example.test/rss' is configured already"), "\(again.stderr)")
        // What the configuration would refuse is left out and named; odd titles stay valid TOML.
        let messy = try dir.write("messy.opml", """
            <opml version="1.0"><body><outline text="Line&#10;two&#13;&#9;\\ &#127;" xmlUrl="https://a.test/rss"/>
            <outline text="script" xmlUrl="javascript:alert(1)"/><outline text="again" xmlUrl="https://a.test/rss"/></body></opml>
            """)
        let partly = try Binary.run(["feeds", "import-opml", messy])
        #expect(partly.status == 0, "\(partly.stderr)")
        #expect(partly.stdout.hasPrefix("# 1 feeds imported"), "\(partly.stdout)")
        #expect(partly.stderr.contains("skipped: 'javascript:alert(1)' must be an http or https URL"), "\(partly.stderr)")
        #expect(partly.stderr.contains("skipped: 'https://a.test/rss' is listed twice"), "\(partly.stderr)")
        let messyConfig = try dir.write("messy.toml", partly.stdout + "\n[[narratives]]\nid = \"ai\"\nterms = [\"AI\"]\n")
        let messyCheck = try Binary.run(["check-config", "--config", messyConfig])
        #expect(messyCheck.status == 0, "\(partly.stdout)\n\(messyCheck.stderr)")
        let notOPML = try dir.write("feed.xml", "<rss version=\"2.0\"><channel/></rss>")
        let refused = try Binary.run(["feeds", "import-opml", notOPML])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("not opml"))
    }

    /// A known history in the past, so every figure is fixed: the outputs are compared whole.
    @Test func historyOutputsOfAKnownHistoryMatchTheirSnapshots() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        let start: Int64 = 1_767_571_200 // 2026-01-05T00:00:00Z
        var stories: [NewsFixture.Story] = []
        for h in 0..<6 {
            for k in 0..<(h + 2) {
                let ai = k < (h == 4 ? h + 2 : 1)
                stories.append(.init(id: "s\(h)-\(k)", published: start + Int64(h) * 3600 + Int64(k) * 60,
                                     title: ai ? "AI desk note \(h)-\(k)" : "DeFi desk note \(h)-\(k)", body: "", mentionsAI: ai))
            }
        }
        let rss = NewsFixture.rss(stories, title: "Desk", base: "https://desk.test")
        server.route("/desk.xml") { _ in .init(contentType: "application/rss+xml", body: rss) }
        let config = try dir.write("nw.toml", Self.configuration(feeds: [("Desk", server.url("/desk.xml"))], database: dir.file("nw.sqlite")))
        #expect(try Binary.run(["poll-once", "--config", config]).status == 0)
        let range = ["--since", "2026-01-05T00:00:00Z", "--until", "2026-01-05T05:00:00Z"]

        let csv = try Binary.run(["history", "ai", "--config", config, "--format", "csv"] + range)
        #expect(csv.stdout == """
            narrative,start,items,matched,mentions,expected,score,spike,hyped,share
            ai,2026-01-05T00:00:00Z,2,1,1,0.0,0.0,false,0,0.5
            ai,2026-01-05T01:00:00Z,3,1,1,1.5,0.0,false,0,0.3333
            ai,2026-01-05T02:00:00Z,4,1,1,1.6661,0.0,false,0,0.25
            ai,2026-01-05T03:00:00Z,5,1,1,1.7486,0.0,false,0,0.2
            ai,2026-01-05T04:00:00Z,6,6,6,1.7975,1.9866,false,0,1.0
            ai,2026-01-05T05:00:00Z,7,1,1,3.4557,0.0,false,0,0.1429

            """)
        let json = try Binary.run(["history", "ai", "--config", config, "--format", "json", "--bucket", "6h"] + range)
        #expect(json.stdout == """
            {"narrative": "ai", "bucket": "6h", "points": [{"start": "2026-01-05T00:00:00Z", "items": 27, "matched": 11, "mentions": 11, \
            "expected": 10.1679, "score": 1.9866, "spike": false, "hyped": 0, "share": 0.4074}]}

            """)
        let table = try Binary.run(["history", "ai", "--config", config, "--format", "table"] + range)
        #expect(table.stdout == """
            narrative  start                 items  matched  mentions  expected  score  spike
            ai         2026-01-05T00:00:00Z      2        1         1       0.0    0.0         ███
            ai         2026-01-05T01:00:00Z      3        1         1       1.5    0.0         ███
            ai         2026-01-05T02:00:00Z      4        1         1       1.7    0.0         ███
            ai         2026-01-05T03:00:00Z      5        1         1       1.7    0.0         ███
            ai         2026-01-05T04:00:00Z      6        6         6       1.8    2.0         ████████████████████
            ai         2026-01-05T05:00:00Z      7        1         1       3.5    0.0         ███

            """)
    }
}
