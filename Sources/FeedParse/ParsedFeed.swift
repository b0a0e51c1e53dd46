/// A feed as NarrativeWatch understands it, whatever format it came in.
public struct ParsedFeed: Sendable, Equatable {
    public enum Format: String, Sendable { case rss2, rss1, rss09, atom1, atom03, jsonfeed }

    public var format: Format
    /// True when the document was not well-formed and was recovered as far as possible.
    public var bozo = false
    /// What the recovery had to get past, for `parse` output; nil when well-formed.
    public var bozoMessage: String?
    public var title: String?
    public var link: String?
    public var language: String?
    /// Seconds since 1970.
    public var updated: Int64?
    public var items: [ParsedItem] = []
    /// How often the feed says it changes, in seconds: RSS `<ttl>`, else `sy:updatePeriod`/`sy:updateFrequency`.
    public var refreshPeriod: Int?

    public init(format: Format) { self.format = format }
}

/// One entry of a feed. Text fields are plain Unicode with entities decoded;
/// `summary` and `content` keep their HTML as given.
public struct ParsedItem: Sendable, Equatable {
    /// guid / id as the feed gives it.
    public var id: String?
    public var title: String?
    public var link: String?
    /// Seconds since 1970.
    public var published: Int64?
    /// Seconds since 1970.
    public var updated: Int64?
    public var author: String?
    public var summary: String?
    public var content: String?
    public var categories: [String] = []

    public init() {}
}

/// Why a document could not be read as a feed.
public enum FeedParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing but white space.
    case empty
    /// Well-formed or not, the document is something else (HTML page, unknown JSON…).
    case notAFeed(String)
    /// Not even a root element could be read.
    case unreadable(String)

    public var description: String {
        switch self {
        case .empty: "the document is empty"
        case .notAFeed(let what): "not a feed: \(what)"
        case .unreadable(let why): "unreadable: \(why)"
        }
    }
}
