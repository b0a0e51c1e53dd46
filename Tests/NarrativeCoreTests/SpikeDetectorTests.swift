import Foundation
import NarrativeCore
import Testing

/// Replays weeks of synthetic hourly buckets through the monitor the daemon uses, with a
/// controlled clock, and checks what it raises.
struct SpikeDetectorTests {
    static let hour: Int64 = 3600
    static let start: Int64 = 1_795_046_400 // a Monday, 00:00 UTC

    /// A deterministic pseudo-random source, so every run replays the same weeks.
    struct Noise {
        var state: UInt64
        mutating func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        /// Poisson by inversion (small means) or a normal approximation.
        mutating func poisson(_ mean: Double) -> Int {
            if mean > 40 { return max(0, Int((mean + sqrt(mean) * normal()).rounded())) }
            var k = 0, p = exp(-mean), s = p
            let u = uniform()
            while u > s && k < 1000 { k += 1; p *= mean / Double(k); s += p }
            return k
        }
        mutating func normal() -> Double { sqrt(-2 * log(max(uniform(), 1e-12))) * cos(2 * .pi * uniform()) }
    }

    /// Hourly items with a day/night rhythm and quieter weekends; `share(h, items)` gives the expected matches.
    static func series(days: Int, seed: UInt64 = 7, volume: (Int) -> Double = { _ in 1 },
                       share: (Int) -> Double = { _ in 0.05 }) -> [BucketCount] {
        var noise = Noise(state: seed)
        return (0..<(days * 24)).map { h in
            let hourOfDay = h % 24, weekday = (h / 24) % 7
            let rhythm = (hourOfDay >= 7 && hourOfDay <= 22 ? 1.3 : 0.5) * (weekday >= 5 ? 0.6 : 1)
            let items = noise.poisson(80 * rhythm * volume(h))
            // Over-dispersed: the share itself wobbles from hour to hour.
            let wobble = max(0.2, 1 + 0.3 * noise.normal())
            let matched = min(items, noise.poisson(Double(items) * share(h) * wobble))
            return BucketCount(start: start + Int64(h) * hour, items: items, matched: matched)
        }
    }

    static func replay(_ buckets: [BucketCount], parameters: Configuration.Detection = Configuration.Detection())
        -> (transitions: [(Int, AlertTransition)], rising: [Int], evaluations: [SpikeDetector.Evaluation]) {
        var monitor = SeriesMonitor(narrative: "ai", detector: SpikeDetector(parameters: parameters))
        var transitions: [(Int, AlertTransition)] = []
        var rising: [Int] = []
        var evaluations: [SpikeDetector.Evaluation] = []
        for (i, bucket) in buckets.enumerated() {
            let step = monitor.advance(bucket, now: bucket.start + hour)
            evaluations.append(step.evaluation)
            if let t = step.transition { transitions.append((i, t)) }
            if step.rising { rising.append(i) }
        }
        return (transitions, rising, evaluations)
    }

    static func starts(_ transitions: [(Int, AlertTransition)]) -> [Int] {
        transitions.compactMap { if case .started = $0.1 { return $0.0 } else { return nil } }
    }

    @Test func ordinaryWeeksRaiseNothing() {
        let r = Self.replay(Self.series(days: 28))
        #expect(Self.starts(r.transitions).isEmpty, "\(r.transitions.map(\.0))")
    }

    @Test func aClearSpikeAlertsOnceWithinItsFirstBucket() {
        let burst = 21 * 24 + 14
        let r = Self.replay(Self.series(days: 24, share: { $0 >= burst && $0 < burst + 3 ? 0.25 : 0.05 }))
        #expect(Self.starts(r.transitions) == [burst])
        let resolved = r.transitions.compactMap { if case .resolved = $0.1 { return $0.0 } else { return nil } }
        #expect(resolved.count == 1)
        #expect((resolved.first ?? 0) > burst && (resolved.first ?? 0) <= burst + 5, "a resolved wave resolves")
    }

    @Test func aDoublingOfAllVolumeIsNotASpike() {
        let r = Self.replay(Self.series(days: 28, volume: { $0 >= 20 * 24 ? 2 : 1 }))
        #expect(Self.starts(r.transitions).isEmpty)
    }

    @Test func aSlowTrendIsReportedAsRisingNotAsASpike() {
        // The share climbs from 5% to 15% over ten days.
        let r = Self.replay(Self.series(days: 30, share: { h in h < 18 * 24 ? 0.05 : min(0.15, 0.05 + Double(h - 18 * 24) / 240 * 0.1) }))
        #expect(Self.starts(r.transitions).isEmpty, "\(Self.starts(r.transitions))")
        #expect(r.rising.count >= 1 && r.rising.count <= 2, "\(r.rising)")
        #expect((r.rising.first ?? 0) >= 18 * 24)
    }

    @Test func aFeedOutageAndItsReturnAreNotSpikes() {
        // Two thirds of the items vanish for a day, then come back with the usual share.
        let r = Self.replay(Self.series(days: 28, volume: { h in (20 * 24..<21 * 24).contains(h) ? 0.33 : 1 }))
        #expect(Self.starts(r.transitions).isEmpty)
        let silent = Self.replay(Self.series(days: 28, volume: { h in (20 * 24..<21 * 24).contains(h) ? 0 : 1 }))
        #expect(Self.starts(silent.transitions).isEmpty)
    }

    @Test func aWaveThatHoversAtTheThresholdRaisesOneAlert() {
        // Six hours alternating around the spike threshold.
        let wave = 22 * 24 + 9
        let r = Self.replay(Self.series(days: 24, share: { h in
            guard h >= wave && h < wave + 8 else { return 0.05 }
            return h % 2 == 0 ? 0.2 : 0.09
        }))
        #expect(Self.starts(r.transitions).count == 1,
                "\(r.transitions.map { ($0.0, $0.1.episode.state) }) \((wave..<(wave + 8)).map { (r.evaluations[$0].expected, r.evaluations[$0].isSpike, r.evaluations[$0].score) })")
    }

    @Test func withShortBucketsABurstOfMinutesIsNotAWaveButASustainedOneIs() {
        var parameters = Configuration.Detection()
        parameters.bucket = 300
        var noise = Noise(state: 11)
        func series(_ extra: (Int) -> Int) -> [BucketCount] {
            (0..<(10 * 288)).map { i in BucketCount(start: Self.start + Int64(i) * 300, items: 0, matched: noise.poisson(10) + extra(i)) }
        }
        func starts(_ buckets: [BucketCount]) -> [Int] {
            var monitor = SeriesMonitor(narrative: "x", detector: SpikeDetector(parameters: parameters, hasExposure: false))
            return buckets.enumerated().compactMap { i, b in
                if case .started? = monitor.advance(b, now: b.start + 300).transition { return i } else { return nil }
            }
        }
        let burst = 8 * 288 + 100
        #expect(starts(series { $0 == burst ? 60 : 0 }).isEmpty, "five minutes of 7× is a burst, not a wave")
        let wave = starts(series { (burst..<(burst + 12)).contains($0) ? 25 : 0 })
        #expect(wave.count == 1)
        #expect((wave.first ?? 0) >= burst && (wave.first ?? 0) < burst + 12, "reported within the hour it builds up")
    }

    @Test func spikeIsNotRaisedDuringWarmUp() {
        let r = Self.replay(Self.series(days: 10, share: { $0 >= 30 && $0 < 33 ? 0.4 : 0.05 }))
        #expect(Self.starts(r.transitions).isEmpty)
        #expect(r.evaluations[31].isWarmingUp)
    }

    @Test func smallCountsAreNotSpikesWhateverTheirLift() {
        // 2 → 4 mentions on a quiet Sunday.
        var buckets = Self.series(days: 21, volume: { _ in 0.1 }, share: { _ in 0.25 })
        let i = 20 * 24 + 12
        buckets[i] = BucketCount(start: buckets[i].start, items: 5, matched: 4)
        #expect(!Self.replay(buckets).evaluations[i].isSpike)
    }

    @Test(arguments: [(0, 1.0, 1.0), (1, 1.0, 0.632120558828558), (5, 2.0, 0.052653017343711), (10, 3.0, 0.001102488763), (3, 0.0, 0.0)])
    func poissonUpperTail(k: Int, mean: Double, expected: Double) {
        #expect(abs(SpikeDetector.poissonUpperTail(atLeast: k, mean: mean) - expected) < 1e-9)
    }

    @Test(arguments: [(10, 5.0, 2.0, 0.0897827), (3, 2.0, 3.0, 0.2962963), (30, 10.0, 4.0, 0.0100712)])
    func negativeBinomialUpperTail(k: Int, mean: Double, dispersion: Double, expected: Double) {
        // Reference values from scipy.stats.nbinom.sf(k - 1, r, p) with r = mean / (dispersion - 1), p = r / (r + mean).
        #expect(abs(CountTail.upperTail(atLeast: k, mean: mean, dispersion: dispersion) - expected) < 1e-6)
    }

    @Test func recurrenceMedianGapNeedsThreeEpisodes() {
        #expect(Recurrence.medianGap([0, 86_400]) == nil)
        let gap = Recurrence.medianGap([0, 10 * 86_400, 40 * 86_400, 50 * 86_400])
        #expect(gap == Int64(864_000))
    }
}

struct AlertTrackerTests {
    let width: Int64 = 3600
    func evaluation(spike: Bool, score: Double = 5) -> SpikeDetector.Evaluation {
        .init(expected: 3, lift: 4, score: score, isSpike: spike, isWarmingUp: false)
    }

    @Test func aSpikeStartsAnEpisodeThatGrowsThenResolves() {
        var episode: AlertEpisode?
        var transitions: [AlertTransition] = []
        let steps: [(Int, Bool, Double)] = [(2, false, 0.5), (20, true, 6), (30, true, 9), (25, true, 7), (3, false, 0.4), (2, false, 0.3)]
        for (n, (matched, spike, score)) in steps.enumerated() {
            let bucket = BucketCount(start: Int64(n) * width, items: 50, matched: matched)
            let (next, transition) = AlertTracker.step(current: episode, narrative: "ai", bucket: bucket, width: width,
                                                        evaluation: evaluation(spike: spike, score: score), now: 10 * width)
            episode = next
            if let transition { transitions.append(transition) }
        }
        #expect(transitions.count == 3)
        guard case .started(let s) = transitions[0], case .updated(let u) = transitions[1], case .resolved(let r) = transitions[2] else {
            Issue.record("\(transitions)")
            return
        }
        #expect(s.id == "ai-19700101T0100Z")
        #expect(s.bucketStart == width)
        #expect(u.observed == 30)
        #expect(r.state == .resolved)
        #expect(r.ended == 5 * width)
        #expect(r.lastSpikeBucket == 3 * width)
        #expect(episode == nil)
    }

    /// A spike soon after an episode resolved brings that episode back, under its own id, as a
    /// transition the operator hears about; later, a new episode starts.
    @Test func aSpikeWithinTheCooldownResumesTheResolvedEpisode() {
        let policy = AlertPolicy(exitLift: 1.5, cooldown: 6 * width)
        let resolved = AlertEpisode(id: "ai-19700101T0100Z", narrative: "ai", state: .resolved, started: width, ended: 3 * width,
                                    bucketStart: width, lastSpikeBucket: 2 * width, observed: 30, expected: 3, lift: 8, score: 9)
        func step(at bucket: Int64, score: Double) -> AlertTransition? {
            AlertTracker.step(current: nil, lastResolved: resolved, narrative: "ai", bucket: BucketCount(start: bucket * width, items: 50, matched: 20),
                              width: width, evaluation: evaluation(spike: true, score: score), policy: policy, now: 20 * width).1
        }
        guard case .resumed(let back)? = step(at: 5, score: 6) else { Issue.record("\(String(describing: step(at: 5, score: 6)))"); return }
        #expect(back.id == resolved.id)
        #expect(back.state == .firing)
        #expect(back.ended == nil)
        #expect(back.resumedBucket == 5 * width)
        #expect(back.observed == 30, "the peak stays the first wave's when the new one is lower")
        guard case .started(let new)? = step(at: 9, score: 6) else { Issue.record("past the cooldown"); return }
        #expect(new.id == "ai-19700101T0900Z")
        #expect(new.resumedBucket == nil)
    }
}

struct TimestampTests {
    @Test(arguments: [(Int64(0), "1970-01-01T00:00:00Z"), (1_764_322_200, "2025-11-28T09:30:00Z"), (951_782_400, "2000-02-29T00:00:00Z"),
                      (-86_400, "1969-12-31T00:00:00Z")])
    func formatsUTC(seconds: Int64, text: String) {
        #expect(Timestamp.iso8601(seconds) == text)
    }

    @Test func civilRoundTrip() {
        #expect(Timestamp.seconds(year: 2026, month: 11, day: 28, hour: 10) == 1_795_860_000)
        #expect(Timestamp.iso8601(1_795_860_000) == "2026-11-28T10:00:00Z")
    }
}

struct JSONValueTests {
    @Test func keysKeepTheirOrderAndStringsAreEscaped() {
        let v = JSONValue.object([("b", .int(1)), ("a", .string("q\"\n\u{1}")), ("c", .array([.null, .bool(true), .double(2.5), .double(3)]))])
        #expect(v.serialized() == #"{"b": 1, "a": "q\"\n\u0001", "c": [null, true, 2.5, 3.0]}"#)
    }
}
