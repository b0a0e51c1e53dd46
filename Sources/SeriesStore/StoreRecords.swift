import NarrativeCore

/// One item ready to be stored, already matched.
public struct IngestItem: Sendable {
    /// Deduplication key within its feed: guid, else link, else title and date.
    public let key: String
    /// How the item is recognised as a story other feeds also carry.
    public let story: StoryIdentity
    public let title: String?
    public let link: String?
    /// Seconds since 1970, as the feed gave it.
    public let published: Int64?
    /// Bucket the item counts in.
    public let bucketStart: Int64
    /// Term hits per narrative id; only narratives with hits.
    public let mentions: [String: Int]
    /// The configured terms that hit, per narrative id.
    public let terms: [String: [String]]
    /// Topic narratives of this item that ride on a hype marker it also carries.
    public let hyped: Set<String>

    public init(key: String, story: StoryIdentity? = nil, title: String?, link: String?, published: Int64?, bucketStart: Int64,
                mentions: [String: Int], terms: [String: [String]] = [:], hyped: Set<String> = []) {
        self.key = key
        self.story = story ?? StoryIdentity(guid: nil, link: nil, title: nil)
        self.title = title
        self.link = link
        self.published = published
        self.bucketStart = bucketStart
        self.mentions = mentions
        self.terms = terms
        self.hyped = hyped
    }
}

/// The outcome of one successful poll of one feed, stored in one transaction.
public struct IngestBatch: Sendable {
    public let feedURL: String
    public let feedTitle: String?
    /// Seconds since 1970.
    public let fetchedAt: Int64
    public let etag: String?
    public let lastModified: String?
    public let items: [IngestItem]

    public init(feedURL: String, feedTitle: String?, fetchedAt: Int64, etag: String?, lastModified: String?, items: [IngestItem]) {
        self.feedURL = feedURL
        self.feedTitle = feedTitle
        self.fetchedAt = fetchedAt
        self.etag = etag
        self.lastModified = lastModified
        self.items = items
    }
}

/// What the store knows about one feed's fetching.
public struct FeedState: Sendable, Equatable {
    public let url: String
    public let title: String?
    public let etag: String?
    public let lastModified: String?
    public let lastPoll: Int64?
    public let lastSuccess: Int64?
    public let consecutiveErrors: Int
    public let lastError: String?
    public let itemsTotal: Int
    /// Seconds since 1970; nil before the first poll or once disabled.
    public let nextPoll: Int64?
    /// Class of the last failure (`timeout`, `http-5xx`…).
    public let errorClass: String?
    /// True after 410 Gone: the feed is not polled any more.
    public let disabled: Bool
    /// Where the feed is fetched from after a permanent redirect; nil means `url`.
    public let fetchURL: String?
}

/// One bucket of a narrative's series with its evaluation, for `history`.
public struct SeriesPoint: Sendable, Equatable {
    public let start: Int64
    public let items: Int
    public let matched: Int
    public let mentions: Int
    public let expected: Double?
    public let score: Double?
    public let spike: Bool
    /// Matching items that also carry a hype marker ("revolution"); 0 for hype narratives themselves.
    public let hyped: Int

    public init(start: Int64, items: Int, matched: Int, mentions: Int, expected: Double?, score: Double?, spike: Bool, hyped: Int = 0) {
        self.start = start
        self.items = items
        self.matched = matched
        self.mentions = mentions
        self.expected = expected
        self.score = score
        self.spike = spike
        self.hyped = hyped
    }

    /// The part of all the bucket's items that matched (0 to 1; 0 for an empty bucket).
    public var share: Double { items == 0 ? 0 : Double(matched) / Double(items) }
}

/// One evaluated bucket to record.
public struct EvaluationRecord: Sendable {
    public let bucketStart: Int64
    public let evaluation: SpikeDetector.Evaluation

    public init(bucketStart: Int64, evaluation: SpikeDetector.Evaluation) {
        self.bucketStart = bucketStart
        self.evaluation = evaluation
    }
}
