import FoundationEssentials

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
        guard let root = document.object else { throw .notAFeed("the JSON document is not an object") }
        // The version should be a jsonfeed.org URL; feeds that write "1.0" or leave it out are
        // still read when they have the shape of one.
        let version = root["version"]?.string
        guard version?.contains("jsonfeed.org/version/") == true || (root["items"]?.array != nil && (version != nil || root["title"] != nil)) else {
            throw .notAFeed("JSON without a jsonfeed.org version")
        }
        var feed = ParsedFeed(format: .jsonfeed)
        feed.title = root["title"]?.string
        feed.link = root["home_page_url"]?.string
        feed.language = root["language"]?.string
        for entry in (root["items"]?.array ?? []).compactMap(\.object) {
            var item = ParsedItem()
            item.id = entry["id"]?.string ?? entry["id"]?.numberText
            item.title = entry["title"]?.string
            item.link = entry["url"]?.string ?? entry["external_url"]?.string
            item.published = entry["date_published"]?.string.flatMap(FeedDate.parse)
            item.updated = entry["date_modified"]?.string.flatMap(FeedDate.parse)
            let authors = entry["authors"]?.array?.compactMap(\.object) ?? entry["author"]?.object.map { [$0] } ?? []
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

/// Any JSON value, so a feed whose fields have unexpected types is still read field by field.
enum JSONValue: Decodable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    /// A number as JSON would write it (ids are sometimes numbers).
    var numberText: String? {
        switch self {
        case .integer(let n): String(n)
        case .number(let d): String(d)
        default: nil
        }
    }
}
