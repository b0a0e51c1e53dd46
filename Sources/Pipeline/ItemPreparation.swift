import FoundationEssentials
import FeedParse
import NarrativeCore
import SeriesStore

/// Turns a parsed item into what the store keeps: its deduplication key, its bucket and
/// its narrative mentions. Pure: the same item always prepares the same way.
public struct ItemPreparation: Sendable {
    public let matcher: NarrativeMatcher
    public let bucketing: Bucketing
    /// Narratives of kind `hype`: marker words counted alongside the topics they ride.
    public let hypeNarratives: Set<String>
    /// How far in the future a published time may lie (clock skew), in seconds.
    static let futureTolerance: Int64 = 15 * 60
    /// Published times before 2000-01-01 are placeholders, not dates.
    static let earliestPlausible: Int64 = 946_684_800

    public init(narratives: [Configuration.Narrative], bucketing: Bucketing) {
        matcher = NarrativeMatcher(narratives: narratives)
        hypeNarratives = Set(narratives.filter { $0.kind == .hype }.map(\.id))
        self.bucketing = bucketing
    }

    /// nil when the item has nothing to identify it by (no id, link or title).
    public func prepare(_ item: ParsedItem, fetchedAt: Int64) -> IngestItem? {
        guard let key = Self.key(item) else { return nil }
        let published = item.published ?? item.updated
        let counted = published.flatMap { Self.isPlausible($0, fetchedAt: fetchedAt) ? $0 : nil } ?? fetchedAt
        let matches = matcher.analyze(Self.matchableText(item))
        let isHyped = matches.contains { hypeNarratives.contains($0.narrative) }
        return IngestItem(key: key, story: StoryIdentity(guid: item.id, link: item.link, title: item.title), title: item.title,
                          link: item.link, published: published, bucketStart: bucketing.start(of: counted),
                          mentions: Dictionary(uniqueKeysWithValues: matches.map { ($0.narrative, $0.mentions) }),
                          terms: Dictionary(uniqueKeysWithValues: matches.map { ($0.narrative, $0.terms) }),
                          hyped: isHyped ? Set(matches.map(\.narrative).filter { !hypeNarratives.contains($0) }) : [])
    }

    static func isPlausible(_ time: Int64, fetchedAt: Int64) -> Bool {
        time >= earliestPlausible && time <= fetchedAt + futureTolerance
    }

    /// guid, else link, else title (with its date): how an item is recognised when polled again.
    static func key(_ item: ParsedItem) -> String? {
        if let id = item.id?.trimmedWhitespace, !id.isEmpty { return "id:" + id }
        if let link = item.link?.trimmedWhitespace, !link.isEmpty { return "link:" + link }
        if let title = item.title?.trimmedWhitespace, !title.isEmpty { return "title:" + title + "|" + (item.published.map(String.init) ?? "") }
        return nil
    }

    /// Title, summary and content as visible text. A summary that merely repeats the start
    /// of the content is left out, so one sentence is not counted twice.
    public static func matchableText(_ item: ParsedItem) -> String {
        let summary = item.summary.map(HTMLText.plainText) ?? ""
        let content = item.content.map(HTMLText.plainText) ?? ""
        var parts = [item.title ?? ""]
        if !summary.isEmpty, !content.hasPrefix(summary.trimmingSuffix("…").trimmingSuffix("...")) { parts.append(summary) }
        if !content.isEmpty { parts.append(content) }
        return parts.joined(separator: "\n")
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
