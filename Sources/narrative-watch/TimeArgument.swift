import FoundationEssentials
import FeedParse

enum TimeArgument {
    static func iso8601(_ text: String) -> Int64? {
        if let t = FeedDate.parse(text) { return t }
        // `YYYY-MM-DD HH:MM:SS`, as spreadsheets write it.
        return FeedDate.parse(text.replacing(" ", with: "T") + "Z")
    }
}
