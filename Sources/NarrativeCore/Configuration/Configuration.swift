import FoundationEssentials
import Glibc

/// NarrativeWatch's whole configuration, validated. Every key, its unit and default is
/// documented here and in `Config/narrative-watch.toml`.
public struct Configuration: Sendable, Equatable {
    public var storage = Storage()
    public var polling = Polling()
    public var detection = Detection()
    public var feeds: [Feed] = []
    public var narratives: [Narrative] = []
    public var webhooks: [Webhook] = []

    public init() {}

    public struct Storage: Sendable, Equatable {
        /// SQLite file; a relative path resolves against `$STATE_DIRECTORY`, else the working directory.
        public var database = "narrative-watch.sqlite"
        /// How long raw items are kept, in seconds (default 90 days); series and alerts are kept for ever.
        public var itemRetention = 90 * 86_400

        public init() {}
    }

    public struct Polling: Sendable, Equatable {
        /// Default interval between two polls of one feed, in seconds (default 15 minutes).
        public var interval = 15 * 60
        /// The shortest interval a feed may be given, in seconds.
        public static let shortestInterval = 60
        /// Transfers at once (default 16).
        public var concurrency = 16
        /// Transfers at once to one host (default 4).
        public var perHost = 4
        /// Whole-transfer timeout, in seconds (default 20).
        public var timeout = 20
        /// Largest response body accepted, in bytes (default 10 MiB).
        public var maxBody = 10 << 20
        /// The most `maxBody` may be: the largest document the feed parser reads (64 MiB).
        public static let largestBody = 64 << 20
        /// Longest a server's cache headers or a feed's `<ttl>` may stretch a feed's interval, in seconds (default 6 hours).
        public var maxInterval = 6 * 3600
        /// Cap of the backoff after failures, in seconds (default 6 hours); a failing feed is never dropped.
        public var maxBackoff = 6 * 3600

        public init() {}
    }

    public struct Detection: Sendable, Equatable {
        /// Width of one series bucket, in seconds (default 1 hour).
        public var bucket = 3600
        /// A bucket width the series can use: a minute or more, dividing a day evenly.
        public static func isValidBucket(_ seconds: Int) -> Bool { seconds >= 60 && 86_400 % seconds == 0 }
        /// Trailing window the baseline share is learnt from, in seconds (default 14 days).
        public var baseline = 14 * 86_400
        /// History a narrative needs before it can raise an alert, in seconds (default 3 days).
        public var warmUp = 3 * 86_400
        /// Fewest matching items in a bucket that can be a spike (default 5).
        public var minCount = 5
        /// Smallest ratio of observed to expected that can be a spike (default 2.0).
        public var minLift = 2.0
        /// Fewest distinct feeds behind a spike (default 2; fewer when fewer feeds deliver at all),
        /// so one feed repeating itself is not a wave.
        public var minSources = 2
        /// Largest upper-tail probability per hour of series that still counts as significant (default 1e-4).
        public var significance = 1e-4

        public init() {}

        /// `sensitivity` 1 (quiet) … 10 (eager), 5 being the defaults: the significance level…
        public static func significance(sensitivity s: Double) -> Double { pow(10, -(1 + 0.6 * (10 - s))) }
        /// …and the minimum lift it stands for.
        public static func minLift(sensitivity s: Double) -> Double { 1.5 + 0.1 * (10 - s) }
    }

    public struct Feed: Sendable, Equatable {
        public var url: String
        /// Display name; nil means the feed's own title.
        public var name: String?
        /// Interval between polls, in seconds; nil means `polling.interval`.
        public var interval: Int?
        /// Language hint such as `en`, `ar`, `zh`.
        public var language: String?

        public init(url: String, name: String? = nil, interval: Int? = nil, language: String? = nil) {
            self.url = url
            self.name = name
            self.interval = interval
            self.language = language
        }
    }

    public struct Narrative: Sendable, Equatable {
        public enum Kind: String, Sendable { case topic, hype }

        /// A word or phrase that counts as a mention.
        public struct Term: Sendable, Equatable {
            public var text: String
            /// Match the case as written: for short acronyms that collide with words (`SOL`, `OP`).
            public var matchCase: Bool

            public init(_ text: String, matchCase: Bool = false) {
                self.text = text
                self.matchCase = matchCase
            }
        }

        /// Stable key, `[a-z0-9-]+`.
        public var id: String
        public var name: String
        /// `hype` narratives are marker words ("revolution") counted alongside the topics they ride.
        public var kind: Kind
        public var terms: [Term]
        /// Phrases inside which a hit does not count.
        public var exclude: [String]

        public init(id: String, name: String? = nil, kind: Kind = .topic, terms: [Term], exclude: [String] = []) {
            self.id = id
            self.name = name ?? id
            self.kind = kind
            self.terms = terms
            self.exclude = exclude
        }

        public init(id: String, name: String? = nil, kind: Kind = .topic, terms: [String], exclude: [String] = []) {
            self.init(id: id, name: name, kind: kind, terms: terms.map { Term($0) }, exclude: exclude)
        }
    }

    public struct Webhook: Sendable, Equatable {
        public enum Format: String, Sendable, CaseIterable { case standard, slack, discord }
        /// The least severe event a hook receives, named after the journal priorities:
        /// `warning` (spikes that start) or `notice` (also spikes that resolve).
        public enum Severity: String, Sendable, CaseIterable {
            case warning, notice
            /// The syslog priority: lower is more severe.
            public var priority: Int { self == .warning ? 4 : 5 }
        }
        public var name: String
        public var url: String
        public var format: Format
        /// File holding the `whsec_…` secret; a relative path resolves against `$CREDENTIALS_DIRECTORY`.
        public var secretFile: String?
        /// Narrative ids this hook receives; empty means all.
        public var narratives: [String]
        /// Default `notice`: every spike started and resolved.
        public var minSeverity: Severity
        /// How long an undelivered event is retried before it is given up, in seconds (default 3 days).
        public var giveUpAfter: Int

        public init(name: String, url: String, format: Format = .standard, secretFile: String? = nil, narratives: [String] = [],
                    minSeverity: Severity = .notice, giveUpAfter: Int = 3 * 86_400) {
            self.name = name
            self.url = url
            self.format = format
            self.secretFile = secretFile
            self.narratives = narratives
            self.minSeverity = minSeverity
            self.giveUpAfter = giveUpAfter
        }
    }
}

extension Configuration.Feed {
    /// The interval that applies to this feed, in seconds.
    public func effectiveInterval(_ polling: Configuration.Polling) -> Int { interval ?? polling.interval }
}
