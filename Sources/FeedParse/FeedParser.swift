import FoundationEssentials
import NarrativeCore

/// Reads RSS, Atom and JSON Feed documents; the same code serves the daemon and `parse`.
public enum FeedParser {
    /// The largest document accepted, in bytes; `max_body` may not be more.
    public static let maximumDocumentSize = Configuration.Polling.largestBody

    /// Parses a document, choosing the format from its content.
    /// - Parameters:
    ///   - baseURL: where the document came from (after redirects), to resolve relative links.
    ///   - charset: the `charset` parameter of the HTTP Content-Type, when there was one.
    public static func parse(_ bytes: [UInt8], baseURL: String? = nil, charset: String? = nil) throws(FeedParseError) -> ParsedFeed {
        guard bytes.count <= maximumDocumentSize else {
            throw .unreadable("the document is larger than \(maximumDocumentSize >> 20) MB")
        }
        guard let first = firstSignificantByte(bytes) else { throw .empty }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return finish(try JSONFeedReader.read(bytes), baseURL: baseURL)
        }
        do {
            return finish(try readXML(bytes, baseURL: baseURL, charset: charset), baseURL: baseURL)
        } catch {
            // Text before the feed (a PHP warning printed ahead of the XML): read from where the
            // feed starts, and say so with bozo.
            guard let start = feedStart(in: bytes), var rest = try? readXML(Array(bytes[start...]), baseURL: baseURL, charset: charset),
                  rest.title != nil || !rest.items.isEmpty else {
                // A tag named in the text, not a feed after it.
                throw error
            }
            rest.bozo = true
            rest.bozoMessage = "\(start) bytes of text before the feed were passed over"
            return finish(rest, baseURL: baseURL)
        }
    }

    /// An RSS or Atom document, in whatever encoding it is, repaired where it is broken.
    private static func readXML(_ bytes: [UInt8], baseURL: String?, charset: String?) throws(FeedParseError) -> ParsedFeed {
        var decoded = FeedEncoding.decode(bytes, httpCharset: charset)
        var utf8 = decoded?.bytes ?? bytes
        var recovery = XMLRecovery(utf8)
        var result = try SyndicationReader.read(recovery.output ?? utf8, documentURL: baseURL)
        let notUTF8 = result.invalidUTF8 || (!result.wellFormed && decoded == nil && !utf8.withUnsafeBufferPointer(UTF8Profile.init).isValid)
        if notUTF8 {
            // UTF-8 is checked optimistically, by the XML parser (and for ill-formed documents,
            // where libxml2 may stop short of saying so, here): only documents that turn out
            // not to be valid are read again: in the encoding their bytes show when nothing names
            // one, else with the invalid sequences as Windows-1252.
            let declared = FeedEncoding.declaredEncoding(bytes).map(FeedEncoding.normalize)
            if declared == nil, charset == nil, decoded == nil, let (encoding, converted) = EncodingSniffer.guess(utf8) {
                decoded = FeedEncoding.Decoded(bytes: converted, encoding: encoding, problem: nil)
            } else {
                decoded = FeedEncoding.decodeUTF8(utf8, declared: declared)
                if declared == nil, charset == nil { decoded?.problem = nil }
            }
            utf8 = decoded!.bytes
            recovery = XMLRecovery(utf8)
            result = try SyndicationReader.read(recovery.output ?? utf8, documentURL: baseURL)
        }
        // libxml2 closes one element per end tag whatever it names, so after one mismatch every
        // later item nests inside the one before; read again with the nesting mended.
        if !result.wellFormed, let mended = (recovery.output ?? utf8).withUnsafeBufferPointer(TagBalancer.balance),
           let second = try? SyndicationReader.read(mended, documentURL: baseURL), second.feed.items.count > result.feed.items.count {
            result.feed = second.feed
        }
        var feed = result.feed
        if !result.wellFormed || recovery.repairedIllFormed || decoded?.problem != nil {
            feed.bozo = true
            feed.bozoMessage = result.error ?? recovery.firstRepair ?? decoded?.problem ?? "the document was repaired"
        }
        return feed
    }

    /// Where a feed starts after text that is not part of it: its XML declaration, which only
    /// ever opens a document; else, after text that is not markup, its root element's start tag.
    /// Nil when neither is there: an HTML page that shows a feed is still a page.
    private static func feedStart(in bytes: [UInt8]) -> Int? {
        if let declaration = firstTag(["<?xml"], in: bytes) { return declaration }
        guard let first = firstSignificantByte(bytes), first != UInt8(ascii: "<") else { return nil }
        return firstTag(["<rss", "<feed", "<rdf:RDF", "<RDF"], in: bytes)
    }

    /// The first of these tag openings after the first byte, followed by white space or `>`.
    private static func firstTag(_ tags: [String], in bytes: [UInt8]) -> Int? {
        let starts = tags.map { Array($0.utf8) }
        var i = 1
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<") {
                for start in starts where bytes[i...].starts(with: start) {
                    let after = i + start.count < bytes.count ? bytes[i + start.count] : 0
                    if after == 0x20 || after == 0x09 || after == 0x0A || after == 0x0D || after == UInt8(ascii: ">") { return i }
                }
            }
            i += 1
        }
        return nil
    }

    /// Text fields tidied and item links made absolute.
    private static func finish(_ feed: consuming ParsedFeed, baseURL: String?) -> ParsedFeed {
        // Consumed, so the items are changed in place rather than copied.
        feed.tidyTextFields()
        // Without a document URL, relative links are read against the feed's own link.
        if let base = feed.link ?? baseURL {
            for i in feed.items.indices {
                if let link = feed.items[i].link, !LinkResolver.isAbsolute(link) {
                    feed.items[i].link = LinkResolver.resolve(link, against: base)
                }
            }
        }
        return feed
    }

    /// The `charset` parameter of a Content-Type header (`text/xml; charset="ISO-8859-1"` gives
    /// `ISO-8859-1`), to pass to `parse(_:baseURL:charset:)`; nil when there is none.
    public static func charset(fromContentType contentType: String?) -> String? {
        guard let contentType else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmedWhitespace }
            guard pair.count == 2, pair[0].lowercased() == "charset" else { continue }
            let value = String(pair[1].drop { $0 == "\"" || $0 == "'" }.reversed().drop { $0 == "\"" || $0 == "'" }.reversed())
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// First byte that is not white space or a UTF-8 byte-order mark.
    private static func firstSignificantByte(_ bytes: [UInt8]) -> UInt8? {
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            case 0x00 where i + 1 < bytes.count: i += 1 // UTF-16/32 padding before '<'
            default: return bytes[i]
            }
        }
        return nil
    }
}

/// Resolves relative links as RFC 3986 says, against xml:base, the document URL or the feed's link.
enum LinkResolver {
    static func isAbsolute(_ link: String) -> Bool {
        guard let colon = link.utf8.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let scheme = link.utf8[..<colon]
        guard let first = scheme.first, (first | 0x20) >= 0x61, (first | 0x20) <= 0x7A else { return false }
        return scheme.allSatisfy { c in
            ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E
        }
    }

    static func resolve(_ link: String, against base: String) -> String {
        let trimmed = link.trimmedWhitespace
        if isAbsolute(trimmed) { return trimmed }
        if let baseURL = URL(string: base), baseURL.scheme != nil, let url = URL(string: trimmed, relativeTo: baseURL) {
            return url.absoluteString
        }
        guard let schemeEnd = base.firstRange(of: "://") else { return trimmed.isEmpty ? base : trimmed }
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
