import FoundationEssentials
import NarrativeCore

/// Builds a `ParsedFeed` from RSS (0.90, 0.91/0.92, 1.0, 2.0) and Atom (0.3, 1.0) events, with
/// the namespaces news feeds use: content:encoded, dc:creator/date/subject/title, dcterms dates,
/// media:title/description, atom:link in RSS, xhtml:body.
final class SyndicationReader: XMLEventHandler {
    /// The namespaces that mean something here; every other one is ignored.
    enum Namespace: Equatable {
        case none, atom1, atom03, rss090, rss1, rss2, rdf, content, dc, dcterms, xhtml, media, sy, feedburner, itunes, other

        /// Feeds misspell the URIs in small ways (https, a missing final slash): read past those.
        init(uri: String) {
            var u = uri.trimmedWhitespace
            if u.hasPrefix("https://") { u = "http://" + u.dropFirst(8) }
            if u.hasSuffix("/") { u.removeLast() }
            switch u {
            case "http://www.w3.org/2005/Atom": self = .atom1
            case "http://purl.org/atom/ns#": self = .atom03
            case "http://my.netscape.com/rdf/simple/0.9": self = .rss090
            case "http://purl.org/rss/1.0": self = .rss1
            case "http://backend.userland.com/rss2", "http://blogs.law.harvard.edu/tech/rss": self = .rss2
            case "http://www.w3.org/1999/02/22-rdf-syntax-ns#": self = .rdf
            case "http://purl.org/rss/1.0/modules/content": self = .content
            case "http://purl.org/dc/elements/1.1", "http://purl.org/dc/elements/1.0": self = .dc
            case "http://purl.org/dc/terms": self = .dcterms
            case "http://www.w3.org/1999/xhtml": self = .xhtml
            case "http://search.yahoo.com/mrss": self = .media
            case "http://purl.org/rss/1.0/modules/syndication": self = .sy
            case "http://rssnamespace.org/feedburner/ext/1.0": self = .feedburner
            case "http://www.itunes.com/dtds/podcast-1.0.dtd": self = .itunes
            default: self = .other
            }
        }

        /// A prefix used without being declared: the namespace it always stands for in feeds.
        init(undeclaredPrefix prefix: String) {
            switch prefix {
            case "atom": self = .atom1
            case "content": self = .content
            case "dc": self = .dc
            case "dcterms": self = .dcterms
            case "itunes": self = .itunes
            case "media": self = .media
            case "rdf": self = .rdf
            case "sy": self = .sy
            case "xhtml": self = .xhtml
            default: self = .other
            }
        }
    }

    /// How a text construct carries its value.
    private enum TextMode {
        /// Plain text.
        case text
        /// An RSS title, which has no type: plain text, unless it reads as HTML that was escaped
        /// once more (`&amp;#8217;`, `&lt;b&gt;…&lt;/b&gt;`) or put in CDATA.
        case textOrEscapedHTML
        /// HTML, escaped in the XML (or naked, which is kept as markup).
        case html
        /// Markup as child elements (Atom xhtml, Atom 0.3 mode="xml").
        case xml
        /// Base64 of the real value, which is text or HTML.
        case base64(html: Bool)

        var isText: Bool {
            switch self {
            case .text, .textOrEscapedHTML: true
            default: false
            }
        }
    }

    /// The fields an element can fill.
    private enum Field {
        case title, link, origLink, id, published, created, updated, dcDate, summary, content, author, authorName, authorEmail, sourceAuthorName
        case category, tags, language
        /// RSS `<ttl>` (minutes) and the syndication module's update period and frequency.
        case ttl, updatePeriod, updateFrequency
    }

    /// One open element.
    private struct Frame {
        let name: String
        let namespace: Namespace
        /// The xml:base in scope, resolved.
        let base: String?
    }

    /// A field being gathered, from its start tag to its end tag (its bytes are in `buffer`).
    private struct Capture {
        let field: Field
        let depth: Int
        let mode: TextMode
        let isItem: Bool
        /// An Atom 1.0 xhtml construct, whose wrapping div is not part of the value.
        let stripsDiv: Bool
        /// A stand-in (dc:title, media:description…) used only when the proper field is missing.
        let fallback: Bool
        /// A guid that may serve as the link.
        let permaLink: Bool
        /// The element a summary came from, to tell `description` from `summary` when both appear.
        let source: String?
        var childElements = 0
        /// A start tag written without its closing '>' yet, so empty elements become `<br />`.
        var pendingStartTag = false
    }

    private var stack: [Frame] = []
    private var feed: ParsedFeed?
    private var rootName = ""
    private var item: ItemState?
    private var itemDepth = -1
    private var capture: Capture?
    private var namespaces: [UnsafeRawPointer: Namespace] = [:]
    /// Namespaces guessed for prefixes used without a declaration, and the first such prefix.
    private var undeclared: [UnsafeRawPointer: Namespace] = [:]
    private var undeclaredPrefix: String?
    private var names: [UnsafeRawPointer: String] = [:]
    private var documentURL: String?
    private var feedLanguageFromAttribute: String?
    private var feedLanguage: String?
    private var ttlMinutes: Int?
    private var updatePeriod: String?
    private var updateFrequency: Int?
    private var channelLinkSeen = false
    private var feedTitleFallback: String?
    /// An Atom feed's own author, which its entries without one inherit (RFC 4287 4.2.1).
    private var feedAuthorName: String?
    private var feedAuthorEmail: String?

    /// An item while it is read: fields and where each came from.
    private struct ItemState {
        var item = ParsedItem()
        var base: String?
        var hasAlternateLink = false
        var guidLink: String?
        /// FeedBurner's `origLink`: the article itself, where `<link>` goes through a redirect.
        var origLink: String?
        var dcDate: Int64?
        /// Atom 0.3's and Dublin Core's `created`: when the item was written, used only when it
        /// has no publication date.
        var created: Int64?
        var authorName: String?
        var authorEmail: String?
        /// The author so far is from dc:creator, to which a further dc:creator adds a name.
        var authorFromCreator = false
        /// The author of the feed an Atom entry was copied from (its `source`): the entry's
        /// when it names none, before the feed's (RFC 4287 4.2.1).
        var sourceAuthor: String?
        /// The text of an author element outside its name, email and web address: RSS's
        /// `jane@example.org (Jane Roe)`, or an Atom author written without a name.
        var authorText: [UInt8] = []
        var summaryFrom: String?
        var rdfAbout: String?
        var titleFallback: String?
        var summaryFallback: String?
    }

    static func read(_ bytes: [UInt8], documentURL: String?) throws(FeedParseError) -> (feed: ParsedFeed, wellFormed: Bool, error: String?, invalidUTF8: Bool) {
        let builder = SyndicationReader()
        builder.documentURL = documentURL
        let reader = XMLEventReader(handler: builder)
        let outcome = bytes.withUnsafeBufferPointer { reader.parse($0) }
        guard reader.sawRoot else { throw .unreadable(outcome.error ?? "no root element") }
        guard var feed = builder.feed else {
            throw .notAFeed("the root element is <\(builder.rootName)>, not rss, RDF or feed")
        }
        if builder.item != nil { builder.finishItem() } // truncated inside an item
        builder.finishFeed()
        feed = builder.feed ?? feed
        var error = builder.tooDeep ? "elements nested deeper than \(maximumDepth) levels were passed over" : outcome.error
        if error == nil, let prefix = builder.undeclaredPrefix { error = "the namespace prefix \(prefix) is used without being declared" }
        return (feed, outcome.wellFormed && !builder.tooDeep && builder.undeclaredPrefix == nil, error, outcome.invalidUTF8)
    }

    // MARK: Events

    /// The deepest nesting read; deeper elements are passed over (their text is kept).
    static let maximumDepth = 256
    private var ignoredDepth = 0
    private(set) var tooDeep = false

    func startElement(_ name: XMLName, attributes: XMLAttributes) {
        if stack.count >= Self.maximumDepth {
            ignoredDepth += 1
            tooDeep = true
            return
        }
        if capturing {
            captureStart(name, attributes: attributes)
            return
        }
        let local = localName(name)
        let ns = namespace(name)
        let parentBase = stack.last?.base ?? documentURL
        let base = attributes.value("base", prefix: "xml").map { resolve($0, against: parentBase) } ?? parentBase
        if stack.isEmpty {
            startRoot(local, name: name, namespace: ns, attributes: attributes)
        }
        let depth = stack.count
        stack.append(Frame(name: local, namespace: ns, base: base))
        guard feed != nil else { return }

        if item == nil {
            if isItem(local, ns) {
                item = ItemState()
                item?.base = base
                item?.rdfAbout = attributes.value("about", prefix: "rdf")
                itemDepth = depth
                return
            }
            if local == "channel", ns == .rss090 { feed?.format = .rss09 }
            if local == "channel", depth == 1, feedLanguageFromAttribute == nil {
                feedLanguageFromAttribute = attributes.value("lang", prefix: "xml")
            }
            if isFeedLevel(depth: depth) {
                startFeedChild(local, ns, attributes: attributes, depth: depth, base: base)
            } else if isAtom, depth == 2, stack[1].name == "author", isCore(stack[1].namespace), isCore(ns) {
                switch local {
                case "name" where feedAuthorName == nil: beginCapture(.authorName, depth: depth, mode: .text, isItem: false)
                case "email" where feedAuthorEmail == nil: beginCapture(.authorEmail, depth: depth, mode: .text, isItem: false)
                default: break
                }
            }
            return
        }
        if depth == itemDepth + 1 {
            startItemChild(local, ns, attributes: attributes, depth: depth, base: base)
        } else if depth == itemDepth + 2, stack[depth - 1].name == "author", isCore(stack[depth - 1].namespace), isCore(ns) {
            switch local {
            case "name": beginCapture(.authorName, depth: depth, mode: .text, isItem: true)
            case "email": beginCapture(.authorEmail, depth: depth, mode: .text, isItem: true)
            default: break
            }
        } else if depth == itemDepth + 3, local == "name", isCore(ns), stack[depth - 1].name == "author", stack[depth - 2].name == "source",
                  isCore(stack[depth - 1].namespace), item?.sourceAuthor == nil {
            beginCapture(.sourceAuthorName, depth: depth, mode: .text, isItem: true)
        } else if depth == itemDepth + 2, ns == .media, stack[depth - 1].namespace == .media,
                  stack[depth - 1].name == "group" || stack[depth - 1].name == "content" {
            // Video feeds (YouTube's among them) keep an entry's description in media:group. Weakest
            // of the stand-ins: a photo's caption in media:content must not replace a dc:title.
            switch local {
            case "title" where item?.titleFallback == nil:
                beginCapture(.title, depth: depth, mode: .text, isItem: true, fallback: true)
            case "description" where item?.summaryFallback == nil:
                beginCapture(.summary, depth: depth, mode: .text, isItem: true, fallback: true)
            default: break
            }
        }
    }

    func endElement(_ name: XMLName) {
        if ignoredDepth > 0 {
            ignoredDepth -= 1
            return
        }
        if capturing {
            if stack.count - 1 > capture!.depth {
                // Mutated in place: a copy would duplicate the gathered bytes at every child.
                captureEnd(name)
                stack.removeLast()
                return
            }
            let open = capture!
            capture = nil
            capturing = false
            finishCapture(open)
        }
        guard let frame = stack.popLast() else { return }
        if item != nil, stack.count == itemDepth {
            finishItem()
            return
        }
        if item != nil, stack.count == itemDepth + 1, frame.name == "author", isCore(frame.namespace), let author = item {
            var state = author
            if state.item.author == nil {
                state.item.author = Self.author(name: state.authorName, email: state.authorEmail)
                    ?? Self.string(state.authorText[...]).foldedWhitespace.trimmedNonEmpty
            }
            state.authorName = nil
            state.authorEmail = nil
            state.authorText.removeAll()
            item = state
            authorDepth = -1
        }
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) {
        guard capturing else {
            if authorDepth >= 0, !Self.authorAddresses.contains(stack.last?.name ?? "") { item?.authorText.append(contentsOf: text) }
            return
        }
        if capture!.pendingStartTag {
            buffer.append(UInt8(ascii: ">"))
            capture!.pendingStartTag = false
        }
        if captureEscapesText {
            appendEscaped(text, to: &buffer)
        } else {
            buffer.append(contentsOf: text)
        }
    }

    /// The depth of the item's author element while it is open, else -1.
    private var authorDepth = -1
    /// An author's web address, by the names Atom 1.0, Atom 0.3 and others give it: not a name.
    private static let authorAddresses: Set<String> = ["uri", "url", "homepage"]

    /// The bytes of the field being captured; one buffer serves every field in turn.
    private var buffer: [UInt8] = []
    /// Read on every text event, so kept outside the capture.
    private var capturing = false
    private var captureEscapesText = false

    // MARK: Root and levels

    private func startRoot(_ local: String, name: XMLName, namespace ns: Namespace, attributes: XMLAttributes) {
        rootName = local
        let version = attributes.value("version")
        let format: ParsedFeed.Format?
        switch local {
        case "rss": format = (version ?? "2.0").hasPrefix("0.9") ? .rss09 : .rss2
        case "RDF": format = ns == .rdf || ns == .other ? .rss1 : nil
        case "feed": format = ns == .atom03 || (ns != .atom1 && version == "0.3") ? .atom03 : .atom1
        default: format = nil
        }
        feed = format.map(ParsedFeed.init)
        feedLanguageFromAttribute = attributes.value("lang", prefix: "xml")
        // A feed in an unknown namespace (early Atom drafts) is read as its root says.
        if ns == .other, let key = name.namespaceKey, isAtom { namespaces[key] = format == .atom03 ? .atom03 : .atom1 }
    }

    private var isAtom: Bool { feed?.format == .atom1 || feed?.format == .atom03 }

    /// The namespaces of the format itself: none, the root's, and the syndication ones.
    private func isCore(_ ns: Namespace) -> Bool {
        switch ns {
        case .none, .atom1, .atom03, .rss090, .rss1, .rss2: true
        default: false
        }
    }

    private func isItem(_ local: String, _ ns: Namespace) -> Bool {
        if isAtom { return local == "entry" && isCore(ns) }
        return local == "item" && isCore(ns)
    }

    /// Channel children (rss/channel/x, RDF/channel/x) or feed children (feed/x).
    private func isFeedLevel(depth: Int) -> Bool {
        if isAtom { return depth == 1 }
        return depth == 2 && stack[1].name == "channel"
    }

    // MARK: Feed fields

    private func startFeedChild(_ local: String, _ ns: Namespace, attributes: XMLAttributes, depth: Int, base: String?) {
        let core = isCore(ns)
        switch (local, core, ns) {
        case ("title", true, _):
            beginCapture(.title, depth: depth, mode: textMode(attributes, default: isAtom ? .text : .textOrEscapedHTML), isItem: false)
        case ("title", _, .dc):
            beginCapture(.title, depth: depth, mode: .text, isItem: false, fallback: true)
        case ("link", true, _) where isAtom || ns == .atom1:
            takeLink(attributes, base: base, isItem: false, depth: depth)
        case ("link", true, _):
            if feed?.link == nil { beginCapture(.link, depth: depth, mode: .text, isItem: false) }
        case ("language", true, _), ("language", _, .dc):
            beginCapture(.language, depth: depth, mode: .text, isItem: false)
        case ("lastBuildDate", true, _), ("updated", true, _), ("modified", true, _), ("modified", _, .dcterms):
            beginCapture(.updated, depth: depth, mode: .text, isItem: false)
        case ("pubDate", true, _), ("date", _, .dc), ("published", true, _), ("issued", true, _):
            beginCapture(.dcDate, depth: depth, mode: .text, isItem: false)
        case ("ttl", true, _):
            beginCapture(.ttl, depth: depth, mode: .text, isItem: false)
        case ("updatePeriod", _, .sy):
            beginCapture(.updatePeriod, depth: depth, mode: .text, isItem: false)
        case ("updateFrequency", _, .sy):
            beginCapture(.updateFrequency, depth: depth, mode: .text, isItem: false)
        default: break
        }
    }

    // MARK: Item fields

    private func startItemChild(_ local: String, _ ns: Namespace, attributes: XMLAttributes, depth: Int, base: String?) {
        let core = isCore(ns)
        switch (local, ns) {
        case ("title", _) where core:
            beginCapture(.title, depth: depth, mode: textMode(attributes, default: isAtom ? .text : .textOrEscapedHTML), isItem: true)
        case ("title", .dc), ("title", .media):
            beginCapture(.title, depth: depth, mode: .text, isItem: true, fallback: true)
        case ("link", _) where (core && isAtom) || ns == .atom1 || ns == .atom03:
            takeLink(attributes, base: base, isItem: true, depth: depth)
        case ("link", _) where core:
            beginCapture(.link, depth: depth, mode: .text, isItem: true)
        case ("origLink", .feedburner):
            beginCapture(.origLink, depth: depth, mode: .text, isItem: true)
        case ("guid", _) where core:
            let permaLink = attributes.value("isPermaLink").map { $0.lowercased() != "false" } ?? true
            beginCapture(.id, depth: depth, mode: .text, isItem: true, permaLink: permaLink)
        case ("id", _) where core:
            beginCapture(.id, depth: depth, mode: .text, isItem: true, permaLink: false)
        case ("pubDate", _) where core, ("published", _) where core, ("issued", _) where core, ("issued", .dcterms):
            beginCapture(.published, depth: depth, mode: .text, isItem: true)
        case ("created", _) where core, ("created", .dcterms):
            beginCapture(.created, depth: depth, mode: .text, isItem: true)
        case ("updated", _) where core, ("modified", _) where core, ("modified", .dcterms):
            beginCapture(.updated, depth: depth, mode: .text, isItem: true)
        case ("date", .dc):
            beginCapture(.dcDate, depth: depth, mode: .text, isItem: true)
        case ("description", _) where core, ("summary", _) where core:
            beginCapture(.summary, depth: depth, mode: isAtom ? textMode(attributes, default: .text) : .html, isItem: true, source: local)
        case ("description", .media), ("description", .dc), ("summary", .itunes):
            beginCapture(.summary, depth: depth, mode: .text, isItem: true, fallback: true)
        case ("content", _) where core:
            beginCapture(.content, depth: depth, mode: isAtom ? textMode(attributes, default: .text) : .html, isItem: true)
        case ("encoded", .content):
            beginCapture(.content, depth: depth, mode: .html, isItem: true)
        case ("fullitem", _) where core:
            beginCapture(.content, depth: depth, mode: .html, isItem: true)
        case ("body", .xhtml):
            beginCapture(.content, depth: depth, mode: .xml, isItem: true)
        case ("author", _) where core:
            // Read from its name and email, else from its text (see `endElement`).
            authorDepth = depth
            item?.authorText.removeAll()
        case ("creator", .dc), ("author", .dc):
            beginCapture(.author, depth: depth, mode: .text, isItem: true)
        case ("category", _) where core:
            if isAtom || ns == .atom1 {
                if let term = (attributes.value("term") ?? attributes.value("label"))?.trimmedNonEmpty {
                    item?.item.categories.append(term)
                }
            } else {
                beginCapture(.category, depth: depth, mode: .text, isItem: true)
            }
        case ("subject", .dc):
            beginCapture(.category, depth: depth, mode: .text, isItem: true)
        case ("tags", _) where core:
            beginCapture(.tags, depth: depth, mode: .text, isItem: true)
        default: break
        }
    }

    /// Atom links: the alternate one is the item's link; its href, or its text in old Atom 0.3.
    /// One to a page is taken over one to another kind of document (JSON, audio).
    private func takeLink(_ attributes: XMLAttributes, base: String?, isItem: Bool, depth: Int) {
        let rel = attributes.value("rel") ?? "alternate"
        guard rel == "alternate" || rel == "http://www.iana.org/assignments/relation/alternate" else { return }
        if isItem {
            guard item?.hasAlternateLink == false else { return }
        } else if channelLinkSeen {
            return
        }
        if let href = attributes.value("href") {
            if let type = attributes.value("type"), !type.isBlank, !Self.namesHTML(type) {
                // Kept only until a page's link comes: an RSS <link> or another alternate.
                let link = resolve(href.trimmed, against: base)
                guard !link.isEmpty else { return }
                if isItem {
                    if item?.item.link == nil { item?.item.link = link }
                } else if feed?.link == nil {
                    feed?.link = link
                }
                return
            }
            setLink(resolve(href.trimmed, against: base), isItem: isItem)
        } else {
            beginCapture(.link, depth: depth, mode: .text, isItem: isItem)
        }
    }

    /// True for a media type of HTML or XHTML (`text/html`, `application/xhtml+xml`), in any case.
    private static func namesHTML(_ type: String) -> Bool {
        var previous: (UInt8, UInt8, UInt8) = (0, 0, 0)
        for c in type.utf8 {
            let lower = c | 0x20
            if previous == (UInt8(ascii: "h"), UInt8(ascii: "t"), UInt8(ascii: "m")), lower == UInt8(ascii: "l") { return true }
            previous = (previous.1, previous.2, lower)
        }
        return false
    }

    private func setLink(_ link: String, isItem: Bool) {
        guard !link.isEmpty else { return }
        if isItem {
            item?.item.link = link
            item?.hasAlternateLink = true
        } else {
            feed?.link = link
            channelLinkSeen = true
        }
    }

    // MARK: Capture

    private func beginCapture(_ field: Field, depth: Int, mode: TextMode, isItem: Bool, fallback: Bool = false, permaLink: Bool = false,
                              source: String? = nil) {
        var stripsDiv = false
        if feed?.format == .atom1 {
            switch mode {
            case .xml, .html: stripsDiv = true
            default: break
            }
        }
        capture = Capture(field: field, depth: depth, mode: mode, isItem: isItem, stripsDiv: stripsDiv, fallback: fallback, permaLink: permaLink,
                          source: source)
        buffer.removeAll(keepingCapacity: true)
        capturing = true
        if case .xml = mode { captureEscapesText = true } else { captureEscapesText = false }
    }

    /// A child element inside a captured field: kept as markup.
    private func captureStart(_ name: XMLName, attributes: XMLAttributes) {
        let local = localName(name)
        stack.append(Frame(name: local, namespace: namespace(name), base: stack.last?.base))
        if capture!.pendingStartTag { buffer.append(UInt8(ascii: ">")) }
        if capture!.childElements == 0, capture!.mode.isText {
            // Text with elements in it is read as HTML, so the text before them is escaped:
            // `<b>Tom</b> &lt;tom@example.org&gt;` keeps its address when made plain.
            let before = buffer
            buffer.removeAll(keepingCapacity: true)
            before.withUnsafeBufferPointer { appendEscaped($0, to: &buffer) }
            captureEscapesText = true
        }
        capture!.childElements += 1
        buffer.append(UInt8(ascii: "<"))
        buffer.append(contentsOf: name.qualifiedName.utf8)
        for (key, value) in attributes.all where !key.hasPrefix("xmlns") {
            buffer.append(contentsOf: " \(key)=\"".utf8)
            appendEscaped(value, to: &buffer, quotes: true)
            buffer.append(UInt8(ascii: "\""))
        }
        capture!.pendingStartTag = true
    }

    private func captureEnd(_ name: XMLName) {
        if capture!.pendingStartTag {
            buffer.append(contentsOf: " />".utf8)
            capture!.pendingStartTag = false
        } else if name.prefix == nil, Self.isVoidElement(name.local) {
            // A naked `<br>` the XML parser held open until some later end tag: HTML has no `</br>`.
        } else {
            buffer.append(contentsOf: "</".utf8)
            buffer.append(contentsOf: name.qualifiedName.utf8)
            buffer.append(UInt8(ascii: ">"))
        }
    }

    /// HTML elements that have no end tag.
    private static let voidElements: [[UInt8]] = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                                                  "source", "track", "wbr"].map { Array($0.utf8) }

    /// True for a void element's name, read from libxml2's bytes without making a String: it
    /// is asked at every end tag inside a summary or content.
    private static func isVoidElement(_ local: UnsafePointer<UInt8>) -> Bool {
        var n = 0
        while n < 7, local[n] != 0 { n += 1 }
        guard (2...6).contains(n) else { return false }
        let name = UnsafeBufferPointer(start: local, count: n)
        return voidElements.contains { $0.count == n && $0.elementsEqual(name) }
    }

    private func finishCapture(_ open: Capture) {
        var isMarkup = open.childElements > 0
        var value: String
        switch open.mode {
        case .base64(let html):
            // Only what decodes to UTF-8 text was base64; custom types are often plain text.
            let text = String(decoding: buffer, as: UTF8.self)
            if let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters), let decoded = String(validating: data, as: UTF8.self) {
                value = decoded.trimmed
                isMarkup = html
            } else {
                value = text.trimmed
            }
        case .html:
            isMarkup = true
            var bytes = buffer[...]
            if open.stripsDiv, open.childElements > 0 { bytes = Self.strippingDiv(bytes) }
            value = HTMLRepair.windows1252References(Self.trimming(bytes))
        case .xml:
            isMarkup = true
            value = Self.string(Self.trimming(open.stripsDiv ? Self.strippingDiv(buffer[...]) : buffer[...]))
        case .text, .textOrEscapedHTML:
            value = Self.string(Self.trimming(buffer[...]))
            if case .textOrEscapedHTML = open.mode, open.childElements == 0, Self.readsAsHTML(value.utf8) { value = HTMLText.plainText(value) }
            // A title written over several lines of XML is one line.
            if open.field == .title { value = value.foldedWhitespace }
            if open.childElements > 0, open.field != .summary, open.field != .content {
                // Elements in a text field (`<title><p>Entry</p></title>`): the text they hold.
                // A summary keeps its HTML, as given.
                value = HTMLText.plainText(value)
                isMarkup = false
            }
        }
        if open.isItem {
            assignItem(open.field, value: value, isMarkup: isMarkup, fallback: open.fallback, permaLink: open.permaLink, source: open.source)
        } else {
            assignFeed(open.field, value: value, isMarkup: isMarkup, fallback: open.fallback)
        }
    }

    /// A string from UTF-8 bytes, through the standard library's fastest path (a buffer pointer).
    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    /// The bytes without the white space around them.
    private static func trimming(_ b: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = b.startIndex, end = b.endIndex
        while start < end, b[start] == 0x20 || b[start] == 0x0A || b[start] == 0x0D || b[start] == 0x09 { start += 1 }
        while end > start, b[end - 1] == 0x20 || b[end - 1] == 0x0A || b[end - 1] == 0x0D || b[end - 1] == 0x09 { end -= 1 }
        return b[start..<end]
    }

    private func assignFeed(_ field: Field, value: String, isMarkup: Bool, fallback: Bool) {
        switch field {
        case .title:
            let title = isMarkup ? HTMLText.plainText(value) : value
            if fallback {
                feedTitleFallback = feedTitleFallback ?? title
            } else if feed?.title == nil {
                feed?.title = title
            }
        case .link:
            let base = stack.last?.base ?? documentURL
            setLink(resolve(value, against: base), isItem: false)
        case .language: if !value.isEmpty { feedLanguage = feedLanguage ?? value }
        case .updated: if let t = FeedDate.parse(value) { feed?.updated = t }
        case .dcDate: if feed?.updated == nil { feed?.updated = FeedDate.parse(value) }
        case .authorName: feedAuthorName = value
        case .authorEmail: feedAuthorEmail = value
        case .ttl: ttlMinutes = Int(value.trimmedWhitespace).flatMap { $0 > 0 ? $0 : nil }
        case .updatePeriod: updatePeriod = value.trimmedWhitespace.lowercased()
        case .updateFrequency: updateFrequency = Int(value.trimmedWhitespace).flatMap { $0 > 0 ? $0 : nil }
        default: break
        }
    }

    private func assignItem(_ field: Field, value: String, isMarkup: Bool, fallback: Bool, permaLink: Bool, source: String?) {
        guard item != nil else { return }
        switch field {
        case .title:
            let title = isMarkup ? HTMLText.plainText(value) : value
            if fallback {
                item!.titleFallback = title
            } else if item!.item.title == nil {
                item!.item.title = title
            }
        case .link:
            if !item!.hasAlternateLink, !value.isEmpty {
                let base = stack.last?.base ?? documentURL
                setLink(resolve(value, against: base), isItem: true)
            }
        case .origLink:
            if !value.isEmpty { item!.origLink = resolve(value, against: stack.last?.base ?? documentURL) }
        case .id:
            if item!.item.id == nil, !value.isEmpty {
                item!.item.id = value
                if permaLink, value.hasPrefix("http://") || value.hasPrefix("https://") { item!.guidLink = value }
            }
        case .published:
            // A later element of the same kind corrects an earlier one.
            if let t = FeedDate.parse(value) { item!.item.published = t }
        case .updated:
            if let t = FeedDate.parse(value) { item!.item.updated = t }
        case .created:
            if let t = FeedDate.parse(value) { item!.created = t }
        case .dcDate:
            if item!.dcDate == nil { item!.dcDate = FeedDate.parse(value) }
        case .summary:
            // HTML stays as given, but an empty description is none: a fallback or a later one may fill it.
            guard !value.isBlank else { return }
            if fallback {
                item!.summaryFallback = value
            } else if item!.item.summary == nil {
                item!.item.summary = value
                item!.summaryFrom = source
            } else if item!.item.content == nil, source != item!.summaryFrom {
                item!.item.content = value
            }
        case .content:
            if item!.item.content == nil, !value.isBlank { item!.item.content = value }
        case .author:
            guard !value.isBlank else { return }
            if item!.item.author == nil {
                item!.item.author = value.foldedWhitespace
                item!.authorFromCreator = true
            } else if item!.authorFromCreator {
                // Co-authors, one dc:creator each.
                item!.item.author! += ", " + value.foldedWhitespace
            }
        case .authorName: item!.authorName = value
        case .authorEmail: item!.authorEmail = value
        case .sourceAuthorName: item!.sourceAuthor = value.foldedWhitespace.trimmedNonEmpty
        case .category:
            if !value.isEmpty { item!.item.categories.append(value) }
        case .tags:
            for tag in value.split(separator: ",") {
                let t = tag.trimmedWhitespace
                if !t.isEmpty { item!.item.categories.append(t) }
            }
        case .language, .ttl, .updatePeriod, .updateFrequency: break
        }
    }

    private func finishItem() {
        guard var state = item else { return }
        if state.item.title == nil, let t = state.titleFallback, !t.isEmpty { state.item.title = t }
        if state.item.summary == nil, let s = state.summaryFallback, !s.isEmpty { state.item.summary = s }
        if let link = state.origLink { state.item.link = link }
        if state.item.author == nil { state.item.author = state.sourceAuthor }
        if state.item.link == nil, let link = state.guidLink { state.item.link = link }
        if state.item.id == nil, let about = state.rdfAbout, !about.isEmpty { state.item.id = about }
        if let dcDate = state.dcDate {
            if state.item.updated == nil { state.item.updated = dcDate }
            if state.item.published == nil { state.item.published = dcDate }
        }
        if state.item.published == nil { state.item.published = state.created }
        feed?.items.append(state.item)
        item = nil
        itemDepth = -1
        authorDepth = -1
    }

    /// "Name (email)", or whichever of the two is given.
    private static func author(name: String?, email: String?) -> String? {
        switch (name?.foldedWhitespace.trimmedNonEmpty, email?.trimmedNonEmpty) {
        case let (n?, e?): "\(n) (\(e))"
        case let (n?, nil): n
        case let (nil, e?): e
        case (nil, nil): nil
        }
    }

    /// Called once the document is read.
    func finishFeed() {
        if feed?.title == nil, let title = feedTitleFallback, !title.isEmpty { feed?.title = title }
        if let author = Self.author(name: feedAuthorName, email: feedAuthorEmail), let count = feed?.items.count {
            for i in 0..<count where feed?.items[i].author == nil { feed?.items[i].author = author }
        }
        let periods = ["hourly": 3600, "daily": 86_400, "weekly": 7 * 86_400, "monthly": 30 * 86_400, "yearly": 365 * 86_400]
        if let ttlMinutes {
            feed?.refreshPeriod = ttlMinutes.multipliedReportingOverflow(by: 60).overflow ? nil : ttlMinutes * 60
        } else if let updatePeriod, let period = periods[updatePeriod] {
            feed?.refreshPeriod = period / (updateFrequency ?? 1)
        }
        if feed?.language == nil, let lang = feedLanguage ?? feedLanguageFromAttribute, !lang.isEmpty {
            feed?.language = Self.normalizeLanguage(lang)
        }
    }

    // MARK: Helpers

    private func localName(_ name: XMLName) -> String {
        if let known = names[name.key] { return known }
        let s = name.localName
        names[name.key] = s
        return s
    }

    private func namespace(_ name: XMLName) -> Namespace {
        guard let key = name.namespaceKey else {
            guard let prefix = name.prefix else { return .none }
            // Not namespace-well-formed: read as the prefix suggests, and said so with bozo.
            if let known = undeclared[UnsafeRawPointer(prefix)] { return known }
            let text = String(cString: prefix)
            undeclaredPrefix = undeclaredPrefix ?? text
            let ns = Namespace(undeclaredPrefix: text)
            undeclared[UnsafeRawPointer(prefix)] = ns
            return ns
        }
        if let known = namespaces[key] { return known }
        let ns = Namespace(uri: name.namespaceURI ?? "")
        namespaces[key] = ns
        return ns
    }

    /// Atom's `type` (1.0) and `mode` (0.3) attributes.
    private func textMode(_ attributes: XMLAttributes, default: TextMode) -> TextMode {
        let type = attributes.value("type").map { $0.trimmed.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let mode = attributes.value("mode").map { $0.trimmed.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let isHTMLType = type == "html" || type == "text/html"
        if mode == "base64" { return .base64(html: isHTMLType || type == "xhtml" || type == "application/xhtml+xml") }
        if mode == "escaped" { return isHTMLType || type == nil ? .html : .text }
        guard let type else { return mode == "xml" ? .xml : `default` }
        switch type {
        case "text", "text/plain": return .text
        case "html", "text/html": return .html
        case "xhtml", "application/xhtml+xml": return .xml
        default:
            if type.hasSuffix("+xml") || type.hasSuffix("/xml") { return .xml }
            if type.hasPrefix("text/") { return .text }
            return .base64(html: false)
        }
    }

    /// Text that holds an HTML character reference (`&amp;`, `&#8217;`; a name HTML knows, or a
    /// valid number) or an end tag (`</b>`): what feedparser takes for HTML in an element without a type.
    static func readsAsHTML(_ text: String.UTF8View) -> Bool {
        text.withContiguousStorageIfAvailable(readsAsHTML) ?? Array(text).withUnsafeBufferPointer(readsAsHTML)
    }

    private static func readsAsHTML(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for (i, c) in bytes.enumerated() {
            if c == 0x3C, i + 2 < bytes.count, bytes[i + 1] == 0x2F, (bytes[i + 2] | 0x20) >= 0x61, (bytes[i + 2] | 0x20) <= 0x7A { return true } // </b
            guard c == 0x26, let end = bytes[(i + 1)...].prefix(33).firstIndex(of: 0x3B), end > i + 1 else { continue } // & … ;
            let body = String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 1)..<end]), as: UTF8.self)
            if body.hasPrefix("#") ? HTMLEntities.numeric(body[...]) != nil : HTMLEntities.codePoint(body) != nil { return true }
        }
        return false
    }

    /// The inside of a single wrapping `<div>`, which Atom 1.0 xhtml requires and is not content.
    private static func strippingDiv(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let t = trimming(bytes)
        let open = Array("<div".utf8), close = Array("</div>".utf8)
        guard t.starts(with: open), t.count >= open.count + close.count, t.suffix(close.count).elementsEqual(close),
              let gt = t.firstIndex(of: UInt8(ascii: ">")) else { return bytes }
        let inner = t[(gt + 1)..<(t.endIndex - close.count)]
        // Only when the first div closes at the very end.
        var i = inner.startIndex
        while i + 4 <= inner.endIndex {
            if inner[i] == UInt8(ascii: "<"), inner[i + 1] == UInt8(ascii: "d"), inner[i + 2] == UInt8(ascii: "i"), inner[i + 3] == UInt8(ascii: "v") { return bytes }
            i += 1
        }
        return inner
    }

    private static func normalizeLanguage(_ lang: String) -> String {
        lang.trimmed.replacing("_", with: "-")
    }

    private func resolve(_ link: String, against base: String?) -> String {
        guard let base else { return link }
        return LinkResolver.resolve(link, against: base)
    }

    private func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var run = 0
        for (i, c) in text.enumerated() where c == UInt8(ascii: "&") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<i]))
            switch c {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            default: out.append(contentsOf: "&gt;".utf8)
            }
            run = i + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[run...]))
    }

    private func appendEscaped(_ text: String, to out: inout [UInt8], quotes: Bool) {
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            default: out.append(c)
            }
        }
    }
}

extension String {
    /// Without surrounding white space (NarrativeCore's native trimming).
    var trimmed: String { trimmedWhitespace }
}
