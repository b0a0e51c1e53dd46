/// What a poll came to, as far as scheduling is concerned.
public enum PollOutcome: Sendable, Equatable {
    /// New content, parsed.
    case fresh
    /// 304 Not Modified.
    case notModified
    /// Any failure; `retryAfter` is the server's Retry-After, in seconds.
    case failed(errorClass: String, retryAfter: Int?)
    /// 410 Gone: the feed is disabled.
    case gone
}

/// How long the server asks to be left alone, in seconds, from its headers and the feed.
public struct ServerHints: Sendable, Equatable {
    /// Cache-Control max-age.
    public var maxAge: Int?
    /// Expires, relative to the poll.
    public var expiresIn: Int?
    /// RSS `<ttl>` or `sy:updatePeriod`/`sy:updateFrequency`.
    public var feedPeriod: Int?

    public init(maxAge: Int? = nil, expiresIn: Int? = nil, feedPeriod: Int? = nil) {
        self.maxAge = maxAge
        self.expiresIn = expiresIn
        self.feedPeriod = feedPeriod
    }

    var longest: Int? { [maxAge, expiresIn, feedPeriod].compactMap { $0 }.max() }
}

/// When to poll a feed next. A feed is never dropped: failures back off exponentially up to
/// a cap, and only 410 Gone disables it.
public struct PollSchedule: Sendable, Equatable {
    /// The feed's interval, in seconds.
    public let interval: Int
    /// Longest a server's hints may stretch the interval, in seconds.
    public let maxInterval: Int
    /// Cap of the failure backoff, in seconds.
    public let maxBackoff: Int
    /// Largest Retry-After honoured, in seconds; longer ones are read as this.
    public static let longestRetryAfter = 86_400
    /// Share of the delay by which polls are spread, so feeds polled together drift apart.
    public static let jitterShare = 0.1

    public init(interval: Int, maxInterval: Int, maxBackoff: Int) {
        self.interval = interval
        self.maxInterval = max(interval, maxInterval)
        self.maxBackoff = max(interval, maxBackoff)
    }

    /// The next poll after one at `now` (seconds since 1970), or nil when the feed is gone.
    /// - Parameters:
    ///   - consecutiveErrors: failures in a row, this one included.
    ///   - jitter: a number in [-1, 1] spreading the delay by up to ±10%.
    public func nextPoll(after now: Int64, outcome: PollOutcome, consecutiveErrors: Int, hints: ServerHints = ServerHints(),
                         jitter: Double = 0) -> Int64? {
        let delay: Int
        // What the server asked for: the spread never brings the poll before it.
        var asked = 0
        switch outcome {
        case .gone:
            return nil
        case .fresh, .notModified:
            delay = min(max(interval, hints.longest ?? 0), maxInterval)
            asked = min(hints.longest ?? 0, delay)
        case .failed(_, let retryAfter?):
            delay = min(max(retryAfter, 1), Self.longestRetryAfter)
            asked = delay
        case .failed:
            let doublings = min(max(consecutiveErrors - 1, 0), 30)
            let (backoff, overflow) = interval.multipliedReportingOverflow(by: 1 << doublings)
            delay = overflow ? maxBackoff : min(backoff, maxBackoff)
        }
        let spread = Double(delay) * Self.jitterShare * max(-1, min(1, jitter))
        return now + Int64(max(1, Double(asked), Double(delay) + spread).rounded())
    }

    /// The time since which every feed that can deliver has been polled: a bucket closed by
    /// then holds all its items. A feed whose last poll failed is not waited for; its items
    /// come when it recovers, which its backoff may put hours away. Nil when no feed is left
    /// to wait for.
    public static func everyFeedPolledSince(_ feeds: [(lastPoll: Int64?, failing: Bool)]) -> Int64? {
        feeds.filter { !$0.failing }.map { $0.lastPoll ?? .min }.min()
    }

    /// Failure classes that mean "this machine cannot reach the network", not "this feed is broken".
    public static let networkClasses: Set<String> = ["dns", "connection-refused", "timeout", "connection-lost"]

    /// True when a whole cycle failed for network reasons: the cause is the network, and no
    /// feed is marked broken for it. Needs at least two feeds to tell, or one while the network
    /// is down already (`alreadyDown`, from `networkWasDown`).
    public static func isNetworkOutage(_ classes: [String?], alreadyDown: Bool = false) -> Bool {
        !classes.isEmpty && (classes.count >= 2 || alreadyDown) && classes.allSatisfy { $0.map(networkClasses.contains) ?? false }
    }

    /// True when, since the newest success of any feed, at least `polls` feeds were polled and
    /// every poll since failed for network reasons. Given the other feeds than the ones failing
    /// in the cycle at hand, one is two feeds in a row with nothing answering in between: the
    /// network, not the feeds, even when each was polled alone in its cycle. Two means the
    /// outage was already known. `newestSuccess` is the newest success of any feed, these or
    /// the ones left out.
    public static func networkWasDown(_ feeds: [(lastPoll: Int64?, lastSuccess: Int64?, failedClass: String?)], newestSuccess: Int64? = nil,
                                      polls: Int = 1) -> Bool {
        let lastSuccess = max(newestSuccess ?? .min, feeds.compactMap(\.lastSuccess).max() ?? .min)
        let since = feeds.filter { ($0.lastPoll ?? .min) > lastSuccess }
        return since.count >= max(1, polls) && since.allSatisfy { $0.failedClass.map(networkClasses.contains) ?? false }
    }
}
