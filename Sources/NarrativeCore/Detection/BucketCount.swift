/// One bucket of one narrative's series, with its exposure.
public struct BucketCount: Sendable, Equatable {
    /// Bucket start, in seconds since 1970 (UTC).
    public let start: Int64
    /// All items ingested in the bucket, whatever they mention.
    public let items: Int
    /// Items in the bucket that mention the narrative.
    public let matched: Int

    public init(start: Int64, items: Int, matched: Int) {
        self.start = start
        self.items = items
        self.matched = matched
    }
}

/// Maps instants to bucket starts for a bucket width that divides a day.
public struct Bucketing: Sendable, Equatable {
    /// Bucket width, in seconds.
    public let width: Int64

    public init(width: Int) { self.width = Int64(width) }

    /// Start of the bucket holding `time` (seconds since 1970).
    public func start(of time: Int64) -> Int64 {
        let r = time % width
        return r >= 0 ? time - r : time - r - width
    }

    /// Start of the newest bucket that has ended at `now`.
    public func lastClosedStart(at now: Int64) -> Int64 { start(of: now) - width }
}
