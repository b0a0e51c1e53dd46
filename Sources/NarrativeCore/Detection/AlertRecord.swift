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

    public init(episode: AlertEpisode, spikesIn90Days: Int, previous: Int64?, sources: Int, topItems: [TopItem], terms: [String] = []) {
        self.episode = episode
        self.spikesIn90Days = spikesIn90Days
        self.previous = previous
        self.sources = sources
        self.topItems = topItems
        self.terms = terms
    }
}
