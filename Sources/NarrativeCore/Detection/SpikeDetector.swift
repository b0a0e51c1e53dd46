import Foundation

/// Decides whether a bucket's count of matching items is a spike for its narrative.
///
/// The expectation is the narrative's trailing share of all items times the bucket's
/// volume, so a market that gets louder as a whole raises no spike. A spike needs all of:
/// a Poisson upper-tail probability below `significance`, at least `minCount` matching
/// items, a lift of at least `minLift`, and `warmUp` of history before it.
public struct SpikeDetector: Sendable {
    public let parameters: Configuration.Detection

    public init(parameters: Configuration.Detection) { self.parameters = parameters }

    public struct Evaluation: Sendable, Equatable {
        /// Matching items the baseline predicts for the bucket's volume.
        public let expected: Double
        /// Observed over expected (observed + 1 over expected + 1, so small counts stay sane).
        public let lift: Double
        /// −log10 of the upper-tail probability: 4 means one chance in 10,000.
        public let score: Double
        public let isSpike: Bool
        /// True while the narrative lacks the history to judge.
        public let isWarmingUp: Bool

        public init(expected: Double, lift: Double, score: Double, isSpike: Bool, isWarmingUp: Bool) {
            self.expected = expected
            self.lift = lift
            self.score = score
            self.isSpike = isSpike
            self.isWarmingUp = isWarmingUp
        }
    }

    /// Evaluates `bucket` against `history`, the earlier buckets of the baseline window that
    /// were not themselves spikes. `firstData` is the start of the first bucket with any item.
    public func evaluate(_ bucket: BucketCount, history: [BucketCount], firstData: Int64) -> Evaluation {
        let baselineItems = history.reduce(0) { $0 + $1.items }
        let baselineMatched = history.reduce(0) { $0 + $1.matched }
        // Jeffreys-style estimate: never zero, so a narrative first seen in a burst can still score.
        let share = (Double(baselineMatched) + 0.5) / (Double(baselineItems) + 1)
        let expected = share * Double(bucket.items)
        let lift = (Double(bucket.matched) + 1) / (expected + 1)
        let tail = Self.poissonUpperTail(atLeast: bucket.matched, mean: expected)
        let score = min(300, -log10(max(tail, 1e-300)))
        let isWarmingUp = bucket.start - firstData < Int64(parameters.warmUp)
        let isSpike = !isWarmingUp
            && bucket.matched >= parameters.minCount
            && Double(bucket.matched) >= parameters.minLift * expected
            && tail <= parameters.significance
        return Evaluation(expected: expected, lift: lift, score: score, isSpike: isSpike, isWarmingUp: isWarmingUp)
    }

    /// P(X ≥ k) for X ~ Poisson(mean): the regularized lower incomplete gamma P(k, mean).
    public static func poissonUpperTail(atLeast k: Int, mean: Double) -> Double {
        guard k > 0 else { return 1 }
        guard mean > 0 else { return 0 }
        return regularizedLowerGamma(Double(k), mean)
    }

    /// P(a, x) by its series for x < a + 1, else 1 − Q(a, x) by Lentz's continued fraction.
    static func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
        let logPrefactor = -x + a * log(x) - lgamma(a)
        if x < a + 1 {
            var sum = 1 / a, term = 1 / a, n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return min(1, sum * exp(logPrefactor))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return max(0, 1 - exp(logPrefactor) * h)
    }
}
