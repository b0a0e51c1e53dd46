/// One spike episode of one narrative: raised by a spike bucket, kept while the following
/// buckets still spike, resolved by the first bucket that does not.
public struct AlertEpisode: Sendable, Equatable {
    public enum State: String, Sendable {
        case firing, resolved
        /// A slow ramp: reported once, with nothing to resolve.
        case rising
    }

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
    /// The bucket of the newest spike that brought the episode back after it had resolved; nil
    /// when it never came back.
    public var resumedBucket: Int64?

    public init(id: String, narrative: String, state: State, started: Int64, ended: Int64?, bucketStart: Int64,
                lastSpikeBucket: Int64, observed: Int, expected: Double, lift: Double, score: Double, resumedBucket: Int64? = nil) {
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
        self.resumedBucket = resumedBucket
    }
}

/// A change of an episode that the operator hears about.
public enum AlertTransition: Sendable, Equatable {
    case started(AlertEpisode)
    /// The episode goes on with a higher peak.
    case updated(AlertEpisode)
    /// A resolved episode fires again within the cooldown: the same alert, heard about again.
    case resumed(AlertEpisode)
    case resolved(AlertEpisode)
    /// A narrative climbing for days without a spike.
    case rising(AlertEpisode)

    public var episode: AlertEpisode {
        switch self {
        case .started(let e), .updated(let e), .resumed(let e), .resolved(let e), .rising(let e): e
        }
    }
}

/// How episodes start, continue and end.
public struct AlertPolicy: Sendable, Equatable {
    /// An episode goes on while buckets keep at least this lift, even below the spike
    /// threshold, so a wave that hovers around the threshold is one alert.
    public var exitLift: Double
    /// A spike this soon after an episode resolved (seconds) resumes it instead of raising a
    /// new alert: the same id, so a wave that dips for an hour stays one wave in the history.
    public var cooldown: Int64

    public init(exitLift: Double, cooldown: Int64) {
        self.exitLift = exitLift
        self.cooldown = cooldown
    }

    /// Half-way between no lift and the spike lift; a cooldown of six hours (six buckets when wider).
    public init(parameters: Configuration.Detection) {
        self.init(exitLift: 1 + (parameters.minLift - 1) / 2, cooldown: max(6 * 3600, 6 * Int64(parameters.bucket)))
    }
}

extension AlertEpisode {
    /// The figures the alert shows become this bucket's: its count, expectation, lift and score.
    public mutating func takeFigures(of bucket: BucketCount, _ evaluation: SpikeDetector.Evaluation) {
        observed = bucket.matched
        expected = evaluation.expected
        lift = evaluation.lift
        score = evaluation.score
    }
}

/// Advances a narrative's episode by one evaluated bucket.
public enum AlertTracker {
    /// `now` is when the evaluation happens (seconds since 1970); the alert's times are the
    /// earlier of `now` and the end of the bucket that caused them. `lastResolved` is the
    /// narrative's newest resolved episode, which a spike within the cooldown reopens.
    public static func step(current: AlertEpisode?, lastResolved: AlertEpisode? = nil, narrative: String, bucket: BucketCount,
                            width: Int64, evaluation: SpikeDetector.Evaluation, policy: AlertPolicy? = nil,
                            now: Int64) -> (AlertEpisode?, AlertTransition?) {
        let when = min(now, bucket.start + width)
        let exitLift = policy?.exitLift ?? .infinity
        if var episode = current {
            let elevated = evaluation.isSpike || (evaluation.lift >= exitLift && bucket.matched > 0)
            guard elevated else {
                episode.state = .resolved
                episode.ended = when
                return (nil, .resolved(episode))
            }
            if evaluation.isSpike { episode.lastSpikeBucket = bucket.start }
            if evaluation.isSpike, bucket.start == episode.bucketStart, episode.resumedBucket == nil, evaluation.score <= episode.score {
                // The closed bucket an early alert was raised on: its final figures replace the
                // early ones, quietly (the peak did not grow).
                episode.takeFigures(of: bucket, evaluation)
                return (episode, nil)
            }
            guard evaluation.isSpike, evaluation.score > episode.score else { return (episode, nil) }
            episode.takeFigures(of: bucket, evaluation)
            return (episode, .updated(episode))
        }
        guard evaluation.isSpike else { return (nil, nil) }
        if var reopened = lastResolved, let policy, bucket.start - reopened.lastSpikeBucket <= policy.cooldown {
            reopened.state = .firing
            reopened.ended = nil
            reopened.lastSpikeBucket = bucket.start
            reopened.resumedBucket = bucket.start
            if evaluation.score > reopened.score { reopened.takeFigures(of: bucket, evaluation) }
            return (reopened, .resumed(reopened))
        }
        let episode = AlertEpisode(
            id: "\(narrative)-\(Timestamp.compact(bucket.start))", narrative: narrative, state: .firing,
            started: when, ended: nil, bucketStart: bucket.start, lastSpikeBucket: bucket.start,
            observed: bucket.matched, expected: evaluation.expected, lift: evaluation.lift, score: evaluation.score)
        return (episode, .started(episode))
    }
}
