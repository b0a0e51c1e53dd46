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
        feed.title = document["title"]?.string
        feed.link = document["home_page_url"]?.string
        feed.language = document["language"]?.string
        for entry in document["items"]?.array ?? [] where entry.isObject {
            var item = ParsedItem()
            item.id = entry["id"]?.string ?? entry["id"]?.numberText
            item.title = entry["title"]?.string
            item.link = entry["url"]?.string ?? entry["external_url"]?.string
            item.published = entry["date_published"]?.string.flatMap(FeedDate.parse)
            item.updated = entry["date_modified"]?.string.flatMap(FeedDate.parse)
            let authors = entry["authors"]?.array?.filter(\.isObject) ?? entry["author"].map { [$0] } ?? []
            item.author = authors.compactMap { $0["name"]?.string }.first
            item.summary = entry["summary"]?.string
            item.content = entry["content_html"]?.string ?? entry["content_text"]?.string
            item.categories = entry["tags"]?.array?.compactMap(\.string) ?? []
            feed.items.append(item)
        }
        return feed
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
