import Foundation
import NarrativeCore

/// Builds a `ParsedFeed` from RSS (0.9x, 1.0, 2.0) and Atom (0.3, 1.0) events, with the
/// namespaces news feeds use: content:encoded, dc:creator/date/subject, atom:link in RSS.
final class SyndicationReader: XMLEventHandler {
    enum Namespace {
        static let atom1 = "http://www.w3.org/2005/Atom"
        static let atom03 = "http://purl.org/atom/ns#"
        static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        static let rss1 = "http://purl.org/rss/1.0/"
        static let rss09 = "http://my.netscape.com/rdf/simple/0.9/"
        static let content = "http://purl.org/rss/1.0/modules/content/"
        static let dc = "http://purl.org/dc/elements/1.1/"
        static let xml = "http://www.w3.org/XML/1998/namespace"
    }

    /// One open element: its name and the text gathered inside it.
    private struct Open {
        let namespace: String?
        let name: String
        let attributes: [XMLAttribute]
        var text = ""
        /// Atom text constructs of type xhtml carry markup as child elements.
        var keepsMarkup = false
    }

    private var stack: [Open] = []
    private var feed: ParsedFeed?
    private var rootName = ""
    private var item: ParsedItem?
    private var itemDepth = -1

    static func read(_ bytes: [UInt8]) throws(FeedParseError) -> ParsedFeed {
        let repaired = XMLRecovery.repair(bytes)
        let builder = SyndicationReader()
        let reader = XMLEventReader(handler: builder)
        let outcome = reader.parse(repaired ?? bytes)
        guard reader.sawRoot else { throw .unreadable(outcome.error ?? "no root element") }
        guard var feed = builder.feed else {
            throw .notAFeed("the root element is <\(builder.rootName)>, not rss, RDF or feed")
        }
        if let open = builder.item, builder.itemDepth >= 0 { feed.items.append(open) } // truncated inside an item
        if repaired != nil || !outcome.wellFormed {
            feed.bozo = true
            feed.bozoMessage = outcome.error ?? "undefined entities or bare ampersands repaired"
        }
        return feed
    }

    // MARK: Events

    func startElement(namespace: String?, name: String, attributes: [XMLAttribute]) {
        if stack.isEmpty {
            rootName = name
            feed = Self.format(root: name, namespace: namespace, attributes: attributes).map(ParsedFeed.init)
            if let lang = attributes.first(where: { $0.name == "lang" && $0.namespace == Namespace.xml })?.value {
                feed?.language = lang
            }
        }
        if let parent = stack.last, parent.keepsMarkup {
            stack[stack.count - 1].text += "<\(name)>"
            stack.append(Open(namespace: namespace, name: name, attributes: attributes, keepsMarkup: true))
            return
        }
        if feed != nil, item == nil, isItem(namespace: namespace, name: name) {
            item = ParsedItem()
            itemDepth = stack.count
        }
        let type = attributes.first { $0.name == "type" && $0.namespace == nil }?.value
        let keepsMarkup = isAtom && type == "xhtml" && ["content", "summary", "title"].contains(name)
        stack.append(Open(namespace: namespace, name: name, attributes: attributes, keepsMarkup: keepsMarkup))
        // Atom links are empty elements carrying an href.
        if name == "link", namespace == Namespace.atom1 || namespace == Namespace.atom03 {
            takeAtomLink(attributes)
        }
        if name == "category", isAtom, let term = attributes.first(where: { $0.name == "term" })?.value, !term.isEmpty {
            item?.categories.append(term)
        }
    }

    func characters(_ text: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += stack[stack.count - 1].keepsMarkup ? escapeMarkup(text) : text
    }

    func endElement(namespace: String?, name: String) {
        guard let open = stack.popLast() else { return }
        if open.keepsMarkup, let parent = stack.last, parent.keepsMarkup {
            stack[stack.count - 1].text += open.text + "</\(name)>"
            return
        }
        let depth = stack.count
        if item != nil, depth == itemDepth {
            feed?.items.append(item!)
            item = nil
            itemDepth = -1
            return
        }
        if item != nil, depth == itemDepth + 1 {
            assignItemField(open)
        } else if item == nil, isFeedLevel(depth: depth) {
            assignFeedField(open)
        } else if let parent = stack.last, item != nil, depth == itemDepth + 2, parent.name == "author", open.name == "name" {
            if item?.author == nil { item?.author = open.text.trimmed }
        } else if !stack.isEmpty, ["description", "encoded", "summary", "content"].contains(stack[stack.count - 1].name) {
            // Raw HTML inside a text element: keep it as markup of its parent.
            stack[stack.count - 1].text += "<\(name)>\(open.text)</\(name)>"
        }
    }

    // MARK: Fields

    private var isAtom: Bool { feed?.format == .atom1 || feed?.format == .atom03 }

    private func isItem(namespace: String?, name: String) -> Bool {
        isAtom ? name == "entry" : name == "item"
    }

    /// Channel children (RSS 2.0: rss/channel/x; RSS 1.0: RDF/channel/x) or feed children (Atom: feed/x).
    private func isFeedLevel(depth: Int) -> Bool {
        isAtom ? depth == 1 : depth == 2 && stack.last?.name == "channel"
    }

    private func assignItemField(_ open: Open) {
        let text = open.text
        switch (open.namespace, open.name) {
        case (Namespace.content, "encoded"): item?.content = text
        case (Namespace.dc, "creator"): if item?.author == nil { item?.author = text.trimmed }
        case (Namespace.dc, "date"): if item?.published == nil { item?.published = FeedDate.parse(text) }
        case (Namespace.dc, "subject"): append(category: text)
        case (_, "title"): item?.title = plain(text, isHTML: open.keepsMarkup || typeIsHTML(open))
        case (_, "link") where !isAtom: item?.link = text.trimmed
        case (_, "guid"): item?.id = text.trimmed
        case (_, "id") where isAtom: item?.id = text.trimmed
        case (_, "pubDate"), (_, "published"), (_, "issued"): item?.published = FeedDate.parse(text)
        case (_, "updated"), (_, "modified"): item?.updated = FeedDate.parse(text)
        case (_, "description"), (_, "summary"): item?.summary = text
        case (_, "content"): item?.content = text
        case (_, "author"): if item?.author == nil, !isAtom { item?.author = text.trimmed }
        case (_, "category") where !isAtom: append(category: text)
        default: break
        }
    }

    private func assignFeedField(_ open: Open) {
        switch (open.namespace, open.name) {
        case (_, "title"): feed?.title = plain(open.text, isHTML: open.keepsMarkup || typeIsHTML(open))
        case (_, "link") where !isAtom: if feed?.link == nil { feed?.link = open.text.trimmed }
        case (_, "language"): feed?.language = open.text.trimmed
        case (_, "lastBuildDate"), (_, "updated"), (_, "modified"): feed?.updated = FeedDate.parse(open.text) ?? feed?.updated
        case (Namespace.dc, "date"), (_, "pubDate"): if feed?.updated == nil { feed?.updated = FeedDate.parse(open.text) }
        default: break
        }
    }

    private func takeAtomLink(_ attributes: [XMLAttribute]) {
        guard let href = attributes.first(where: { $0.name == "href" })?.value else { return }
        let rel = attributes.first { $0.name == "rel" }?.value ?? "alternate"
        guard rel == "alternate" else { return }
        if item != nil {
            if item?.link == nil { item?.link = href.trimmed }
        } else if isAtom, stack.count == 2, feed?.link == nil {
            feed?.link = href.trimmed
        }
    }

    private func append(category: String) {
        let c = category.trimmed
        if !c.isEmpty { item?.categories.append(c) }
    }

    private func typeIsHTML(_ open: Open) -> Bool {
        let type = open.attributes.first { $0.name == "type" }?.value
        return type == "html" || type == "text/html"
    }

    private func plain(_ text: String, isHTML: Bool) -> String {
        (isHTML ? HTMLText.plainText(text) : text).trimmed
    }

    private func escapeMarkup(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C }) else { return text }
        return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }

    private static func format(root: String, namespace: String?, attributes: [XMLAttribute]) -> ParsedFeed.Format? {
        switch (root, namespace) {
        case ("rss", _):
            let version = attributes.first { $0.name == "version" }?.value ?? "2.0"
            return version.hasPrefix("0.9") ? .rss09 : .rss2
        case ("RDF", Namespace.rdf?): return .rss1
        case ("feed", Namespace.atom1?): return .atom1
        case ("feed", Namespace.atom03?): return .atom03
        case ("feed", nil): return .atom1
        default: return nil
        }
    }
}

extension String {
    var trimmed: String { trimmedWhitespace }
}
