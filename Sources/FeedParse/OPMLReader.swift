import Foundation

/// Reads the feed subscriptions of an OPML file (`<outline xmlUrl="…">`), as feed readers export them.
public enum OPMLReader {
    public struct Subscription: Sendable, Equatable {
        public let url: String
        public let title: String?
    }

    public static func subscriptions(_ bytes: [UInt8]) throws(FeedParseError) -> [Subscription] {
        let collector = Collector()
        let reader = XMLEventReader(handler: collector)
        let outcome = reader.parse(XMLRecovery.repair(bytes) ?? bytes)
        guard reader.sawRoot else { throw .unreadable(outcome.error ?? "no root element") }
        guard collector.root == "opml" else { throw .notAFeed("the root element is <\(collector.root)>, not opml") }
        return collector.found
    }

    private final class Collector: XMLEventHandler {
        var root = ""
        var found: [Subscription] = []

        func startElement(namespace: String?, name: String, attributes: [XMLAttribute]) {
            if root.isEmpty { root = name }
            guard name == "outline" else { return }
            func value(_ key: String) -> String? {
                attributes.first { $0.name.lowercased() == key.lowercased() }?.value.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let url = value("xmlUrl"), !url.isEmpty else { return }
            let title = value("title").flatMap { $0.isEmpty ? nil : $0 } ?? value("text").flatMap { $0.isEmpty ? nil : $0 }
            found.append(Subscription(url: url, title: title))
        }

        func endElement(namespace: String?, name: String) {}
        func characters(_ text: String) {}
    }
}
