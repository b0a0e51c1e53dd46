import FoundationEssentials
import NarrativeCore

/// Reads JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1).
enum JSONFeedReader {
    static func read(_ bytes: [UInt8]) throws(FeedParseError) -> ParsedFeed {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw .unreadable("invalid JSON: \(Self.describe(error))")
        } catch {
            throw .unreadable("invalid JSON")
        }
        guard document.isObject else { throw .notAFeed("the JSON document is not an object") }
        // The version should be a jsonfeed.org URL; feeds that write "1.0" or leave it out are
        // still read when they have the shape of one.
        let version = document["version"]?.string
        guard version?.contains("jsonfeed.org/version/") == true || (document["items"]?.array != nil && (version != nil || document["title"] != nil)) else {
            throw .notAFeed("JSON without a jsonfeed.org version")
        }
        var feed = ParsedFeed(format: .jsonfeed)
        feed.title = text(document["title"])?.foldedWhitespace
        feed.link = text(document["home_page_url"])
        feed.language = text(document["language"])
        // Items without authors have the feed's (JSON Feed 1.1).
        let feedAuthor = firstAuthor(document)
        for entry in document["items"]?.array ?? [] where entry.isObject {
            var item = ParsedItem()
            item.id = text(entry["id"]) ?? entry["id"]?.numberText
            item.title = text(entry["title"])?.foldedWhitespace
            item.link = text(entry["url"]) ?? text(entry["external_url"])
            item.published = text(entry["date_published"]).flatMap(FeedDate.parse)
            item.updated = text(entry["date_modified"]).flatMap(FeedDate.parse)
            item.author = firstAuthor(entry) ?? feedAuthor
            item.summary = text(entry["summary"])
            item.content = text(entry["content_html"]) ?? text(entry["content_text"])
            item.categories = entry["tags"]?.array?.compactMap(text) ?? []
            feed.items.append(item)
        }
        return feed
    }

    /// The name of the first author of a feed or item: 1.1's `authors`, else 1.0's `author`.
    private static func firstAuthor(_ object: JSONValue) -> String? {
        let authors = object["authors"]?.array?.filter(\.isObject) ?? object["author"].map { [$0] } ?? []
        return authors.lazy.compactMap { text($0["name"]) }.first
    }

    /// A string value without its surrounding white space; nil when that leaves nothing, as
    /// for an absent value (the XML formats read their text the same way).
    private static func text(_ value: JSONValue?) -> String? {
        value?.string?.trimmedNonEmpty
    }

    /// What went wrong and where, in a line an operator can act on.
    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
            let underlying = context.underlyingError.map { "\($0)" } ?? ""
            return underlying.isEmpty ? context.debugDescription : "\(context.debugDescription) \(underlying)"
        @unknown default:
            return "\(error)"
        }
    }
}
