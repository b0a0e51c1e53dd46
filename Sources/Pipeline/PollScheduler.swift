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
}
