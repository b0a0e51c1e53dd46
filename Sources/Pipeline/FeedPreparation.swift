import FeedFetch
import FeedParse
import FoundationEssentials
import SeriesStore
import Synchronization

/// A polled feed made ready to store: parsed and its items prepared, off the store's thread.
struct PreparedPoll: Sendable {
    enum Outcome: Sendable {
        /// The transfer itself failed; stored last, once the cycle knows whether the network was down.
        case fetchFailed(FetchError)
        case notModified(FetchResponse)
        /// The server answered, but not with a feed that could be read.
        case unreadable(FetchResponse, FeedParseError)
        case fresh(FetchResponse, PreparedFeed)
    }

    /// The feed's position in the cycle's request list.
    let index: Int
    let fetchedAt: Int64
    let outcome: Outcome
}

/// What the store needs of a parsed feed; the body and parsed text are gone by then.
struct PreparedFeed: Sendable {
    var title: String?
    var bozo: Bool
    var bozoMessage: String?
    var refreshPeriod: Int?
    var parsedItems: Int
    var items: [IngestItem]
}

extension PreparedPoll {
    /// Parses and prepares one transfer's result. Pure apart from the clock: safe on any thread.
    static func prepare(index: Int, _ result: Result<FetchResponse, FetchError>, fetchedAt: Int64,
                        preparation: ItemPreparation) -> PreparedPoll {
        let outcome: Outcome
        switch result {
        case .failure(let error):
            outcome = .fetchFailed(error)
        case .success(let response) where response.isNotModified:
            outcome = .notModified(response.withoutBody())
        case .success(let response):
            do throws(FeedParseError) {
                let parsed = try FeedParser.parse(response.body, baseURL: response.effectiveURL,
                                                  charset: FeedParser.charset(fromContentType: response.contentType))
                let items = parsed.items.compactMap { preparation.prepare($0, fetchedAt: fetchedAt) }
                outcome = .fresh(response.withoutBody(), PreparedFeed(title: parsed.title, bozo: parsed.bozo, bozoMessage: parsed.bozoMessage,
                                                                      refreshPeriod: parsed.refreshPeriod, parsedItems: parsed.items.count,
                                                                      items: items))
            } catch {
                outcome = .unreadable(response.withoutBody(), error)
            }
        }
        return PreparedPoll(index: index, fetchedAt: fetchedAt, outcome: outcome)
    }

    /// Prepares every result of `fetches` on up to `parallelism` workers and hands them to
    /// `rounds` as they are done. Parsing and matching are most of a poll's work; this lets them
    /// use every core while the store writes what is already prepared.
    static func prepareAll(_ fetches: FetchStream, parallelism: Int, preparation: ItemPreparation,
                           now: @escaping @Sendable () -> Int64, progress: CycleProgress?, into rounds: Rounds<PreparedPoll>) async {
        await withTaskGroup(of: Void.self) { workers in
            var running = 0
            for await (index, result) in fetches {
                if running >= parallelism {
                    await workers.next()
                    running -= 1
                }
                workers.addTask {
                    rounds.append(prepare(index: index, result, fetchedAt: now(), preparation: preparation))
                    progress?.mark()
                }
                running += 1
            }
        }
        rounds.finish()
    }
}

/// A queue between producers and one consumer that takes everything waiting at once. When the
/// consumer is slower than the producers, its rounds grow: the store then commits many feeds
/// in one transaction instead of one transaction per feed, writing each changed page once.
final class Rounds<Element: Sendable>: Sendable {
    private struct State {
        var waiting: [Element] = []
        var finished = false
        var consumer: CheckedContinuation<[Element]?, Never>?
    }
    private let state = Mutex(State())

    func append(_ element: Element) {
        let consumer = state.withLock { state -> CheckedContinuation<[Element]?, Never>? in
            guard let consumer = state.consumer else {
                state.waiting.append(element)
                return nil
            }
            state.consumer = nil
            return consumer
        }
        consumer?.resume(returning: [element])
    }

    /// No more elements will come; the consumer gets what is left, then nil.
    func finish() {
        let consumer = state.withLock { state -> CheckedContinuation<[Element]?, Never>? in
            state.finished = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume(returning: nil)
    }

    /// Everything waiting, or the next element once one comes; nil when finished and drained.
    func next() async -> [Element]? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [Element]?? in
                if !state.waiting.isEmpty {
                    defer { state.waiting = [] }
                    return .some(state.waiting)
                }
                if state.finished { return .some(nil) }
                state.consumer = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
