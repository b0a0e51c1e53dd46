import NarrativeCore

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

extension ParsedFeed {
    /// The text fields as `parse` shows them and the ingester keeps them: absent rather than
    /// blank, and without control characters (C0 but tab, line feed and return; DEL; C1)
    /// however the feed wrote them (`&amp;#27;` in an HTML title, `\u001b` in JSON), since
    /// titles reach an operator's terminal, where ESC starts a command. `summary` and
    /// `content` stay as given.
    mutating func tidyTextFields() {
        title = title.flatMap(Self.tidy)
        link = link.flatMap(Self.tidy)
        language = language.flatMap(Self.tidy)
        for i in items.indices {
            items[i].id = items[i].id.flatMap(Self.tidy)
            items[i].title = items[i].title.flatMap(Self.tidy)
            items[i].link = items[i].link.flatMap(Self.tidy)
            items[i].author = items[i].author.flatMap(Self.tidy)
            if items[i].categories.contains(where: { $0.isEmpty || Self.hasControl($0) }) {
                items[i].categories = items[i].categories.compactMap(Self.tidy)
            }
        }
    }

    private static func tidy(_ text: String) -> String? {
        guard hasControl(text) else { return text.isEmpty ? nil : text }
        // A control between two words parted them (a vertical tab for a line break): a space.
        let kept = String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? " " : $0 })).trimmedWhitespace
        return kept.isEmpty ? nil : kept
    }

    /// A quick look at the bytes first: almost every string has none of these.
    private static func hasControl(_ text: String) -> Bool {
        let suspect = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.contains { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }
        } ?? true
        return suspect && text.unicodeScalars.contains(where: isControl)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }
}
