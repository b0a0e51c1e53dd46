/// A story behind an alert.
public struct TopItem: Sendable, Equatable {
    public let title: String
    public let link: String
    public let feed: String

    public init(title: String, link: String, feed: String) {
        self.title = title
        self.link = link
        self.feed = feed
    }
}

/// An alert as stored: the episode with what the operator needs to judge it.
public struct AlertRecord: Sendable, Equatable {
    public var episode: AlertEpisode
    /// Alerts of this narrative started in the 90 days up to this one, this one included.
    public var spikesIn90Days: Int
    /// Bucket start of the narrative's previous alert.
    public var previous: Int64?
    /// Distinct feeds behind the peak bucket.
    public var sources: Int
    public var topItems: [TopItem]
    /// The terms that hit in the peak bucket, most items first.
    public var terms: [String]
    /// Peak lift of the previous episode.
    public var previousLift: Double?
    /// Median time between this narrative's episodes in the 90 days, in seconds, once there are three.
    public var medianGap: Int64?

    public init(episode: AlertEpisode, spikesIn90Days: Int, previous: Int64?, sources: Int, topItems: [TopItem], terms: [String] = [],
                previousLift: Double? = nil, medianGap: Int64? = nil) {
        self.episode = episode
        self.spikesIn90Days = spikesIn90Days
        self.previous = previous
        self.sources = sources
        self.topItems = topItems
        self.terms = terms
        self.previousLift = previousLift
        self.medianGap = medianGap
    }
}

/// How an episode compares with the narrative's earlier ones.
public enum Recurrence {
    /// Median gap between consecutive episode starts (seconds), given three or more starts.
    public static func medianGap(_ starts: [Int64]) -> Int64? {
        guard starts.count >= 3 else { return nil }
        let sorted = starts.sorted()
        let gaps = zip(sorted.dropFirst(), sorted).map { $0 - $1 }.sorted()
        let mid = gaps.count / 2
        return gaps.count % 2 == 1 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2
    }
}

extension AlertRecord {
    /// The alert as `alerts --format json` and webhook bodies show it (SPEC shape; more keys may come).
    public var json: JSONValue {
        let e = episode
        var recurrence: [(String, JSONValue)] = [("spikes_90d", .int(spikesIn90Days)), ("previous", .time(previous))]
        if let previousLift { recurrence.append(("previous_lift", .double(previousLift))) }
        if let medianGap { recurrence.append(("median_gap_days", .double(Double(medianGap) / 86_400))) }
        return .object([
            ("id", .string(e.id)), ("narrative", .string(e.narrative)), ("state", .string(e.state.rawValue)),
            ("started", .time(e.started)), ("ended", .time(e.ended)), ("bucket_start", .time(e.bucketStart)),
            ("resumed_bucket", .time(e.resumedBucket)),
            ("observed", .int(e.observed)), ("expected", .double(e.expected)), ("lift", .double(e.lift)), ("score", .double(e.score)),
            ("recurrence", .object(recurrence)),
            ("sources", .int(sources)),
            ("top_items", .array(topItems.map { .object([("title", .string($0.title)), ("link", .string($0.link)), ("feed", .string($0.feed))]) })),
            ("terms", .array(terms.map(JSONValue.string))),
        ])
    }
}
