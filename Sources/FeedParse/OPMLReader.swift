import NarrativeCore

/// Reads the feed subscriptions of an OPML file (`<outline xmlUrl="…">`), as feed readers export them.
public enum OPMLReader {
    public struct Subscription: Sendable, Equatable {
        public let url: String
        public let title: String?
    }

    public static func subscriptions(_ bytes: [UInt8]) throws(FeedParseError) -> [Subscription] {
        let repaired = XMLRecovery(bytes).output ?? bytes
        let collector = Collector()
        let reader = XMLEventReader(handler: collector)
        let outcome = repaired.withUnsafeBufferPointer { reader.parse($0) }
        guard reader.sawRoot else { throw .unreadable(outcome.error ?? "no root element") }
        guard collector.root == "opml" else { throw .notAFeed("the root element is <\(collector.root)>, not opml") }
        return collector.found
    }

    private final class Collector: XMLEventHandler {
        var root = ""
        var found: [Subscription] = []

        func startElement(_ name: XMLName, attributes: XMLAttributes) {
            let local = name.localName
            if root.isEmpty { root = local }
            guard local == "outline" else { return }
            func value(_ key: String) -> String? {
                attributes.all.first { $0.0.lowercased() == key.lowercased() }.map { $0.1.trimmedWhitespace }.flatMap { $0.isEmpty ? nil : $0 }
            }
            guard let url = value("xmlUrl") else { return }
            found.append(Subscription(url: url, title: value("title") ?? value("text")))
        }

        func endElement(_ name: XMLName) {}
        func characters(_ text: UnsafeBufferPointer<UInt8>) {}
    }
}
