import FoundationEssentials
import Glibc

/// Decides whether a bucket's count is a spike for its series, and learns from the buckets
/// that are not.
///
/// The expectation is, with exposure, the series' learnt share of all items times this
/// bucket's volume (a market that gets louder as a whole raises nothing); without exposure,
/// the learnt level times hour-of-day and day-of-week factors. The learning is robust:
/// counts are clipped to a few standard deviations before they are learnt and spike
/// buckets are not learnt at all, so past waves and outages do not move the baseline; it
/// follows slow trends with a half-life of half the baseline window. Counts vary more than
/// Poisson allows, so the test is the upper tail of a negative binomial whose dispersion is
/// learnt too. A spike also needs `minCount` matching items, a lift of `minLift`, and
/// `warmUp` of history.
public struct SpikeDetector: Sendable {
    public let parameters: Configuration.Detection
    /// Whether the series has exposure (all items per bucket); raw counts otherwise.
    public let hasExposure: Bool
    /// Weight of a new bucket in the averages: half-life of half the baseline window.
    let alpha: Double
    let width: Int64
    /// `significance` is per hour of series; narrower buckets test more often, so each test
    /// is held to a proportionally stricter level and the false alarms per day stay the same.
    let significance: Double
    /// Buckets in an hour, for series with buckets shorter than an hour (else 1).
    let hourBuckets: Int
    /// Weight of a new bucket in the over-dispersion: a half-life of a day, since news counts
    /// change their burstiness faster than their level.
    let dispersionRate: Double

    public init(parameters: Configuration.Detection, hasExposure: Bool = true) {
        self.parameters = parameters
        self.hasExposure = hasExposure
        width = Int64(parameters.bucket)
        let halfLife = max(2.0, Double(parameters.baseline) / Double(parameters.bucket) / 2)
        alpha = 1 - pow(0.5, 1 / halfLife)
        significance = parameters.significance * min(1, Double(parameters.bucket) / 3600)
        dispersionRate = max(alpha, 1 - pow(0.5, Double(parameters.bucket) / 86_400))
        hourBuckets = max(1, 3600 / max(1, parameters.bucket))
    }

    public struct Evaluation: Sendable, Equatable {
        /// Count the baseline predicts for the bucket.
        public let expected: Double
        /// (observed + 1) / (expected + 1), so small counts stay sane.
        public let lift: Double
        /// −log10 of the upper-tail probability: 4 means one chance in 10,000.
        public let score: Double
        public let isSpike: Bool
        /// True while the series lacks the history to judge.
        public let isWarmingUp: Bool
        /// True when the slow-ramp CUSUM crossed its threshold on this bucket.
        public var isRising: Bool = false

        public init(expected: Double, lift: Double, score: Double, isSpike: Bool, isWarmingUp: Bool, isRising: Bool = false) {
            self.expected = expected
            self.lift = lift
            self.score = score
            self.isSpike = isSpike
            self.isWarmingUp = isWarmingUp
            self.isRising = isRising
        }

        /// The upper-tail probability as a score in [0, 1], higher meaning more anomalous.
        public var probabilityScore: Double { 1 - pow(10, -score) }
    }

    /// CUSUM slack (in standard deviations per bucket) and alarm level.
    static let cusumSlack = 0.5
    static let cusumAlarm = 12.0
    /// How far from the expectation a count is learnt, in standard deviations.
    static let learningClip = 3.0

    /// Evaluates `bucket` against `state`, then learns from it unless it is a spike.
    public func step(_ bucket: BucketCount, _ state: inout SeriesBaseline) -> Evaluation {
        let evaluation = evaluate(bucket, state)
        learn(bucket, evaluation, &state)
        return evaluation
    }

    /// Evaluates without learning (for a bucket still filling up).
    public func evaluate(_ bucket: BucketCount, _ state: SeriesBaseline) -> Evaluation {
        let (mean, dispersion) = expectation(bucket, state)
        let x = bucket.matched
        // At or below its expectation a count is not anomalous at all: score 0, no tail to compute
        // (most buckets, so a year of history stays cheap).
        // With nothing learnt yet there is no expectation to be surprised by.
        let tail = Double(x) <= mean || state.learnt == 0 ? 1 : CountTail.upperTail(atLeast: x, mean: mean, dispersion: dispersion)
        let score = min(300, -log10(max(tail, 1e-300)))
        let lift = (Double(x) + 1) / (mean + 1)
        let isWarmingUp = state.firstStart.map { bucket.start - $0 < Int64(parameters.warmUp) } ?? true
        var isSpike = !isWarmingUp && x >= parameters.minCount && Double(x) >= parameters.minLift * mean && tail <= significance
        if isSpike, hourBuckets > 1 {
            // Short buckets: the last hour as a whole must be a spike too, so a burst of a few
            // minutes (a retweet storm) is not a wave.
            let observed = state.recentObserved.suffix(hourBuckets - 1).reduce(0, +) + Double(x)
            let expected = state.recentExpected.suffix(hourBuckets - 1).reduce(0, +) + mean
            let hourTail = CountTail.upperTail(atLeast: Int(observed.rounded()), mean: expected, dispersion: 1 + state.dispersion * expected / Double(hourBuckets))
            isSpike = observed >= parameters.minLift * expected && hourTail <= parameters.significance
        }
        return Evaluation(expected: mean, lift: lift, score: score, isSpike: isSpike, isWarmingUp: isWarmingUp)
    }

    /// The expected count and its dispersion (variance over mean) for a bucket: the
    /// negative binomial's 1 + κ·mean, so busy series are allowed proportionally wider swings.
    func expectation(_ bucket: BucketCount, _ state: SeriesBaseline) -> (Double, Double) {
        let mean = level(bucket, state)
        return (mean, 1 + state.dispersion * mean)
    }

    /// The expected count alone.
    private func level(_ bucket: BucketCount, _ state: SeriesBaseline) -> Double {
        guard state.weight > 0 else { return 0 }
        let matched = state.matched / state.weight
        if hasExposure {
            // Jeffreys-style estimate over the effective sample: never zero, so a narrative
            // first seen in a burst can still be judged.
            let effective = min(Double(state.learnt), 1 / alpha)
            let items = state.items / state.weight
            let share = (matched * effective + 0.5) / (items * effective + 1)
            return share * Double(bucket.items)
        }
        return matched * seasonal(bucket.start, state)
    }

    private func seasonal(_ start: Int64, _ state: SeriesBaseline) -> Double {
        let (hour, day) = Self.hourAndDay(start)
        let learntSpan = Int64(state.learnt) * width
        let hourFactor = learntSpan >= 2 * 86_400 && width < 86_400 ? state.hourFactors[hour] : 1
        let dayFactor = learntSpan >= 14 * 86_400 ? state.dayFactors[day] : 1
        return hourFactor * dayFactor
    }

    static func hourAndDay(_ start: Int64) -> (Int, Int) {
        let days = start >= 0 ? start / 86_400 : (start - 86_399) / 86_400
        let hour = Int((start - days * 86_400) / 3600)
        // 1970-01-01 was a Thursday; 0 = Monday.
        let day = Int(((days % 7) + 7 + 3) % 7)
        return (hour, day)
    }

    private func learn(_ bucket: BucketCount, _ evaluation: Evaluation, _ state: inout SeriesBaseline) {
        if state.firstStart == nil { state.firstStart = bucket.start }
        if hourBuckets > 1 {
            state.recentObserved.append(Double(bucket.matched))
            state.recentExpected.append(evaluation.expected)
            if state.recentObserved.count >= hourBuckets {
                state.recentObserved.removeFirst()
                state.recentExpected.removeFirst()
            }
        }
        guard !evaluation.isSpike else { return }
        if hasExposure && bucket.items == 0 { return } // no exposure, nothing to learn
        let mean = evaluation.expected
        let sigma = sqrt(max(mean, 1) * (1 + state.dispersion * max(mean, 1)))
        let x = Double(bucket.matched)
        let clipped = state.weight > 0 ? min(max(x, mean - Self.learningClip * sigma), mean + Self.learningClip * sigma) : x
        // Slow ramps: standardized excess accumulates while the level lags behind.
        if !evaluation.isWarmingUp {
            state.cusum = max(0, state.cusum + (x - mean) / max(sigma, 1) - Self.cusumSlack)
        }
        // Over-dispersion κ (variance = mean + κ·mean²) from the squared residual, learnt a
        // little faster than the level.
        if state.learnt > 0 {
            let excess = ((x - mean) * (x - mean) - mean) / max(mean * mean, 1)
            state.dispersion = min(5, max(0.001, state.dispersion + dispersionRate * (min(max(excess, -1), 5) - state.dispersion)))
        }
        if hasExposure {
            state.matched = (1 - alpha) * state.matched + alpha * clipped
            state.items = (1 - alpha) * state.items + alpha * Double(bucket.items)
        } else {
            let factor = seasonal(bucket.start, state)
            let deseasonalized = clipped / max(factor, 0.05)
            state.matched = (1 - alpha) * state.matched + alpha * deseasonalized
            let level = state.weight > 0 ? state.matched / ((1 - alpha) * state.weight + alpha) : deseasonalized
            if level > 0.01 {
                let (hour, day) = Self.hourAndDay(bucket.start)
                let beta = 0.05
                let otherDay = Int64(state.learnt) * width >= 14 * 86_400 ? state.dayFactors[day] : 1
                let otherHour = Int64(state.learnt) * width >= 2 * 86_400 ? state.hourFactors[hour] : 1
                state.hourFactors[hour] += beta * (min(clipped / (level * otherDay), 10) - state.hourFactors[hour])
                state.dayFactors[day] += beta / 4 * (min(clipped / (level * otherHour), 10) - state.dayFactors[day])
                Self.normalize(&state.hourFactors)
                Self.normalize(&state.dayFactors)
            }
        }
        state.weight = (1 - alpha) * state.weight + alpha
        state.learnt += 1
    }

    /// Scales factors to a mean of 1.
    private static func normalize(_ factors: inout [Double]) {
        let mean = factors.reduce(0, +) / Double(factors.count)
        guard mean > 0 else { return }
        for i in factors.indices { factors[i] /= mean }
    }

    /// P(X ≥ k) for X ~ Poisson(mean).
    public static func poissonUpperTail(atLeast k: Int, mean: Double) -> Double {
        CountTail.poisson(atLeast: k, mean: mean)
    }
}

extension SpikeDetector {
    /// Checks the slow-ramp CUSUM after the bucket starting at `start` was learnt; true when it
    /// crosses its alarm level, at most once per baseline window, so one ramp is one report.
    public func takeRisingAlarm(_ state: inout SeriesBaseline, at start: Int64) -> Bool {
        guard state.cusum >= Self.cusumAlarm else { return false }
        state.cusum = 0
        if let last = state.lastRising, start - last < Int64(parameters.baseline) { return false }
        state.lastRising = start
        return true
    }
}
