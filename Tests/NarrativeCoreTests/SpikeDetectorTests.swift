import NarrativeCore
import Testing

struct SpikeDetectorTests {
    static let hour: Int64 = 3600
    let detector = SpikeDetector(parameters: Configuration.Detection())

    /// Two weeks of hourly buckets with `items` items and `matched` of them on the narrative.
    func history(items: Int = 30, matched: Int = 3, endingBefore start: Int64) -> [BucketCount] {
        (1...(14 * 24)).map { BucketCount(start: start - Int64($0) * Self.hour, items: items, matched: matched) }.reversed()
    }

    let t: Int64 = 1_800_000_000 - 1_800_000_000 % 3600
    var firstData: Int64 { t - 14 * 86_400 }

    @Test func aBurstAboveTheNarrativesShareIsASpike() {
        let e = detector.evaluate(BucketCount(start: t, items: 40, matched: 25), history: history(endingBefore: t), firstData: firstData)
        #expect(e.isSpike)
        #expect(abs(e.expected - 4.0) < 0.01)
        #expect(e.score > 4)
        #expect(e.lift > 2)
    }

    @Test func aLouderMarketIsNotASpike() {
        // Ten times the volume, the same 10% share.
        let e = detector.evaluate(BucketCount(start: t, items: 300, matched: 31), history: history(endingBefore: t), firstData: firstData)
        #expect(!e.isSpike)
        #expect(abs(e.expected - 30) < 0.1)
    }

    @Test func smallCountsAreNotSpikesWhateverTheirLift() {
        // 2 → 4 mentions on a quiet day.
        let e = detector.evaluate(BucketCount(start: t, items: 10, matched: 4), history: history(items: 10, matched: 0, endingBefore: t), firstData: firstData)
        #expect(!e.isSpike)
    }

    @Test func spikeIsNotRaisedDuringWarmUp() {
        let e = detector.evaluate(BucketCount(start: t, items: 40, matched: 25), history: history(endingBefore: t), firstData: t - 2 * 86_400)
        #expect(e.isWarmingUp)
        #expect(!e.isSpike)
    }

    @Test func aSmallLiftIsNotASpikeEvenWhenSignificant() {
        // 1.5× on a large count: significant, but under the 2× minimum lift.
        let e = detector.evaluate(BucketCount(start: t, items: 1000, matched: 150), history: history(endingBefore: t), firstData: firstData)
        #expect(!e.isSpike)
    }

    @Test(arguments: [(0, 1.0, 1.0), (1, 1.0, 0.632120558828558), (5, 2.0, 0.052653017343711), (10, 3.0, 0.001102488763), (3, 0.0, 0.0)])
    func poissonUpperTail(k: Int, mean: Double, expected: Double) {
        #expect(abs(SpikeDetector.poissonUpperTail(atLeast: k, mean: mean) - expected) < 1e-9)
    }

    @Test func poissonTailStaysAccurateFarOut() {
        let p = SpikeDetector.poissonUpperTail(atLeast: 60, mean: 20)
        #expect(p > 1e-13 && p < 1e-11)
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
