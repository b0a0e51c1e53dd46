import NarrativeCore
import SeriesStore

/// Which feeds the daemon polls now: those whose stored next-poll time has come (a feed
/// never polled is due at once), except the ones disabled after 410 Gone.
public enum PollScheduler {
    public static func due(_ feeds: [Configuration.Feed], states: [FeedState], at now: Int64) -> [Configuration.Feed] {
        let byURL = Dictionary(states.map { ($0.url, $0) }, uniquingKeysWith: { a, _ in a })
        return feeds.filter { feed in
            guard let state = byURL[feed.url] else { return true }
            return !state.disabled && (state.nextPoll ?? 0) <= now
        }
    }

    /// The feeds a reload gave a shorter interval, each with its new next poll: the last poll plus
    /// the new interval, where that comes before the time the old interval gave. A feed backing
    /// off after failures keeps its backoff; a longer interval applies from the next poll on.
    public static func shortened(from old: Configuration, to new: Configuration, states: [FeedState]) -> [(url: String, nextPoll: Int64)] {
        let before = Dictionary(old.feeds.map { ($0.url, $0.effectiveInterval(old.polling)) }, uniquingKeysWith: { a, _ in a })
        let byURL = Dictionary(states.map { ($0.url, $0) }, uniquingKeysWith: { a, _ in a })
        return new.feeds.compactMap { feed in
            let interval = feed.effectiveInterval(new.polling)
            guard let previous = before[feed.url], interval < previous, let state = byURL[feed.url], !state.disabled,
                  state.consecutiveErrors == 0, let last = state.lastPoll, let next = state.nextPoll, last + Int64(interval) < next else { return nil }
            return (feed.url, last + Int64(interval))
        }
    }
}
