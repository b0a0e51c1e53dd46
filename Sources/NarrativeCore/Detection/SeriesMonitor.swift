/// Watches one series bucket by bucket: the detector's baseline, the firing episode and
/// the last resolved one. The daemon, `detect --csv` and `backtest` all advance this same
/// value, so what they report is what the daemon would have done.
public struct SeriesMonitor: Sendable {
    public let narrative: String
    public let detector: SpikeDetector
    public let policy: AlertPolicy
    public var baseline: SeriesBaseline
    public var firing: AlertEpisode?
    public var lastResolved: AlertEpisode?

    public init(narrative: String, detector: SpikeDetector, baseline: SeriesBaseline = SeriesBaseline(),
                firing: AlertEpisode? = nil, lastResolved: AlertEpisode? = nil) {
        self.narrative = narrative
        self.detector = detector
        policy = AlertPolicy(parameters: detector.parameters)
        self.baseline = baseline
        self.firing = firing
        self.lastResolved = lastResolved
    }

    public struct Step: Sendable {
        public let evaluation: SpikeDetector.Evaluation
        public let transition: AlertTransition?
        /// The slow-ramp detector fired on this bucket (never while an episode is firing).
        public let rising: Bool
    }

    /// Evaluates a closed bucket, learns from it, and advances the episode.
    public mutating func advance(_ bucket: BucketCount, now: Int64) -> Step {
        let evaluation = detector.step(bucket, &baseline)
        let (next, transition) = AlertTracker.step(current: firing, lastResolved: lastResolved, narrative: narrative, bucket: bucket,
                                                    width: detector.width, evaluation: evaluation, policy: policy, now: now)
        if case .resolved(let episode)? = transition { lastResolved = episode }
        if case .resumed(let episode)? = transition, episode.id == lastResolved?.id { lastResolved = nil }
        firing = next
        var rising = detector.takeRisingAlarm(&baseline, at: bucket.start)
        if firing != nil || evaluation.isSpike { rising = false }
        return Step(evaluation: evaluation, transition: transition, rising: rising)
    }

    /// Learns from a closed bucket older than the firing episode (one judged late, after the
    /// open bucket already started the episode): its evaluation, without touching the episode.
    public mutating func learn(_ bucket: BucketCount) -> SpikeDetector.Evaluation {
        detector.step(bucket, &baseline)
    }

    /// Evaluates the bucket still filling up: its expectation follows the items it has so far
    /// (or, without exposure, the elapsed part of the bucket), and nothing is learnt.
    /// Returns the episode it would start, if it is already a spike.
    public func early(_ bucket: BucketCount, elapsed: Double, now: Int64) -> (SpikeDetector.Evaluation, AlertTransition?) {
        var evaluation = detector.evaluate(bucket, baseline)
        if !detector.hasExposure, elapsed < 1 {
            // Raw counts: compare the count so far with the elapsed share of the expectation.
            var partial = baseline
            partial.matched *= max(elapsed, 0.05)
            evaluation = detector.evaluate(bucket, partial)
        }
        guard firing == nil else { return (evaluation, nil) }
        let (_, transition) = AlertTracker.step(current: nil, lastResolved: lastResolved, narrative: narrative, bucket: bucket,
                                                 width: detector.width, evaluation: evaluation, policy: policy, now: now)
        return (evaluation, transition)
    }
}
