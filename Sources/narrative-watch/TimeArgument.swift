import FoundationEssentials
import FeedParse

enum TimeArgument {
    /// 0001-01-01T00:00:00Z, the earliest time an argument or an output can name.
    static let firstSecondOfYearOne: Int64 = -62_135_596_800

    static func iso8601(_ text: String) -> Int64? {
        if let t = FeedDate.parse(text) { return t }
        // `YYYY-MM-DD HH:MM:SS`, as spreadsheets write it.
        return FeedDate.parse(text.replacing(" ", with: "T") + "Z")
    }
}
