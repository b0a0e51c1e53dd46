import FoundationEssentials
import NarrativeCore

/// The `alerts.top_items` column: a JSON array of {title, link, feed}.
enum TopItemsColumn {
    static func decode(_ text: String) -> [TopItem] {
        guard let array = try? JSONDecoder().decode([[String: String]].self, from: Data(text.utf8)) else { return [] }
        return array.map { TopItem(title: $0["title"] ?? "", link: $0["link"] ?? "", feed: $0["feed"] ?? "") }
    }

    /// A JSON array of strings, as `item_mentions.terms` and `alerts.terms` hold them.
    static func strings(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
