import FoundationEssentials

/// What the detector has learnt about one series, advanced one bucket at a time so a
/// year of history costs one pass: exponentially weighted averages of the counts (and of
/// the exposure, when known), hour-of-day and day-of-week factors for raw counts, the
/// dispersion of the counts around their expectation, and a one-sided CUSUM for slow ramps.
public struct SeriesBaseline: Sendable, Equatable, Codable {
    /// Weighted average of matching items (or of the value) per bucket, not yet bias-corrected.
    var matched = 0.0
    /// Weighted average of all items per bucket.
    var items = 0.0
    /// Sum of the weights, to correct the averages' start-up bias.
    var weight = 0.0
    /// Over-dispersion κ of the counts around their expectation: variance = mean + κ·mean²
    /// (0 = Poisson).
    var dispersion = 0.05
    /// Hour-of-day factors (24) and day-of-week factors (7), for series without exposure.
    var hourFactors = [Double](repeating: 1, count: 24)
    var dayFactors = [Double](repeating: 1, count: 7)
    /// Buckets learnt from.
    public internal(set) var learnt = 0
    /// Start of the first bucket seen, in seconds since 1970.
    public internal(set) var firstStart: Int64?
    /// One-sided CUSUM of standardized excess, for slow ramps.
    var cusum = 0.0
    /// Bucket of the last slow-ramp report.
    var lastRising: Int64?
    /// For buckets shorter than an hour: the last hour's observed counts and expectations,
    /// oldest first, so a spike is judged on the hour and not on one short burst.
    var recentObserved: [Double] = []
    var recentExpected: [Double] = []

    public init() {}
}

extension SeriesBaseline {
    /// Serialized for the database.
    public func encoded() -> String {
        (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "{}"
    }

    public static func decoded(_ text: String) -> SeriesBaseline? {
        try? JSONDecoder().decode(SeriesBaseline.self, from: Data(text.utf8))
    }
}
