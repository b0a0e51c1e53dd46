import Foundation

/// Reads JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1).
enum JSONFeedReader {
    static func read(_ bytes: [UInt8]) throws(FeedParseError) -> ParsedFeed {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw .unreadable("invalid JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any] else { throw .notAFeed("the JSON document is not an object") }
        // The version should be a jsonfeed.org URL; feeds that write "1.0" or leave it out are
        // still read when they have the shape of one.
        let version = root["version"] as? String
        guard version?.contains("jsonfeed.org/version/") == true || (root["items"] is [Any] && (version != nil || root["title"] != nil)) else {
            throw .notAFeed("JSON without a jsonfeed.org version")
        }
        var feed = ParsedFeed(format: .jsonfeed)
        feed.title = root["title"] as? String
        feed.link = root["home_page_url"] as? String
        feed.language = root["language"] as? String
        for entry in root["items"] as? [[String: Any]] ?? [] {
            var item = ParsedItem()
            item.id = (entry["id"] as? String) ?? (entry["id"] as? NSNumber)?.stringValue
            item.title = entry["title"] as? String
            item.link = (entry["url"] as? String) ?? (entry["external_url"] as? String)
            item.published = (entry["date_published"] as? String).flatMap(FeedDate.parse)
            item.updated = (entry["date_modified"] as? String).flatMap(FeedDate.parse)
            let authors = (entry["authors"] as? [[String: Any]]) ?? ((entry["author"] as? [String: Any]).map { [$0] } ?? [])
            item.author = authors.compactMap { $0["name"] as? String }.first
            item.summary = entry["summary"] as? String
            item.content = (entry["content_html"] as? String) ?? (entry["content_text"] as? String)
            item.categories = entry["tags"] as? [String] ?? []
            feed.items.append(item)
        }
        return feed
    }
}
