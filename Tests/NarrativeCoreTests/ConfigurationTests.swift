import NarrativeCore
import Testing

struct ConfigurationTests {
    func problems(_ toml: String) -> [String] {
        do {
            _ = try Configuration.parse(toml, file: "nw.toml")
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func completeConfigurationIsRead() throws {
        let c = try Configuration.parse("""
            [storage]
            database = "db.sqlite"
            item_retention = "30d"
            [polling]
            interval = "10m"
            concurrency = 8
            per_host = 2
            timeout = "15s"
            max_body = "5MB"
            [detection]
            bucket = "15m"
            baseline = "7d"
            min_lift = 3
            [[feeds]]
            url = "https://cointelegraph.com/rss"
            name = "Cointelegraph"
            interval = "5m"
            language = "en"
            [[narratives]]
            id = "ai"
            name = "AI"
            terms = ["AI", "人工智能"]
            exclude = ["EU AI Act"]
            [[webhooks]]
            name = "ops"
            url = "https://example.invalid/hook"
            format = "slack"
            narratives = ["ai"]
            """, file: "nw.toml")
        #expect(c.storage.database == "db.sqlite")
        #expect(c.storage.itemRetention == 30 * 86_400)
        #expect(c.polling.interval == 600)
        #expect(c.polling.concurrency == 8)
        #expect(c.polling.perHost == 2)
        #expect(c.polling.timeout == 15)
        #expect(c.polling.maxBody == 5 << 20)
        #expect(c.detection.bucket == 900)
        #expect(c.detection.baseline == 7 * 86_400)
        #expect(c.detection.minLift == 3)
        #expect(c.feeds == [.init(url: "https://cointelegraph.com/rss", name: "Cointelegraph", interval: 300, language: "en")])
        #expect(c.narratives.first?.terms.map(\.text) == ["AI", "人工智能"])
        #expect(c.webhooks.first?.format == .slack)
    }

    @Test func defaultsApplyWhenSectionsAreMissing() throws {
        let c = try Configuration.parse("", file: "nw.toml")
        #expect(c.polling.interval == 900)
        #expect(c.detection.bucket == 3600)
        #expect(c.storage.database == "narrative-watch.sqlite")
    }

    @Test(arguments: [
        ("[polling]\nintervall = \"1m\"", "nw.toml:2: polling.intervall: unknown key"),
        ("[polling]\ninterval = \"fast\"", "nw.toml:2: polling.interval: 'fast' is not a duration"),
        ("[storage]\nitem_retention = \"0d\"", "nw.toml:2: storage.item_retention: '0d' must be longer than zero"),
        ("[storage]\nitem_retention = \"106751991167d\"", "nw.toml:2: storage.item_retention: '106751991167d' is longer than 100 years"),
        ("[polling]\ninterval = 15", "nw.toml:2: polling.interval: must be a string, not integer"),
        ("[polling]\ninterval = \"30s\"", "nw.toml:2: polling.interval: '30s' is shorter than 1m, the shortest polling interval"),
        ("[[feeds]]\nurl = \"https://a.test/\"\ninterval = \"59s\"", "nw.toml:3: feeds[0].interval: '59s' is shorter than 1m"),
        ("[polling]\nconcurrency = 0", "nw.toml:2: polling.concurrency: 0 is out of range"),
        ("[polling]\nmax_body = \"lots\"", "nw.toml:2: polling.max_body: 'lots' is not a size"),
        ("[polling]\nmax_body = \"64GB\"", "nw.toml:2: polling.max_body: '64GB' is more than the 64MB a feed may have"),
        ("[detection]\nbucket = \"7m\"", "nw.toml:2: detection.bucket: must divide a day evenly"),
        ("[[feeds]]\nurl = \"not a url\"", "nw.toml:2: feeds[0].url: 'not a url'"),
        ("[[feeds]]\nurl = \"file:///etc/passwd\"", "nw.toml:2: feeds[0].url: 'file:///etc/passwd' must be an http or https URL"),
        ("[[feeds]]\nname = \"x\"", "nw.toml:1: feeds[0].url: missing"),
        ("[[feeds]]\nurl = \"https://a.test/\"\n[[feeds]]\nurl = \"https://a.test/\"", "nw.toml:4: feeds[1].url: duplicate feed url 'https://a.test/' (first defined on line 2)"),
        // Scheme and host have no case; the path has.
        ("[[feeds]]\nurl = \"https://a.test/RSS\"\n[[feeds]]\nurl = \"HTTPS://A.test/RSS\"", "nw.toml:4: feeds[1].url: duplicate feed url 'HTTPS://A.test/RSS' (first defined on line 2)"),
        ("[[narratives]]\nid = \"AI\"\nterms = [\"AI\"]", "nw.toml:2: narratives[0].id: 'AI' must be lower-case"),
        ("[[narratives]]\nid = \"ai\"\nterms = []", "nw.toml:3: narratives[0].terms: must not be empty"),
        ("[[narratives]]\nid = \"ai\"\nterms = [\"--\"]", "nw.toml:3: narratives[0].terms[0]: '--' has no letters or digits"),
        ("[[narratives]]\nid = \"ai\"\nterms = [\"AI\", 3]", "nw.toml:3: narratives[0].terms[1]: must be a string or { term = \"…\", match_case = true }, not integer"),
        ("[[narratives]]\nid = \"ai\"\nkind = \"meme\"\nterms = [\"AI\"]", "nw.toml:3: narratives[0].kind: 'meme' is not a kind"),
        ("[[webhooks]]\nname = \"a\"\nurl = \"https://h.test/\"\nformat = \"teams\"", "nw.toml:4: webhooks[0].format: 'teams' is not a format"),
        ("[[webhooks]]\nname = \"a\"\nurl = \"https://h.test/\"\nnarratives = [\"nope\"]", "nw.toml:4: webhooks[0].narratives: unknown narrative 'nope'"),
        ("[[webhooks]]\nname = \"a\"\nurl = \"https://h.test/\"\nmin_severity = \"info\"", "nw.toml:4: webhooks[0].min_severity: 'info' is not a severity (warning or notice)"),
        ("[[webhooks]]\nname = \"a\"\nurl = \"https://h.test/\"\ngive_up_after = \"forever\"", "nw.toml:4: webhooks[0].give_up_after: 'forever' is not a duration"),
        ("colour = \"red\"", "nw.toml:1: colour: unknown key"),
        ("[polling\ninterval = \"1m\"", "nw.toml:1: unterminated table header"),
        ("[polling]\ninterval = \"1m", "nw.toml:2: unterminated string"),
        ("[polling]\ninterval = \"1m\"\ninterval = \"2m\"", "nw.toml:3: key 'interval' is defined twice"),
    ])
    func eachMistakeIsOneLineNamingFileLineAndKey(toml: String, expected: String) {
        let lines = problems(toml)
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix(expected) == true, "\(lines)")
    }

    @Test func webhooksTakeASeverityFloorAndAGiveUpAge() throws {
        let c = try Configuration.parse("""
            [[webhooks]]
            name = "a"
            url = "https://h.test/"
            min_severity = "warning"
            give_up_after = "12h"

            [[webhooks]]
            name = "b"
            url = "https://h.test/b"
            """, file: "nw.toml")
        #expect(c.webhooks.map(\.minSeverity) == [.warning, .notice])
        #expect(c.webhooks.map(\.giveUpAfter) == [12 * 3600, 3 * 86_400])
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() {
        let lines = problems("[polling]\ninterval = \"x\"\ntimeout = \"y\"\nbogus = 1")
        #expect(lines.count == 3)
        // Across entries too: a webhook or narrative with one mistake is still checked for the others.
        let entries = problems("""
            [[narratives]]
            id = "ai"
            kind = "meme"
            terms = ["AI", "", { trm = "x" }, 5]

            [[webhooks]]
            name = "ops"
            url = "gopher://h.test/"
            narratives = ["ai", "nope"]

            [[webhooks]]
            name = "ops"
            url = "https://h.test/"
            """)
        #expect(entries == [
            "nw.toml:3: narratives[0].kind: 'meme' is not a kind (topic or hype)",
            "nw.toml:4: narratives[0].terms[1]: must not be empty",
            "nw.toml:4: narratives[0].terms[2].trm: expected term = \"…\" and optionally match_case = true",
            "nw.toml:4: narratives[0].terms[3]: must be a string or { term = \"…\", match_case = true }, not integer",
            "nw.toml:8: webhooks[0].url: 'gopher://h.test/' must be an http or https URL",
            "nw.toml:9: webhooks[0].narratives: unknown narrative 'nope'",
            "nw.toml:12: webhooks[1].name: duplicate webhook name 'ops' (first defined on line 7)",
        ], "\(entries)")
    }
}

struct TOMLDocumentTests {
    @Test func valuesAndLinesAreKept() throws {
        let root = try TOMLDocument.parse("""
            # comment
            a = "x\\ty\\u00e9"
            b = 'C:\\path'
            c = 1_000
            d = 2.5
            e = true
            f = [1, 2,
                 3, ] # trailing
            g = { h = "i" }
            j.k = "dotted"
            m = \"\"\"
            multi
            line\"\"\"

            [t]
            x = 0x10
            [[arr]]
            n = 1
            [[arr]]
            n = 2
            """)
        guard case .string("x\tyé")? = root["a"]?.value else { Issue.record("a"); return }
        #expect(root["a"]?.line == 2)
        guard case .string("C:\\path")? = root["b"]?.value, case .integer(1000)? = root["c"]?.value, case .float(2.5)? = root["d"]?.value,
              case .bool(true)? = root["e"]?.value, case .array(let f, _)? = root["f"]?.value, case .table(let g)? = root["g"]?.value,
              case .table(let j)? = root["j"]?.value, case .string("multi\nline")? = root["m"]?.value else {
            Issue.record("values: \(root.entries.map { "\($0.key)=\($0.value)" })")
            return
        }
        #expect(f.count == 3)
        guard case .string("i")? = g["h"]?.value, case .string("dotted")? = j["k"]?.value else { Issue.record("nested"); return }
        guard case .table(let t)? = root["t"]?.value, case .integer(16)? = t["x"]?.value else { Issue.record("t: \(String(describing: root["t"]))"); return }
        #expect(t["x"]?.line == 16)
        guard case .tableArray(let arr)? = root["arr"]?.value else { Issue.record("arr"); return }
        #expect(arr.map(\.line) == [17, 19])
        #expect(arr.last?["n"]?.line == 20)
    }

    @Test func aDottedKeyFindsItsLineOrItsNearestTable() throws {
        let root = try TOMLDocument.parse("""
            [detection]
            baseline = "14d"
            bucket = "1h"

            [[webhooks]]
            name = "a"

            [[webhooks]]
            name = "b"
            secret_file = "/s"
            """)
        #expect(root.line(of: "detection.bucket") == 3)
        #expect(root.line(of: "detection.sensitivity") == 1, "not written: its table")
        #expect(root.line(of: "webhooks[1].secret_file") == 10)
        #expect(root.line(of: "webhooks[0].secret_file") == 5)
        #expect(root.line(of: "webhooks[0]") == 5)
        #expect(root.line(of: "webhooks[2].name") == 5, "no third webhook: where the webhooks begin")
        #expect(root.line(of: "storage.database") == nil)
    }

    @Test(arguments: ["a = ", "a = b", "[t]\n[t]", "a = 1\na = 2", "a = [1, 2", "a = \"\\q\""])
    func malformedDocumentsAreRejected(text: String) {
        #expect(throws: TOMLSyntaxError.self) { try TOMLDocument.parse(text) }
    }
}

struct ConfigUnitsTests {
    @Test func durations() {
        #expect(ConfigUnits.seconds("90s") == 90)
        #expect(ConfigUnits.seconds("15m") == 900)
        #expect(ConfigUnits.seconds("1h") == 3600)
        #expect(ConfigUnits.seconds("14d") == 14 * 86_400)
        #expect(ConfigUnits.seconds("2w") == 14 * 86_400)
        for bad in ["", "h", "0m", "-5m", "1.5h", "10", "10 x", "36501d", "106751991167d", "99999999999999999999s"] {
            #expect(ConfigUnits.seconds(bad) == nil, "\(bad)")
        }
        #expect(ConfigUnits.seconds("36500d") == 36_500 * 86_400)
        #expect(ConfigUnits.format(seconds: 3600) == "1h")
        #expect(ConfigUnits.format(seconds: 90) == "90s")
    }

    @Test func sizes() {
        #expect(ConfigUnits.bytes("10MB") == 10 << 20)
        #expect(ConfigUnits.bytes("512KB") == 512 << 10)
        #expect(ConfigUnits.bytes("300B") == 300)
        #expect(ConfigUnits.bytes("ten") == nil)
    }
}
