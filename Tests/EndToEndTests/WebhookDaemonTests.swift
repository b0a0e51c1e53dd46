import Foundation
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The daemon delivering alerts to a receiver that is down, then busy (503 with Retry-After),
/// then back, across a restart and a SIGKILL in the middle of a delivery.
@Suite(.serialized)
struct WebhookDaemonTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// The outbox as the database holds it, read with Python's sqlite3 (the same system SQLite).
    static func outbox(_ database: String) throws -> [(event: String, hook: String, attempts: Int, delivered: Bool)] {
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            try:
                rows = db.execute("SELECT event_id, hook, attempts, delivered IS NOT NULL FROM webhook_outbox ORDER BY id").fetchall()
            except sqlite3.OperationalError:
                rows = []
            print(json.dumps(rows))
            """
        let run = try ChildProcess.run("/usr/bin/env", ["python3", "-c", script, database])
        let rows = (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[Any]]) ?? []
        return rows.map { ($0[0] as? String ?? "", $0[1] as? String ?? "", $0[2] as? Int ?? 0, ($0[3] as? Int ?? 0) == 1) }
    }

    static func wait(_ seconds: Double, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    @Test func everyAlertReachesEveryHookAcrossOutagesRestartsAndAKill() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let feeds = try LoopbackServer()
        defer { feeds.stop() }
        PipelineEndToEndTests.serve(NewsFixture.twoWeeksWithAIBurst(now: Int64(Date().timeIntervalSince1970)), on: feeds)

        // The receiver's port, with nothing listening yet: it is down.
        let probe = try LoopbackServer()
        let port = probe.port
        probe.stop()
        let database = dir.file("nw.sqlite")
        var toml = PipelineEndToEndTests.configuration(
            feeds: [("English", feeds.url("/en.xml")), ("Arabic", feeds.url("/ar.xml")), ("Chinese", feeds.url("/zh.json"))], database: database)
        toml += """

            [[webhooks]]
            name = "std"
            url = "http://127.0.0.1:\(port)/std"
            format = "standard"
            secret_file = "hook-secret"

            [[webhooks]]
            name = "chat"
            url = "http://127.0.0.1:\(port)/slack"
            format = "slack"

            [[webhooks]]
            name = "defi-only"
            url = "http://127.0.0.1:\(port)/discord"
            format = "discord"
            narratives = ["defi"]

            """
        let config = try dir.write("nw.toml", toml)
        try FileManager.default.createDirectory(atPath: dir.file("credentials"), withIntermediateDirectories: true)
        try dir.write("credentials/hook-secret", Self.secret + "\n")
        let environment = ["CREDENTIALS_DIRECTORY": dir.file("credentials"), "NO_COLOR": "1"]
        func start() throws -> ChildProcess { try ChildProcess(Binary.path, ["run", "--config", config], environment: environment) }

        // 1. The daemon raises the alert and queues it while the receiver is down; killed while retrying.
        let first = try start()
        let retrying = try Self.wait(20) { try Self.outbox(database).contains { $0.attempts >= 2 } }
        first.kill()
        let firstRun = first.wait()
        #expect(retrying, "the daemon never retried the down receiver: \(firstRun.stderr.suffix(2000))")
        let queued = try Self.outbox(database)
        #expect(!queued.isEmpty && queued.allSatisfy { !$0.delivered })
        #expect(!queued.contains { $0.hook == "defi-only" }, "the defi-only hook's filter lets no AI alert through")

        // 2. The receiver comes back busy (503, Retry-After: 1), then answers slowly: the daemon is killed
        //    while a delivery is in flight, after the receiver has it and before the daemon could record it.
        let receiver = try LoopbackServer(port: port)
        defer { receiver.stop() }
        let served = Mutex(0)
        let slowStarted = Mutex(false)
        for path in ["/std", "/slack", "/discord"] {
            receiver.route(path) { _ in
                let n = served.withLock { $0 += 1; return $0 }
                if n <= 2 { return .init(status: 503, headers: [("Retry-After", "1")]) }
                if n == 3 {
                    slowStarted.withLock { $0 = true }
                    Thread.sleep(forTimeInterval: 4)
                }
                return .init(status: 200)
            }
        }
        let second = try start()
        let inFlight = Self.wait(30) { slowStarted.withLock { $0 } }
        #expect(inFlight, "the restarted daemon did not resume delivery")
        Thread.sleep(forTimeInterval: 0.5)
        second.kill()
        let secondRun = second.wait()
        let killedID = receiver.requests.count >= 3 ? receiver.requests[2].headers["webhook-id"] : nil

        // 3. A third start delivers the rest, the interrupted one again.
        let third = try start()
        let drained = try Self.wait(30) { try Self.outbox(database).allSatisfy(\.delivered) }
        third.kill(SIGTERM)
        let thirdRun = third.wait()
        let left = try Self.outbox(database).filter { !$0.delivered }
        #expect(drained, "undelivered: \(left) \(secondRun.stderr.suffix(1500)) \(thirdRun.stderr.suffix(1500))")
        #expect(thirdRun.status == 0, "\(thirdRun.stderr.suffix(2000))")

        // Every alert state change reached each hook it was meant for; retries repeat id and body.
        let alertsRun = try Binary.run(["alerts", "--config", config, "--format", "json"])
        let alerts = try #require(try JSONSerialization.jsonObject(with: Data(alertsRun.stdout.utf8)) as? [[String: Any]])
        var expected: Set<String> = []
        for alert in alerts {
            let id = try #require(alert["id"] as? String)
            expected.insert("\(id).started")
            if alert["state"] as? String == "resolved" { expected.insert("\(id).resolved") }
        }
        #expect(!expected.isEmpty)
        let requests = receiver.requests
        for path in ["/std", "/slack"] {
            let got = requests.filter { $0.path == path }
            #expect(Set(got.compactMap { $0.headers["webhook-id"] }) == expected, "\(path)")
            for id in expected {
                #expect(Set(got.filter { $0.headers["webhook-id"] == id }.map(\.body)).count == 1, "\(path) \(id): retries must carry the same body")
            }
        }
        #expect(!requests.contains { $0.path == "/discord" })
        let killed = try #require(killedID)
        #expect(requests.filter { $0.headers["webhook-id"] == killed }.count >= 2, "the delivery cut by SIGKILL is sent again")

        // An independent verifier accepts every signed delivery.
        let signed = requests.filter { $0.path == "/std" }
        let verdict = try StandardWebhooksVerifier.verify(signed, secret: Self.secret)
        #expect(verdict.status == 0, "\(verdict.lines) \(verdict.stderr)")
        #expect(verdict.lines.count == signed.count && verdict.lines.allSatisfy { $0.hasPrefix("ok narrative.spike.") })
        #expect(!thirdRun.stderr.contains(Self.secret) && !secondRun.stderr.contains(Self.secret) && !firstRun.stderr.contains(Self.secret))
    }
}

extension WebhookDaemonTests {
    @Test func pollOnceDeliversASignedEventToAStandardHook() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let feeds = try LoopbackServer()
        defer { feeds.stop() }
        PipelineEndToEndTests.serve(NewsFixture.twoWeeksWithAIBurst(now: Int64(Date().timeIntervalSince1970)), on: feeds)
        let receiver = try LoopbackServer()
        defer { receiver.stop() }
        receiver.route("/hook") { _ in .init(status: 202) }
        let secretFile = try dir.write("secret", Self.secret)
        var toml = PipelineEndToEndTests.configuration(
            feeds: [("English", feeds.url("/en.xml")), ("Arabic", feeds.url("/ar.xml")), ("Chinese", feeds.url("/zh.json"))], database: dir.file("nw.sqlite"))
        toml += "\n[[webhooks]]\nname = \"ops\"\nurl = \"\(receiver.url("/hook"))\"\nsecret_file = \"\(secretFile)\"\nmin_severity = \"warning\"\n"
        let config = try dir.write("nw.toml", toml)
        let run = try Binary.run(["poll-once", "--config", config])
        #expect(run.status == 0, "\(run.stderr)")
        let got = receiver.requests
        #expect(got.count == 1, "one spike started, and resolutions are below this hook's severity: \(got.map { $0.headers["webhook-id"] ?? "" })")
        let first = try #require(got.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(first.body)) as? [String: Any])
        #expect(body["type"] as? String == "narrative.spike.started")
        #expect((body["data"] as? [String: Any])?["narrative"] as? String == "ai")
        let verdict = try StandardWebhooksVerifier.verify(got, secret: Self.secret)
        #expect(verdict.lines == ["ok narrative.spike.started"], "\(verdict.stderr)")
    }
}
