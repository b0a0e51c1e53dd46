import NarrativeCore
import SeriesStore

/// Evaluates every narrative's closed buckets that have not been evaluated yet, advances
/// its alert episode, and stores the outcome with the evidence behind each alert.
/// Running it twice at the same time changes nothing.
public struct DetectionStage {
    public let detector: SpikeDetector
    public let bucketing: Bucketing
    /// Stories kept with an alert.
    public static let topItemLimit = 5
    static let recurrenceWindow: Int64 = 90 * 86_400
    /// Empty buckets in a row after which a firing episode resolves.
    static let silenceEndsEpisode: Int64 = 6

    public init(parameters: Configuration.Detection) {
        detector = SpikeDetector(parameters: parameters)
        bucketing = Bucketing(width: parameters.bucket)
    }

    /// A change the operator hears about, with the stored record behind it.
    public struct Notice: Sendable {
        public let transition: AlertTransition
        public let record: AlertRecord
    }

    /// `outbox` gives the webhook messages for a notice; they are stored in the same
    /// transaction as the alert, so a crash cannot keep an alert and lose its messages.
    public func run(narratives: [String], database: NarrativeDatabase, now: Int64,
                    outbox: (Notice) -> [OutboxMessage] = { _ in [] }) throws(StoreError) -> [Notice] {
        guard let firstData = try database.firstDataBucket() else { return [] }
        var notices: [Notice] = []
        for narrative in narratives {
            notices += try run(narrative: narrative, firstData: firstData, database: database, now: now, outbox: outbox)
        }
        return notices
    }

    private func run(narrative: String, firstData: Int64, database: NarrativeDatabase, now: Int64,
                     outbox: (Notice) -> [OutboxMessage]) throws(StoreError) -> [Notice] {
        let width = bucketing.width
        let lastClosed = bucketing.lastClosedStart(at: now)
        let cursor = try database.detectionCursor(narrative: narrative)
        let from = cursor.map { $0.lastEvaluated + width } ?? firstData
        guard from <= lastClosed else { return [] }

        let baselineSpan = Int64(detector.parameters.baseline)
        let windowStart = from - baselineSpan
        let exposure = try database.exposure(from: windowStart, to: lastClosed)
        let matched = try database.matched(narrative: narrative, from: windowStart, to: lastClosed)
        var spikes = try database.spikeBuckets(narrative: narrative, from: windowStart, to: lastClosed)
        func count(_ b: Int64) -> BucketCount { BucketCount(start: b, items: exposure[b] ?? 0, matched: matched[b] ?? 0) }

        // The baseline window [b − baseline, b − width], kept as running sums over non-spike buckets.
        var window: [BucketCount] = []
        var b = from - baselineSpan
        while b < from {
            if !spikes.contains(b), exposure[b] != nil { window.append(count(b)) }
            b += width
        }

        var episode = cursor?.firing
        var evaluations: [EvaluationRecord] = []
        var changed: [String: AlertRecord] = [:]
        var order: [String] = []
        var notices: [Notice] = []
        b = from
        while b <= lastClosed {
            window.removeAll { $0.start < b - baselineSpan }
            let bucket = count(b)
            // A bucket without any item says nothing about a narrative's share; it only ends a
            // firing episode once the feeds have been silent for `silenceEndsEpisode` buckets.
            if bucket.items == 0, episode.map({ b - $0.episode.lastSpikeBucket < Self.silenceEndsEpisode * width }) ?? true {
                b += width
                continue
            }
            let evaluation = detector.evaluate(bucket, history: window, firstData: firstData)
            if bucket.items > 0 { evaluations.append(EvaluationRecord(bucketStart: b, evaluation: evaluation)) }
            let (next, transition) = AlertTracker.step(current: episode?.episode, narrative: narrative, bucket: bucket, width: width,
                                                        evaluation: evaluation, now: now)
            if let transition {
                let record = try record(for: transition, previous: episode, database: database)
                if changed[record.episode.id] == nil { order.append(record.episode.id) }
                changed[record.episode.id] = record
                notices.append(Notice(transition: transition, record: record))
                episode = next == nil ? nil : record
            } else if let next, var current = episode {
                current.episode = next
                episode = current
                changed[next.id] = current
                if !order.contains(next.id) { order.append(next.id) }
            }
            if evaluation.isSpike { spikes.insert(b) } else if bucket.items > 0 { window.append(bucket) }
            b += width
        }
        try database.recordDetection(narrative: narrative, evaluations: evaluations, alerts: order.compactMap { changed[$0] },
                                     lastEvaluated: lastClosed, firingAlert: episode?.episode.id,
                                     outbox: notices.flatMap(outbox))
        return notices
    }

    /// The stored record for a transition: evidence from the peak bucket, recurrence from earlier alerts.
    private func record(for transition: AlertTransition, previous: AlertRecord?, database: NarrativeDatabase) throws(StoreError) -> AlertRecord {
        let e = transition.episode
        switch transition {
        case .started:
            let earlier = try database.alertStarts(narrative: e.narrative, from: e.bucketStart - Self.recurrenceWindow, to: e.bucketStart - 1)
            let evidence = try database.evidence(narrative: e.narrative, bucketStart: e.bucketStart, limit: Self.topItemLimit)
            return AlertRecord(episode: e, spikesIn90Days: earlier.count + 1, previous: earlier.last,
                               sources: evidence.sources, topItems: evidence.top, terms: evidence.terms)
        case .updated:
            let evidence = try database.evidence(narrative: e.narrative, bucketStart: e.lastSpikeBucket, limit: Self.topItemLimit)
            var record = previous ?? AlertRecord(episode: e, spikesIn90Days: 1, previous: nil, sources: 0, topItems: [])
            record.episode = e
            record.sources = evidence.sources
            record.topItems = evidence.top
            record.terms = evidence.terms
            return record
        case .resolved:
            var record = previous ?? AlertRecord(episode: e, spikesIn90Days: 1, previous: nil, sources: 0, topItems: [])
            record.episode = e
            return record
        }
    }
}
