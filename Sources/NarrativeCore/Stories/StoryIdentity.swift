import FoundationEssentials

/// How one story is recognised when it reaches several feeds, or comes back with a new
/// date or a new tracking link: a global guid, its canonical link, or its normalized title.
public struct StoryIdentity: Sendable, Equatable {
    /// A guid that names the story everywhere (a URL, `tag:` or `urn:`); short per-site
    /// numbers are not, since two sites may both have a story "1234".
    public let guid: String?
    /// The link without scheme, `www.`, fragment, trailing slash or tracking parameters.
    public let canonicalLink: String?
    /// The normalized title, when it is long enough to identify a story.
    public let titleKey: String?

    /// Two stories with the same title key are one only when published this close, in seconds.
    public static let titleWindow: Int64 = 48 * 3600
    /// Shortest normalized title, in bytes, trusted as an identity ("Daily update" is not).
    static let shortestTitleKey = 24

    public init(guid: String?, link: String?, title: String?) {
        self.guid = guid.flatMap(Self.globalGuid)
        canonicalLink = link.flatMap(Self.canonicalLink)
        titleKey = title.flatMap(Self.titleKey)
    }

    static func globalGuid(_ guid: String) -> String? {
        let g = guid.trimmedWhitespace
        if g.contains("://") { return canonicalLink(g) }
        return g.hasPrefix("tag:") || g.hasPrefix("urn:") ? g : nil
    }

    /// Parameters that only say where a reader came from.
    private static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi", "mkt_tok",
        "ref", "ref_src", "cmpid", "ncid", "sr_share", "soc_src", "soc_trk", "ito", "guccounter", "rss", "partner",
    ]

    public static func canonicalLink(_ link: String) -> String? {
        var rest = Substring(link.trimmedWhitespace)
        guard let scheme = rest.firstRange(of: "://") else { return nil }
        guard ["http", "https"].contains(rest[..<scheme.lowerBound].lowercased()) else { return nil }
        rest = rest[scheme.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var host = rest[..<slash].lowercased()
        if host.hasPrefix("www.") { host.removeFirst(4) }
        if host.hasSuffix(":80") { host.removeLast(3) } else if host.hasSuffix(":443") { host.removeLast(4) }
        var path = String(rest[slash...])
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard !host.isEmpty else { return nil }
        let kept = query.split(separator: "&").filter { pair in
            let name = pair.split(separator: "=", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            return !name.isEmpty && !name.hasPrefix("utm_") && !trackingParameters.contains(name)
        }.sorted()
        return host + (path == "/" ? "" : path) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    public static func titleKey(_ title: String) -> String? {
        let key = TextNormalizer.normalize(title)
        return key.utf8.count >= shortestTitleKey ? key : nil
    }
}
