import Synchronization

/// When a poll cycle last moved on: a transfer running or ending, a feed parsed, a round
/// stored. The daemon keeps systemd's watchdog fed through a long cycle only while it moves,
/// so a cycle that hangs still gets the service restarted.
public final class CycleProgress: Sendable {
    private let last = Mutex(ContinuousClock.now)

    public init() {}

    public func mark() { last.withLock { $0 = .now } }

    public func isRecent(within window: Duration) -> Bool { last.withLock { .now - $0 <= window } }
}
