import NarrativeCore
import SeriesStore

/// Advances every narrative's `SeriesMonitor` over the closed buckets not evaluated yet,
/// then looks at the bucket still filling up so a wave is reported before its hour is over.
/// Stores evaluations, alerts with their evidence, and the learnt baseline, one transaction
/// per narrative. Running it twice at the same time changes nothing.
public struct DetectionStage {
    public let detector: SpikeDetector
    public let bucketing: Bucketing
    /// Stories kept with an alert.
    public static let topItemLimit = 5
    static let recurrenceWindow: Int64 = 90 * 86_400
    /// Empty buckets in a row after which a firing episode resolves.
    static let silenceEndsEpisode: Int64 = 6
    /// How long after a bucket closes its items may still arrive (seconds): feeds not polled
    /// since it closed have not delivered theirs yet. The bucket waits this long for them at
    /// most, and never more than one bucket. Without `polledSince`, only a spike that lacks
    /// sources waits.
    public let lateArrival: Int64

    /// - Parameter lateArrival: the longest polling interval of the feeds (seconds), 0 when
    ///   every bucket is complete once closed (backtests, tests).
    public init(parameters: Configuration.Detection, lateArrival: Int = 0) {
        detector = SpikeDetector(parameters: parameters)
        bucketing = Bucketing(width: parameters.bucket)
        self.lateArrival = Int64(max(0, min(lateArrival, parameters.bucket)))
    }

    /// A change the operator hears about, with the stored record behind it.
    public struct Notice: Sendable {
        public let transition: AlertTransition
        public let record: AlertRecord
    }

    /// `outbox` gives the webhook messages for a notice; they are stored in the same
    /// transaction as the alert, so a crash cannot keep an alert and lose its messages.
    /// `polledSince`: every feed has been polled at or after this time, so a bucket closed by
    /// then holds all its items; a later one waits (up to `lateArrival`) for the rest. Nil
    /// takes every closed bucket as complete.
    /// `committed` is given each narrative's notices as soon as they are stored.
    public func run(narratives: [String], database: NarrativeDatabase, now: Int64, polledSince: Int64? = nil,
                    committed: ([Notice]) -> Void = { _ in }, outbox: (Notice) -> [OutboxMessage] = { _ in [] }) throws(StoreError) -> [Notice] {
        guard let firstData = try database.firstDataBucket() else { return [] }
        let minSources = try minimumSources(database)
        var notices: [Notice] = []
        for narrative in narratives {
            let stored = try run(narrative: narrative, firstData: firstData, minSources: minSources, database: database, now: now,
                                 polledSince: polledSince, outbox: outbox)
            committed(stored)
            notices += stored
        }
        return notices
    }

    private func run(narrative: String, firstData: Int64, minSources: Int, database: NarrativeDatabase, now: Int64,
                     polledSince: Int64?, outbox: (Notice) -> [OutboxMessage]) throws(StoreError) -> [Notice] {
        let width = bucketing.width
        let lastClosed = bucketing.lastClosedStart(at: now)
        let openStart = lastClosed + width
        let cursor = try database.detectionCursor(narrative: narrative)
        let from = cursor.map { $0.lastEvaluated + width } ?? firstData
        var monitor = SeriesMonitor(narrative: narrative, detector: detector, baseline: cursor?.baseline ?? SeriesBaseline(),
                                    firing: cursor?.firing?.episode, lastResolved: try database.lastResolvedAlert(narrative: narrative)?.episode)
        var records: [String: AlertRecord] = [:]
        if let firing = cursor?.firing { records[firing.episode.id] = firing }
        if let resolved = monitor.lastResolved, let record = try database.alert(id: resolved.id) { records[resolved.id] = record }

        let exposure = try database.exposure(from: min(from, openStart), to: openStart)
        let matched = try database.matched(narrative: narrative, from: min(from, openStart), to: openStart)
        func count(_ b: Int64) -> BucketCount { BucketCount(start: b, items: exposure[b] ?? 0, matched: matched[b] ?? 0) }

        var evaluations: [EvaluationRecord] = []
        var changed: [String] = []
        var notices: [Notice] = []
        func note(_ transition: AlertTransition) throws(StoreError) {
            let record = try record(for: transition, previous: records[transition.episode.id], noted: records.values, database: database)
            records[record.episode.id] = record
            if !changed.contains(record.episode.id) { changed.append(record.episode.id) }
            notices.append(Notice(transition: transition, record: record))
        }
        /// Stores the firing episode as the monitor now has it, without a notice.
        func keep(_ firing: AlertEpisode) {
            guard var record = records[firing.id] else { return }
            record.episode = firing
            records[firing.id] = record
            if !changed.contains(firing.id) { changed.append(firing.id) }
        }

        var b = from
        var waiting = false
        while b <= lastClosed {
            let bucket = count(b)
            if let polledSince, b + width > polledSince, now < b + width + lateArrival {
                waiting = true // some feed has not been polled since the bucket closed
                break
            }
            if let firing = monitor.firing, b < firing.lastSpikeBucket {
                // An episode the open bucket started (or resumed) while this one waited: learn from
                // this bucket, but it cannot end or change an episode that came after it.
                let evaluation = monitor.learn(bucket)
                if bucket.items > 0 { evaluations.append(EvaluationRecord(bucketStart: b, evaluation: evaluation)) }
                b += width
                continue
            }
            let before = monitor
            guard let step = try judge(bucket, with: &monitor, minSources: minSources, database: database, now: now) else {
                b += width
                continue
            }
            if step.lacksSources, polledSince == nil, now < b + width + lateArrival {
                // The other feeds' items for this bucket may still come: judge it again next time.
                // (With `polledSince` known, every feed has delivered by now.)
                monitor = before
                waiting = true
                break
            }
            if bucket.items > 0 { evaluations.append(EvaluationRecord(bucketStart: b, evaluation: step.evaluation)) }
            if let transition = step.transition {
                try note(transition)
            } else if let firing = monitor.firing {
                keep(firing)
            }
            if step.rising {
                let episode = AlertEpisode(id: "\(narrative)-rising-\(Timestamp.compact(b))", narrative: narrative, state: .rising,
                                           started: min(now, b + width), ended: min(now, b + width), bucketStart: b, lastSpikeBucket: b,
                                           observed: bucket.matched, expected: step.evaluation.expected, lift: step.evaluation.lift,
                                           score: step.evaluation.score)
                try note(.rising(episode))
            }
            b += width
        }

        // The open bucket: a spike already clear in its first minutes is reported now. A closed
        // bucket still waiting for its last items is looked at the same way first, so an episode
        // it starts is the one its final judgement goes on with.
        for watched in waiting ? [b, openStart] : [openStart] where monitor.firing == nil {
            let current = count(watched)
            guard current.items > 0, watched <= now else { continue }
            let elapsed = watched < openStart ? 1 : Double(now - openStart) / Double(width)
            let (_, transition) = monitor.early(current, elapsed: elapsed, now: now)
            if let transition, try database.sources(narrative: narrative, bucketStart: watched) >= minSources {
                monitor.firing = transition.episode
                if transition.episode.id == monitor.lastResolved?.id { monitor.lastResolved = nil }
                try note(transition)
            }
        }
        // While the bucket that started the episode is still filling (or waiting for its last
        // items), the alert's figures follow it, quietly: `status` and `alerts` would otherwise
        // set its growing count against the expectation of its first minutes.
        if var firing = monitor.firing, firing.resumedBucket == nil, firing.bucketStart >= b, firing.bucketStart <= openStart {
            let current = count(firing.bucketStart)
            let elapsed = firing.bucketStart < openStart ? 1 : Double(now - openStart) / Double(width)
            let (evaluation, _) = monitor.early(current, elapsed: elapsed, now: now)
            if evaluation.isSpike, current.matched != firing.observed || evaluation.expected != firing.expected,
               var record = records[firing.id] {
                firing.takeFigures(of: current, evaluation)
                monitor.firing = firing
                // The stories and feeds beside the figures are the bucket's so far too.
                let evidence = try database.evidence(narrative: narrative, bucketStart: firing.bucketStart, limit: Self.topItemLimit)
                record.sources = max(record.sources, evidence.sources)
                record.topItems = evidence.top
                record.terms = evidence.terms.isEmpty ? record.terms : evidence.terms
                records[firing.id] = record
                keep(firing)
            }
        }
        try database.recordDetection(narrative: narrative, evaluations: evaluations, alerts: changed.compactMap { records[$0] },
                                     lastEvaluated: waiting ? b - width : max(lastClosed, from - width), firingAlert: monitor.firing?.id,
                                     baseline: monitor.baseline,
                                     outbox: notices.flatMap(outbox))
        return notices
    }

    /// The alerts the stored history would have raised with these parameters, judged bucket
    /// by closed bucket as `run` judges them, from a fresh baseline; nothing is stored.
    public func replay(narrative: String, database: NarrativeDatabase, now: Int64) throws(StoreError) -> [AlertEpisode] {
        guard let firstData = try database.firstDataBucket() else { return [] }
        let minSources = try minimumSources(database)
        let width = bucketing.width
        let lastClosed = bucketing.lastClosedStart(at: now)
        let exposure = try database.exposure(from: firstData, to: lastClosed)
        let matched = try database.matched(narrative: narrative, from: firstData, to: lastClosed)
        var monitor = SeriesMonitor(narrative: narrative, detector: detector)
        var started: [AlertEpisode] = []
        var b = firstData
        while b <= lastClosed {
            let bucket = BucketCount(start: b, items: exposure[b] ?? 0, matched: matched[b] ?? 0)
            if case .started(let episode)? = try judge(bucket, with: &monitor, minSources: minSources, database: database, now: b + width)?.transition {
                started.append(episode)
            }
            b += width
        }
        return started
    }

    /// What a closed bucket did to the monitor, or nil for an empty bucket that says nothing.
    private struct Judgement {
        let evaluation: SpikeDetector.Evaluation
        let transition: AlertTransition?
        let rising: Bool
        /// A spike refused because too few feeds carried it.
        var lacksSources = false
    }

    private func judge(_ bucket: BucketCount, with monitor: inout SeriesMonitor, minSources: Int, database: NarrativeDatabase,
                       now: Int64) throws(StoreError) -> Judgement? {
        // A bucket without any item says nothing about a narrative's share; it only ends a
        // firing episode once the feeds have been silent for `silenceEndsEpisode` buckets.
        if bucket.items == 0, monitor.firing.map({ bucket.start - $0.lastSpikeBucket < Self.silenceEndsEpisode * bucketing.width }) ?? true {
            return nil
        }
        let resolvedBefore = monitor.lastResolved
        let step = monitor.advance(bucket, now: now)
        let begins: Bool
        switch step.transition {
        case .started?, .resumed?: begins = true
        default: begins = false
        }
        // No source at all means the bucket's items are past their retention: the count stays, who
        // carried it is unknown, and the spike is taken as it stands.
        guard begins, case let sources = try database.sources(narrative: monitor.narrative, bucketStart: bucket.start),
              sources > 0, sources < minSources else {
            return Judgement(evaluation: step.evaluation, transition: step.transition, rising: step.rising)
        }
        // One feed repeating itself is not a wave: no episode (a resolved one stays resolved, for a
        // real wave to resume), and the bucket is no spike in the history either.
        monitor.firing = nil
        monitor.lastResolved = resolvedBefore
        let e = step.evaluation
        return Judgement(evaluation: SpikeDetector.Evaluation(expected: e.expected, lift: e.lift, score: e.score, isSpike: false,
                                                              isWarmingUp: e.isWarmingUp, isRising: e.isRising),
                         transition: nil, rising: step.rising, lacksSources: true)
    }

    /// min_sources, or every feed that has delivered when there are fewer.
    private func minimumSources(_ database: NarrativeDatabase) throws(StoreError) -> Int {
        let delivering = try database.feedStates().filter { $0.itemsTotal > 0 }.count
        return max(1, min(detector.parameters.minSources, delivering))
    }

    /// The stored record for a transition: evidence from the peak bucket, recurrence from earlier
    /// episodes, those stored and those `noted` in this pass but not stored yet (a pass that
    /// catches up on hours of buckets can raise several).
    private func record(for transition: AlertTransition, previous: AlertRecord?, noted: some Sequence<AlertRecord>,
                        database: NarrativeDatabase) throws(StoreError) -> AlertRecord {
        let e = transition.episode
        switch transition {
        case .started, .rising:
            let window = (e.bucketStart - Self.recurrenceWindow)...(e.bucketStart - 1)
            var byStart = Dictionary(try database.episodes(narrative: e.narrative, from: window.lowerBound, to: window.upperBound)
                .map { ($0.start, $0.lift) }, uniquingKeysWith: { a, _ in a })
            for r in noted where r.episode.state != .rising && window.contains(r.episode.bucketStart) {
                byStart[r.episode.bucketStart] = r.episode.lift
            }
            let earlier = byStart.sorted { $0.key < $1.key }.map { (start: $0.key, lift: $0.value) }
            let evidence = try database.evidence(narrative: e.narrative, bucketStart: e.bucketStart, limit: Self.topItemLimit)
            return AlertRecord(episode: e, spikesIn90Days: earlier.count + 1, previous: earlier.last?.start, sources: evidence.sources,
                               topItems: evidence.top, terms: evidence.terms, previousLift: earlier.last?.lift,
                               medianGap: Recurrence.medianGap(earlier.map(\.start) + [e.bucketStart]))
        case .resumed:
            // The stories of the wave that came back, not of the first one; the sources, like the
            // counts beside them in the message, are the episode's largest.
            let evidence = try database.evidence(narrative: e.narrative, bucketStart: e.lastSpikeBucket, limit: Self.topItemLimit)
            var record = previous ?? AlertRecord(episode: e, spikesIn90Days: 1, previous: nil, sources: 0, topItems: [])
            record.episode = e
            record.sources = max(record.sources, evidence.sources)
            record.topItems = evidence.top
            record.terms = evidence.terms.isEmpty ? record.terms : evidence.terms
            return record
        case .updated:
            let evidence = try database.evidence(narrative: e.narrative, bucketStart: e.lastSpikeBucket, limit: Self.topItemLimit)
            var record = previous ?? AlertRecord(episode: e, spikesIn90Days: 1, previous: nil, sources: 0, topItems: [])
            record.episode = e
            record.sources = max(record.sources, evidence.sources)
            if e.lastSpikeBucket == e.bucketStart || record.topItems.isEmpty { record.topItems = evidence.top }
            record.terms = record.terms.isEmpty ? evidence.terms : record.terms
            return record
        case .resolved:
            var record = previous ?? AlertRecord(episode: e, spikesIn90Days: 1, previous: nil, sources: 0, topItems: [])
            record.episode = e
            return record
        }
    }
}
