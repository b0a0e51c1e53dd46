internal import CSystemd
import FoundationEssentials
import Glibc

/// Talks to the service manager through `sd_notify` (`$NOTIFY_SOCKET`); does nothing outside systemd.
public enum ServiceManager {
    /// Sends one or more `KEY=value` lines.
    public static func notify(_ state: String) {
        _ = sd_notify(0, state)
    }

    /// The configuration is loaded, the database open and the schedule running.
    public static func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }

    /// A one-line summary for `systemctl status`.
    public static func status(_ line: String) { notify("STATUS=\(line)") }

    /// The main loop is alive; systemd restarts the service when these stop coming.
    public static func watchdog() { notify("WATCHDOG=1") }

    /// The configuration is being re-read. `MONOTONIC_USEC` lets `Type=notify-reload` match it to its request.
    public static func reloading() { notify("RELOADING=1\nMONOTONIC_USEC=\(monotonicMicroseconds())") }

    /// Shutting down: the cycle in flight finishes, then the process exits.
    public static func stopping() { notify("STOPPING=1") }

    /// How often the main loop must send `WATCHDOG=1`: half of `$WATCHDOG_USEC`, nil when
    /// the watchdog is off (or meant for another process, per `$WATCHDOG_PID`).
    public static var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec / 2))
    }

    /// `CLOCK_MONOTONIC` in microseconds, the clock systemd compares reload requests with.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
