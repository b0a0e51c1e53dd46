import Foundation
import NarrativeCore

/// Reads RSS, Atom and JSON Feed documents; the same code serves the daemon and `parse`.
public enum FeedParser {
    /// Parses a document, choosing the format from its content.
    /// - Parameter baseURL: where the document came from, to resolve relative links.
    public static func parse(_ bytes: [UInt8], baseURL: String? = nil) throws(FeedParseError) -> ParsedFeed {
        guard let first = firstSignificantByte(bytes) else { throw .empty }
        var feed: ParsedFeed
        if first == UInt8(ascii: "{") {
            feed = try JSONFeedReader.read(bytes)
        } else {
            feed = try SyndicationReader.read(bytes)
        }
        if let base = feed.link ?? baseURL {
            for i in feed.items.indices {
                feed.items[i].link = feed.items[i].link.map { LinkResolver.resolve($0, against: base) }
            }
        }
        return feed
    }

    /// First byte that is not white space or a byte-order mark.
    private static func firstSignificantByte(_ bytes: [UInt8]) -> UInt8? {
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return bytes[i]
            }
        }
        return nil
    }
}

/// Resolves relative links the way a browser would, for the common cases feeds contain.
enum LinkResolver {
    static func resolve(_ link: String, against base: String) -> String {
        let trimmed = link.trimmedWhitespace
        if trimmed.isEmpty || trimmed.contains("://") || trimmed.hasPrefix("mailto:") { return trimmed }
        guard let schemeEnd = base.range(of: "://") else { return trimmed }
        let scheme = base[..<schemeEnd.lowerBound]
        let afterScheme = base[schemeEnd.upperBound...]
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if trimmed.hasPrefix("//") { return "\(scheme):\(trimmed)" }
        if trimmed.hasPrefix("/") { return "\(scheme)://\(authority)\(trimmed)" }
        var path = String(afterScheme.dropFirst(authority.count).prefix { $0 != "?" && $0 != "#" })
        if let slash = path.lastIndex(of: "/") { path = String(path[...slash]) } else { path = "/" }
        return "\(scheme)://\(authority)\(path)\(trimmed)"
    }
}
