import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `run` under a stand-in service manager: a datagram socket as `$NOTIFY_SOCKET`, the
/// watchdog armed through `$WATCHDOG_USEC`, signals as systemd sends them.
@Suite(.serialized)
struct ServiceNotifyTests {
    static func configuration(feeds: [String], database: String) -> String {
        var toml = "[storage]\ndatabase = \"\(database)\"\n\n[polling]\ninterval = \"1h\"\ntimeout = \"5s\"\n"
        for url in feeds { toml += "\n[[feeds]]\nurl = \"\(url)\"\n" }
        toml += "\n[[narratives]]\nid = \"ai\"\nterms = [\"AI\"]\n"
        return toml
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    static func feed(_ title: String) -> LoopbackServer.Response {
        .init(contentType: "application/rss+xml", body: """
            <?xml version="1.0"?><rss version="2.0"><channel><title>\(title)</title>
            <item><guid>\(title)-1</guid><title>AI chips sell out</title></item></channel></rss>
            """)
    }

    @Test func theWatchdogIsFedThroughACycleThatWaitsOnASlowFeed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        // Answers after 3 s: longer than the 1 s watchdog, well within the 5 s transfer timeout.
        server.route("/slow.xml") { _ in
            Thread.sleep(forTimeInterval: 3)
            return Self.feed("slow")
        }
        let socket = try NotifySocket(path: dir.file("notify.sock"))
        let config = try dir.write("nw.toml", Self.configuration(feeds: [server.url("/slow.xml")], database: dir.file("nw.sqlite")))
        let daemon = try ChildProcess(Binary.path, ["run", "--config", config],
                                      environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000", "NO_COLOR": "1"])
        defer { daemon.kill(); _ = daemon.wait() }

        let ready = socket.receive(until: { NotifySocket.fields($0)["READY"] == "1" }, timeout: 10)
        _ = try #require(ready.found, "no READY=1; saw \(ready.seen)")
        // The first cycle is waiting on /slow.xml now; the pings go on every 0.5 s regardless.
        let during = socket.receive(until: { _ in false }, timeout: 2.2).seen
        #expect(server.requests.contains { $0.path == "/slow.xml" })
        let watchdogs = during.filter { NotifySocket.fields($0)["WATCHDOG"] == "1" }.count
        #expect(watchdogs >= 3, "expected a WATCHDOG=1 every 0.5 s while the cycle waits; saw \(during)")
        // The cycle ends with the feed stored and the status updated.
        let status = socket.receive(until: { NotifySocket.fields($0)["STATUS"]?.hasPrefix("polling 1 feed, 0 failing") == true && NotifySocket.fields($0)["READY"] == nil },
                                    timeout: 5)
        #expect(status.found != nil, "no status after the slow cycle; saw \(status.seen)")
    }

    @Test func daemonReportsReadyStatusWatchdogReloadAndStopping() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/one.xml") { _ in Self.feed("one") }
        server.route("/two.xml") { _ in Self.feed("two") }
        let socket = try NotifySocket(path: dir.file("notify.sock"))
        let config = try dir.write("nw.toml", Self.configuration(feeds: [server.url("/one.xml")], database: dir.file("nw.sqlite")))

        let daemon = try ChildProcess(Binary.path, ["run", "--config", config],
                                      environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000", "NO_COLOR": "1"])
        var stopped = false
        defer { if !stopped { daemon.kill(); _ = daemon.wait() } }

        // READY=1 comes with a status line once the configuration is loaded and the database open.
        let ready = socket.receive(until: { NotifySocket.fields($0)["READY"] == "1" }, timeout: 10)
        let readyMessage = try #require(ready.found, "no READY=1; saw \(ready.seen)")
        #expect(NotifySocket.fields(readyMessage)["STATUS"]?.hasPrefix("polling 1 feed, 0 failing") == true, "\(readyMessage)")

        // The first cycle updates the status; the loop pings the watchdog at half of WATCHDOG_USEC.
        let pings = socket.receive(until: { _ in false }, timeout: 2.2).seen
        let watchdogs = pings.filter { NotifySocket.fields($0)["WATCHDOG"] == "1" }.count
        #expect(watchdogs >= 3, "expected a WATCHDOG=1 every 0.5 s; saw \(pings)")
        #expect(server.requests.contains { $0.path == "/one.xml" })

        // SIGHUP with a second feed: RELOADING=1 stamped with CLOCK_MONOTONIC, then READY=1; the new feed is polled.
        _ = try dir.write("nw.toml", Self.configuration(feeds: [server.url("/one.xml"), server.url("/two.xml")], database: dir.file("nw.sqlite")))
        let before = Self.monotonicMicroseconds()
        daemon.kill(SIGHUP)
        let reloading = socket.receive(until: { NotifySocket.fields($0)["RELOADING"] == "1" }, timeout: 5)
        let reloadMessage = try #require(reloading.found, "no RELOADING=1; saw \(reloading.seen)")
        let stamp = try #require(NotifySocket.fields(reloadMessage)["MONOTONIC_USEC"].flatMap { UInt64($0) }, "\(reloadMessage)")
        #expect(stamp >= before && stamp <= Self.monotonicMicroseconds())
        let reReady = socket.receive(until: { NotifySocket.fields($0)["READY"] == "1" }, timeout: 5)
        #expect(reReady.found.flatMap { NotifySocket.fields($0)["STATUS"] }?.hasPrefix("polling 2 feeds") == true, "\(reReady.seen)")
        let deadline = Date().addingTimeInterval(5)
        while !server.requests.contains(where: { $0.path == "/two.xml" }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(server.requests.contains { $0.path == "/two.xml" }, "the added feed was not polled after the reload")
        let polledOne = server.requests.filter { $0.path == "/one.xml" }.count
        #expect(polledOne == 1, "the reload must keep the schedule: /one.xml polled \(polledOne) times")

        // An invalid file is refused: the daemon keeps running on the old configuration.
        _ = try dir.write("nw.toml", "[polling]\ninterval = \"often\"\n")
        daemon.kill(SIGHUP)
        #expect(socket.receive(until: { NotifySocket.fields($0)["RELOADING"] == "1" }, timeout: 5).found != nil)
        let keptReady = socket.receive(until: { NotifySocket.fields($0)["READY"] == "1" }, timeout: 5)
        #expect(keptReady.found.flatMap { NotifySocket.fields($0)["STATUS"] }?.hasPrefix("polling 2 feeds") == true, "\(keptReady.seen)")
        #expect(socket.receive(until: { NotifySocket.fields($0)["WATCHDOG"] == "1" }, timeout: 3).found != nil, "the daemon stopped after a bad reload")

        // SIGTERM: STOPPING=1, then a clean exit.
        daemon.kill(SIGTERM)
        let stopping = socket.receive(until: { NotifySocket.fields($0)["STOPPING"] == "1" }, timeout: 10)
        #expect(stopping.found != nil, "no STOPPING=1; saw \(stopping.seen)")
        let outcome = daemon.wait()
        stopped = true
        #expect(outcome.status == 0, "exit \(outcome.status) signal \(outcome.signal.map(String.init) ?? "-"): \(outcome.stderr)")
        #expect(outcome.stderr.contains("configuration reload refused"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("polling.interval"), "the refused file's problem is named: \(outcome.stderr)")
    }
}
