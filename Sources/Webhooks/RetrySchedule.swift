import FoundationEssentials

/// When to try a failed delivery again: exponential backoff with jitter, `Retry-After` when
/// the receiver names a time. Pure: attempts, jitter and the clock are parameters.
public struct RetrySchedule: Sendable, Equatable {
    /// Delay after the first failure, in seconds.
    public var initial: Int
    /// Longest delay between two attempts, in seconds.
    public var maximum: Int
    /// Longest `Retry-After` honoured, in seconds; a receiver cannot park a message for days.
    public var maximumRetryAfter: Int

    public init(initial: Int = 2, maximum: Int = 15 * 60, maximumRetryAfter: Int = 3600) {
        self.initial = initial
        self.maximum = maximum
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// Seconds to wait after failed attempt number `attempt` (1-based): the exponential step
    /// `initial × 2^(attempt−1)`, capped at `maximum`, then "equal jitter": half of it fixed,
    /// the other half scaled by `jitter` in [0, 1), so many senders do not retry in step.
    public func backoff(afterAttempt attempt: Int, jitter: Double) -> Int {
        let exponent = min(max(attempt - 1, 0), 30)
        let step = min(maximum, initial << exponent)
        let half = Double(step) / 2
        return max(1, Int((half + half * min(max(jitter, 0), 1)).rounded(.down)))
    }

    /// Seconds to wait after a failed attempt: the receiver's `Retry-After` when it gave one
    /// (capped at `maximumRetryAfter`), else the backoff.
    public func delay(afterAttempt attempt: Int, retryAfter: Int?, jitter: Double) -> Int {
        if let retryAfter { return min(max(retryAfter, 1), maximumRetryAfter) }
        return backoff(afterAttempt: attempt, jitter: jitter)
    }
}

/// What one delivery attempt's answer means for the message.
public enum DeliveryVerdict: Sendable, Equatable {
    /// 2xx: done.
    case delivered
    /// Down, 5xx, 408, 425, 429: try again later.
    case retry
    /// Any other answer (400, 401, 404, 410 …): the same bytes will never be accepted.
    case refused

    /// `status` nil means no HTTP answer at all (refused connection, timeout, DNS).
    public static func of(status: Int?) -> DeliveryVerdict {
        guard let status else { return .retry }
        switch status {
        case 200..<300: return .delivered
        case 408, 425, 429, 500..<600: return .retry
        default: return .refused
        }
    }
}
