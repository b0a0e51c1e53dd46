/// One spike episode of one narrative: raised by a spike bucket, kept while the following
/// buckets still spike, resolved by the first bucket that does not.
public struct AlertEpisode: Sendable, Equatable {
    public enum State: String, Sendable { case firing, resolved }

    /// Stable id: narrative and first spike bucket, e.g. `ai-20261128T1000Z`.
    public let id: String
    public let narrative: String
    public var state: State
    /// When the alert was raised, in seconds since 1970.
    public let started: Int64
    /// When it resolved, in seconds since 1970; nil while firing.
    public var ended: Int64?
    /// Start of the first spike bucket.
    public let bucketStart: Int64
    /// Start of the newest spike bucket of the episode.
    public var lastSpikeBucket: Int64
    /// The episode's peak bucket.
    public var observed: Int
    public var expected: Double
    public var lift: Double
    public var score: Double

    public init(id: String, narrative: String, state: State, started: Int64, ended: Int64?, bucketStart: Int64,
                lastSpikeBucket: Int64, observed: Int, expected: Double, lift: Double, score: Double) {
        self.id = id
        self.narrative = narrative
        self.state = state
        self.started = started
        self.ended = ended
        self.bucketStart = bucketStart
        self.lastSpikeBucket = lastSpikeBucket
        self.observed = observed
        self.expected = expected
        self.lift = lift
        self.score = score
    }
}

/// A change of an episode that the operator hears about.
public enum AlertTransition: Sendable, Equatable {
    case started(AlertEpisode)
    /// The episode goes on with a higher peak.
    case updated(AlertEpisode)
    case resolved(AlertEpisode)

    public var episode: AlertEpisode {
        switch self {
        case .started(let e), .updated(let e), .resolved(let e): e
        }
    }
}

/// Advances a narrative's episode by one evaluated bucket.
public enum AlertTracker {
    /// `now` is when the evaluation happens (seconds since 1970); the alert's times are the
    /// earlier of `now` and the end of the bucket that caused them.
    public static func step(current: AlertEpisode?, narrative: String, bucket: BucketCount, width: Int64,
                            evaluation: SpikeDetector.Evaluation, now: Int64) -> (AlertEpisode?, AlertTransition?) {
        let when = min(now, bucket.start + width)
        if evaluation.isSpike {
            guard var episode = current else {
                let episode = AlertEpisode(
                    id: "\(narrative)-\(Timestamp.compact(bucket.start))", narrative: narrative, state: .firing,
                    started: when, ended: nil, bucketStart: bucket.start, lastSpikeBucket: bucket.start,
                    observed: bucket.matched, expected: evaluation.expected, lift: evaluation.lift, score: evaluation.score)
                return (episode, .started(episode))
            }
            episode.lastSpikeBucket = bucket.start
            guard evaluation.score > episode.score else { return (episode, nil) }
            episode.observed = bucket.matched
            episode.expected = evaluation.expected
            episode.lift = evaluation.lift
            episode.score = evaluation.score
            return (episode, .updated(episode))
        }
        guard var episode = current else { return (nil, nil) }
        episode.state = .resolved
        episode.ended = when
        return (nil, .resolved(episode))
    }
}
