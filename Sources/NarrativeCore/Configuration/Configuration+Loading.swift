import FoundationEssentials

/// One problem in a configuration file, pointing at its line and key.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    /// Dotted key such as `feeds[2].url`; empty for a syntax error.
    public let key: String
    public let message: String

    public var description: String { key.isEmpty ? "line \(line): \(message)" : "line \(line): \(key): \(message)" }
}

/// Every problem found in one file; `description` is one line per problem, each naming the file.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let problems: [ConfigurationProblem]

    public init(file: String, problems: [ConfigurationProblem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        problems.map { "\(file):\($0.line): \($0.key.isEmpty ? "" : "\($0.key): ")\($0.message)" }.joined(separator: "\n")
    }
}

extension Configuration {
    /// Nil when `text` is an absolute http(s) URL with a host, as a feed or webhook URL must
    /// be, else why it is not.
    public static func urlProblem(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return "'\(text)' is not a valid URL" }
        guard scheme == "http" || scheme == "https" else { return "'\(text)' must be an http or https URL" }
        guard let host = url.host, !host.isEmpty else { return "'\(text)' has no host" }
        return nil
    }

    /// What tells two feed URLs apart: scheme and host are compared without case
    /// (`HTTP://Example.com/rss` is `http://example.com/rss`), the rest as written.
    public static func feedIdentity(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd: String.Index = afterScheme.firstIndex { (c: Character) in c == "/" || c == "?" || c == "#" } ?? afterScheme.endIndex
        let authority: String = url[..<authorityEnd].lowercased()
        return authority + String(url[authorityEnd...])
    }

    /// Parses and validates configuration text, collecting every problem rather than stopping at the first.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> Configuration {
        let root: TOMLTable
        do {
            root = try TOMLDocument.parse(text)
        } catch {
            throw ConfigurationError(file: file, problems: [ConfigurationProblem(line: error.line, key: "", message: error.message)])
        }
        var reader = ConfigurationReader()
        let configuration = reader.read(root)
        guard reader.problems.isEmpty else {
            throw ConfigurationError(file: file, problems: reader.problems.sorted { $0.line < $1.line })
        }
        return configuration
    }
}

/// Reads the TOML tree into a `Configuration`, recording a problem for each unknown key,
/// wrong type or invalid value.
struct ConfigurationReader {
    private(set) var problems: [ConfigurationProblem] = []

    private mutating func problem(_ line: Int, _ key: String, _ message: String) {
        problems.append(ConfigurationProblem(line: line, key: key, message: message))
    }

    mutating func read(_ root: TOMLTable) -> Configuration {
        var config = Configuration()
        for entry in root.entries {
            switch (entry.key, entry.value) {
            case ("storage", .table(let t)): readStorage(t, into: &config.storage)
            case ("polling", .table(let t)): readPolling(t, into: &config.polling)
            case ("detection", .table(let t)): readDetection(t, into: &config.detection)
            // Entries with problems are kept too, so the checks across entries below report
            // theirs in the same run; a configuration with any problem is refused as a whole.
            case ("feeds", .tableArray(let ts)): config.feeds = ts.enumerated().map { readFeed($1, index: $0) }
            case ("narratives", .tableArray(let ts)): config.narratives = ts.enumerated().map { readNarrative($1, index: $0) }
            case ("webhooks", .tableArray(let ts)): config.webhooks = ts.enumerated().map { readWebhook($1, index: $0) }
            case ("storage", _), ("polling", _), ("detection", _):
                problem(entry.line, entry.key, "must be a table ([\(entry.key)])")
            case ("feeds", _), ("narratives", _), ("webhooks", _):
                problem(entry.line, entry.key, "must be an array of tables ([[\(entry.key)]])")
            default:
                problem(entry.line, entry.key, "unknown key (expected storage, polling, detection, feeds, narratives or webhooks)")
            }
        }
        checkUnique(config.feeds.map(\.url), tables: root["feeds"], field: "url", section: "feeds", what: "feed url", identity: Configuration.feedIdentity)
        checkUnique(config.narratives.map(\.id), tables: root["narratives"], field: "id", section: "narratives", what: "narrative id")
        checkUnique(config.webhooks.map(\.name), tables: root["webhooks"], field: "name", section: "webhooks", what: "webhook name")
        let known = Set(config.narratives.map(\.id))
        if case .tableArray(let tables)? = root["webhooks"]?.value {
            for (index, hook) in config.webhooks.enumerated() {
                for id in hook.narratives where !known.contains(id) {
                    let line = tables.count > index ? (tables[index]["narratives"]?.line ?? tables[index].line) : 0
                    problem(line, "webhooks[\(index)].narratives", "unknown narrative '\(id)'")
                }
            }
        }
        return config
    }

    // MARK: Sections

    private mutating func readStorage(_ t: TOMLTable, into s: inout Configuration.Storage) {
        for e in t.entries {
            let key = "storage.\(e.key)"
            switch e.key {
            case "database": if let v = string(e, key), nonEmpty(v, e, key) { s.database = v }
            case "item_retention": if let v = duration(e, key) { s.itemRetention = v }
            default: unknown(e, key, expected: "database, item_retention")
            }
        }
    }

    private mutating func readPolling(_ t: TOMLTable, into p: inout Configuration.Polling) {
        for e in t.entries {
            let key = "polling.\(e.key)"
            switch e.key {
            case "interval": if let v = pollInterval(e, key) { p.interval = v }
            case "concurrency": if let v = integer(e, key, in: 1...1024) { p.concurrency = v }
            case "per_host": if let v = integer(e, key, in: 1...1024) { p.perHost = v }
            case "timeout": if let v = duration(e, key) { p.timeout = v }
            case "max_body":
                if let text = string(e, key) {
                    if let v = ConfigUnits.bytes(text) {
                        if v <= Configuration.Polling.largestBody { p.maxBody = v } else { problem(e.line, key, "'\(text)' is more than the 64MB a feed may have") }
                    } else {
                        problem(e.line, key, "'\(text)' is not a size (use e.g. \"10MB\", \"512KB\")")
                    }
                }
            case "max_interval": if let v = duration(e, key) { p.maxInterval = v }
            case "max_backoff": if let v = duration(e, key) { p.maxBackoff = v }
            default: unknown(e, key, expected: "interval, concurrency, per_host, timeout, max_body, max_interval, max_backoff")
            }
        }
    }

    private mutating func readDetection(_ t: TOMLTable, into d: inout Configuration.Detection) {
        var sensitivity: Double?
        for e in t.entries {
            let key = "detection.\(e.key)"
            switch e.key {
            case "bucket":
                if let v = duration(e, key) {
                    if Configuration.Detection.isValidBucket(v) { d.bucket = v } else { problem(e.line, key, "must divide a day evenly and be at least 1m (e.g. \"15m\", \"1h\", \"6h\", \"1d\")") }
                }
            case "baseline": if let v = duration(e, key) { d.baseline = v }
            case "warm_up": if let v = duration(e, key) { d.warmUp = v }
            case "min_count": if let v = integer(e, key, in: 1...1_000_000) { d.minCount = v }
            case "min_sources": if let v = integer(e, key, in: 1...1000) { d.minSources = v }
            case "min_lift":
                if let v = number(e, key) { if v >= 1 { d.minLift = v } else { problem(e.line, key, "must be at least 1.0") } }
            case "significance":
                if let v = number(e, key) { if v > 0 && v < 1 { d.significance = v } else { problem(e.line, key, "must be between 0 and 1") } }
            case "sensitivity":
                if let v = number(e, key) {
                    if (1...10).contains(v) { sensitivity = v } else { problem(e.line, key, "must be between 1 (quiet) and 10 (eager)") }
                }
            default: unknown(e, key, expected: "bucket, baseline, warm_up, min_count, min_lift, min_sources, significance, sensitivity")
            }
        }
        // One knob for those who do not want to learn the model; explicit settings win.
        if let sensitivity {
            if t["significance"] == nil { d.significance = Configuration.Detection.significance(sensitivity: sensitivity) }
            if t["min_lift"] == nil { d.minLift = Configuration.Detection.minLift(sensitivity: sensitivity) }
        }
        if d.baseline < d.bucket * 2 { problem(t["baseline"]?.line ?? t.line, "detection.baseline", "must span at least two buckets") }
    }

    private mutating func readFeed(_ t: TOMLTable, index: Int) -> Configuration.Feed {
        var feed = Configuration.Feed(url: "")
        for e in t.entries {
            let key = "feeds[\(index)].\(e.key)"
            switch e.key {
            case "url": if let v = string(e, key) { if let error = Configuration.urlProblem(v) { problem(e.line, key, error) } else { feed.url = v } }
            case "name": if let v = string(e, key), nonEmpty(v, e, key) { feed.name = v }
            case "interval": if let v = pollInterval(e, key) { feed.interval = v }
            case "language": if let v = string(e, key) { feed.language = v }
            default: unknown(e, key, expected: "url, name, interval, language")
            }
        }
        if t["url"] == nil { problem(t.line, "feeds[\(index)].url", "missing; every feed needs a url") }
        return feed
    }

    private mutating func readNarrative(_ t: TOMLTable, index: Int) -> Configuration.Narrative {
        var id = "", name: String?, kind = Configuration.Narrative.Kind.topic
        var terms: [Configuration.Narrative.Term] = [], exclude: [String] = []
        for e in t.entries {
            let key = "narratives[\(index)].\(e.key)"
            switch e.key {
            case "id":
                if let v = string(e, key) {
                    if Self.isValidID(v) { id = v } else { problem(e.line, key, "'\(v)' must be lower-case letters, digits and '-' ([a-z0-9-]+)") }
                }
            case "name": if let v = string(e, key), nonEmpty(v, e, key) { name = v }
            case "kind":
                if let v = string(e, key) {
                    if let k = Configuration.Narrative.Kind(rawValue: v) { kind = k } else { problem(e.line, key, "'\(v)' is not a kind (topic or hype)") }
                }
            case "terms":
                if let v = termList(e, key) {
                    terms = v
                    if v.isEmpty { problem(e.line, key, "must not be empty") }
                }
            case "exclude": if let v = strings(e, key) { exclude = v }
            default: unknown(e, key, expected: "id, name, kind, terms, exclude")
            }
        }
        if t["id"] == nil { problem(t.line, "narratives[\(index)].id", "missing; every narrative needs an id") }
        if t["terms"] == nil { problem(t.line, "narratives[\(index)].terms", "missing; a narrative needs at least one term") }
        for (n, term) in terms.enumerated() where !NarrativeMatcher.isMatchable(term.text) {
            problem(t["terms"]?.line ?? t.line, "narratives[\(index)].terms[\(n)]", "'\(term.text)' has no letters or digits to match")
        }
        for (n, phrase) in exclude.enumerated() where !NarrativeMatcher.isMatchable(phrase) {
            problem(t["exclude"]?.line ?? t.line, "narratives[\(index)].exclude[\(n)]", "'\(phrase)' has no letters or digits to match")
        }
        return Configuration.Narrative(id: id, name: name, kind: kind, terms: terms, exclude: exclude)
    }

    private mutating func readWebhook(_ t: TOMLTable, index: Int) -> Configuration.Webhook {
        var hook = Configuration.Webhook(name: "", url: "", format: .standard, secretFile: nil, narratives: [])
        for e in t.entries {
            let key = "webhooks[\(index)].\(e.key)"
            switch e.key {
            case "name": if let v = string(e, key), nonEmpty(v, e, key) { hook.name = v }
            case "url": if let v = string(e, key) { if let error = Configuration.urlProblem(v) { problem(e.line, key, error) } else { hook.url = v } }
            case "format":
                if let v = string(e, key) {
                    if let f = Configuration.Webhook.Format(rawValue: v) { hook.format = f } else { problem(e.line, key, "'\(v)' is not a format (standard, slack or discord)") }
                }
            case "secret_file": if let v = string(e, key), nonEmpty(v, e, key) { hook.secretFile = v }
            case "narratives": if let v = strings(e, key) { hook.narratives = v }
            case "min_severity":
                if let v = string(e, key) {
                    if let level = Configuration.Webhook.Severity(rawValue: v) { hook.minSeverity = level } else { problem(e.line, key, "'\(v)' is not a severity (warning or notice)") }
                }
            case "give_up_after": if let v = duration(e, key) { hook.giveUpAfter = v }
            default: unknown(e, key, expected: "name, url, format, secret_file, narratives, min_severity, give_up_after")
            }
        }
        if t["name"] == nil { problem(t.line, "webhooks[\(index)].name", "missing; every webhook needs a name") }
        if t["url"] == nil { problem(t.line, "webhooks[\(index)].url", "missing; every webhook needs a url") }
        return hook
    }

    // MARK: Values

    private mutating func unknown(_ e: TOMLTable.Entry, _ key: String, expected: String) {
        problem(e.line, key, "unknown key (expected one of: \(expected))")
    }

    private mutating func string(_ e: TOMLTable.Entry, _ key: String) -> String? {
        if case .string(let v) = e.value { return v }
        problem(e.line, key, "must be a string, not \(e.value.typeName)")
        return nil
    }

    private mutating func nonEmpty(_ v: String, _ e: TOMLTable.Entry, _ key: String) -> Bool {
        if !v.isEmpty { return true }
        problem(e.line, key, "must not be empty")
        return false
    }

    private mutating func strings(_ e: TOMLTable.Entry, _ key: String) -> [String]? {
        guard case .array(let values, _) = e.value else {
            problem(e.line, key, "must be an array of strings, not \(e.value.typeName)")
            return nil
        }
        var out: [String] = []
        let before = problems.count
        for (n, value) in values.enumerated() {
            guard case .string(let s) = value else {
                problem(e.line, "\(key)[\(n)]", "must be a string, not \(value.typeName)")
                continue
            }
            guard !s.isEmpty else { problem(e.line, "\(key)[\(n)]", "must not be empty"); continue }
            out.append(s)
        }
        return problems.count == before ? out : nil
    }

    /// Terms are strings, or inline tables `{ term = "SOL", match_case = true }`.
    private mutating func termList(_ e: TOMLTable.Entry, _ key: String) -> [Configuration.Narrative.Term]? {
        guard case .array(let values, _) = e.value else {
            problem(e.line, key, "must be an array of strings, not \(e.value.typeName)")
            return nil
        }
        var out: [Configuration.Narrative.Term] = []
        let before = problems.count
        terms: for (n, value) in values.enumerated() {
            switch value {
            case .string(let s) where !s.isEmpty:
                out.append(.init(s))
            case .table(let t):
                var term: Configuration.Narrative.Term?
                var matchCase = false
                for entry in t.entries {
                    switch (entry.key, entry.value) {
                    case ("term", .string(let s)) where !s.isEmpty: term = .init(s)
                    case ("match_case", .bool(let b)): matchCase = b
                    default:
                        problem(entry.line, "\(key)[\(n)].\(entry.key)", "expected term = \"…\" and optionally match_case = true")
                        continue terms
                    }
                }
                guard var found = term else {
                    problem(e.line, "\(key)[\(n)]", "an inline term needs term = \"…\"")
                    continue
                }
                found.matchCase = matchCase
                out.append(found)
            case .string:
                problem(e.line, "\(key)[\(n)]", "must not be empty")
            default:
                problem(e.line, "\(key)[\(n)]", "must be a string or { term = \"…\", match_case = true }, not \(value.typeName)")
            }
        }
        return problems.count == before ? out : nil
    }

    private mutating func duration(_ e: TOMLTable.Entry, _ key: String) -> Int? {
        guard let text = string(e, key) else { return nil }
        if let v = ConfigUnits.seconds(text) { return v }
        if ConfigUnits.seconds(text, limit: .max) != nil {
            problem(e.line, key, "'\(text)' is longer than 100 years")
        } else if let unit = text.trimmingSpaces().last, "smhdw".contains(unit), let n = Int(text.trimmingSpaces().dropLast()), n <= 0 {
            problem(e.line, key, "'\(text)' must be longer than zero")
        } else {
            problem(e.line, key, "'\(text)' is not a duration (use e.g. \"90s\", \"15m\", \"1h\", \"14d\")")
        }
        return nil
    }

    /// A polling interval: a feed polled more than once a minute burdens its publisher.
    private mutating func pollInterval(_ e: TOMLTable.Entry, _ key: String) -> Int? {
        guard let v = duration(e, key) else { return nil }
        guard v >= Configuration.Polling.shortestInterval else {
            problem(e.line, key, "'\(ConfigUnits.format(seconds: v))' is shorter than \(ConfigUnits.format(seconds: Configuration.Polling.shortestInterval)), the shortest polling interval")
            return nil
        }
        return v
    }

    private mutating func integer(_ e: TOMLTable.Entry, _ key: String, in range: ClosedRange<Int>) -> Int? {
        guard case .integer(let v) = e.value else {
            problem(e.line, key, "must be an integer, not \(e.value.typeName)")
            return nil
        }
        guard range.contains(v) else {
            problem(e.line, key, "\(v) is out of range (\(range.lowerBound)–\(range.upperBound))")
            return nil
        }
        return v
    }

    private mutating func number(_ e: TOMLTable.Entry, _ key: String) -> Double? {
        switch e.value {
        case .integer(let v): return Double(v)
        case .float(let v) where v.isFinite: return v
        default:
            problem(e.line, key, "must be a number, not \(e.value.typeName)")
            return nil
        }
    }

    private mutating func checkUnique(_ values: [String], tables: TOMLTable.Entry?, field: String, section: String, what: String,
                                      identity: (String) -> String = { $0 }) {
        guard case .tableArray(let ts)? = tables?.value else { return }
        var firstLine: [String: Int] = [:]
        for (index, t) in ts.enumerated() {
            guard let e = t[field], case .string(let v) = e.value, !v.isEmpty, values.contains(v) else { continue }
            if let earlier = firstLine[identity(v)] {
                problem(e.line, "\(section)[\(index)].\(field)", "duplicate \(what) '\(v)' (first defined on line \(earlier))")
            } else {
                firstLine[identity(v)] = e.line
            }
        }
    }

    static func isValidID(_ v: String) -> Bool {
        !v.isEmpty && v.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

}
