import FeedFetch
import Foundation
import Testing
import TestSupport

struct FeedFetcherTests {
    static let fetcher = FeedFetcher(options: FetchOptions(timeout: 5, connectTimeout: 2, maxBody: 64 * 1024, concurrency: 8, perHost: 8,
                                                          userAgent: "NarrativeWatch/test"))

    @Test func okResponseCarriesBodyAndValidators() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/feed") { _ in .init(contentType: "application/rss+xml", body: "<rss/>", headers: [("ETag", "\"abc\""), ("Last-Modified", "Sat, 28 Nov 2026 10:00:00 GMT")]) }
        let response = try await Self.fetcher.fetch(FetchRequest(url: server.url("/feed"))).get()
        #expect(response.status == 200)
        #expect(response.body == Array("<rss/>".utf8))
        #expect(response.etag == "\"abc\"")
        #expect(response.lastModified == "Sat, 28 Nov 2026 10:00:00 GMT")
        #expect(server.requests.first?.headers["user-agent"] == "NarrativeWatch/test")
        #expect(server.requests.first?.headers["accept-encoding"]?.contains("gzip") == true)
    }

    @Test func conditionalGetSendsValidatorsAndA304HasNoBody() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/feed") { r in r.headers["if-none-match"] == "\"abc\"" ? .init(status: 304) : .init(contentType: "text/xml", body: "<rss/>") }
        let response = try await Self.fetcher.fetch(FetchRequest(url: server.url("/feed"), etag: "\"abc\"", lastModified: "Sat, 28 Nov 2026 10:00:00 GMT")).get()
        #expect(response.isNotModified)
        #expect(response.body.isEmpty)
        #expect(server.requests.first?.headers["if-modified-since"] == "Sat, 28 Nov 2026 10:00:00 GMT")
    }

    @Test func failuresAreClassified() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/missing") { _ in .init(status: 404, contentType: "text/plain", body: "no") }
        server.route("/huge") { _ in .init(contentType: "text/xml", body: String(repeating: "x", count: 200 * 1024)) }
        server.route("/file") { _ in .init(status: 302, headers: [("Location", "file:///etc/passwd")]) }
        server.route("/loop") { _ in .init(status: 302, headers: [("Location", "/loop")]) }
        server.route("/cut") { _ in .init(status: 200, headers: [("Content-Type", "text/xml")], body: Array(repeating: 65, count: 4000), cutAfter: 100) }
        let urls = ["/missing", "/huge", "/file", "/loop", "/cut"].map(server.url) + ["http://127.0.0.1:9/feed"]
        let results = await Self.fetcher.fetchAll(urls.map { FetchRequest(url: $0) })
        let classes = results.map { result -> String in
            switch result {
            case .success: "ok"
            case .failure(let e): e.errorClass
            }
        }
        #expect(classes == ["http-4xx", "too-large", "redirect", "redirect", "connection-lost", "connection-refused"])
        #expect(!server.requests.contains { $0.path == "/etc/passwd" })
    }

    @Test func aStreamNobodyReadsStopsItsTransfers() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        for n in 0..<40 { server.route("/feed/\(n)") { _ in .init(contentType: "text/xml", body: "<rss/>") } }
        let fetcher = FeedFetcher(options: FetchOptions(timeout: 5, connectTimeout: 2, maxBody: 1024, concurrency: 1, perHost: 1, userAgent: "t"))
        for await (_, result) in fetcher.stream((0..<40).map { FetchRequest(url: server.url("/feed/\($0)")) }, window: 2) {
            #expect((try? result.get())?.status == 200)
            break
        }
        try await Task.sleep(for: .milliseconds(300))
        let served = server.requests.count
        try await Task.sleep(for: .milliseconds(500))
        #expect(server.requests.count == served)
        #expect(served < 10)
    }

    @Test func redirectsAreFollowed() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/old") { _ in .init(status: 301, headers: [("Location", "/new")]) }
        server.route("/new") { _ in .init(contentType: "text/xml", body: "<rss/>") }
        let response = try await Self.fetcher.fetch(FetchRequest(url: server.url("/old"))).get()
        #expect(response.effectiveURL == server.url("/new"))
        #expect(response.body == Array("<rss/>".utf8))
    }

    @Test func aGzipBombStopsAtTheCapOnItsDecompressedSize() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // 20 MB of zeros compress to about 20 KB: under the 64 KB cap on the wire, far over it unpacked.
        let raw = dir.file("zeros")
        #expect(FileManager.default.createFile(atPath: raw, contents: Data(count: 20 << 20)))
        let gzip = try ChildProcess.run("/bin/sh", ["-c", "gzip -c < \(raw) > \(raw).gz"])
        #expect(gzip.status == 0)
        let bomb = Array(try Data(contentsOf: URL(fileURLWithPath: raw + ".gz")))
        #expect(bomb.count < 64 * 1024)
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/bomb") { _ in .init(status: 200, headers: [("Content-Type", "application/rss+xml"), ("Content-Encoding", "gzip")], body: bomb) }
        let result = await Self.fetcher.fetch(FetchRequest(url: server.url("/bomb")))
        guard case .failure(let error) = result else { Issue.record("the bomb was accepted"); return }
        #expect(error == .tooLarge(limit: 64 * 1024))
    }

    @Test func aSlowDripIsAbandoned() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        var drip = LoopbackServer.Response(status: 200, headers: [("Content-Type", "application/rss+xml")], body: Array(repeating: 65, count: 4000))
        drip.dripDelay = 0.5
        drip.dripChunk = 1
        let slow = drip
        server.route("/drip") { _ in slow }
        let impatient = FeedFetcher(options: FetchOptions(timeout: 10, connectTimeout: 2, maxBody: 64 * 1024, concurrency: 4, perHost: 4,
                                                          userAgent: "NarrativeWatch/test", lowSpeedTime: 1))
        let result = await impatient.fetch(FetchRequest(url: server.url("/drip")))
        guard case .failure(let error) = result else { Issue.record("the drip was accepted"); return }
        #expect(error.errorClass == "timeout")
    }

    @Test func a308IsAPermanentRedirectAndA302IsNot() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        server.route("/moved") { _ in .init(status: 308, headers: [("Location", "/new")]) }
        server.route("/temporary") { _ in .init(status: 302, headers: [("Location", "/new")]) }
        server.route("/new") { _ in .init(contentType: "text/xml", body: "<rss/>") }
        let moved = try await Self.fetcher.fetch(FetchRequest(url: server.url("/moved"))).get()
        #expect(moved.permanentRedirect == server.url("/new"))
        let temporary = try await Self.fetcher.fetch(FetchRequest(url: server.url("/temporary"))).get()
        #expect(temporary.permanentRedirect == nil)
    }
}

struct DetachedThreadTests {
    @Test func bodyRunsOnANamedThreadOfItsOwn() async {
        let caller = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: "/proc/thread-self/comm"))) ?? Data(), as: UTF8.self)
        let name = await withCheckedContinuation { continuation in
            DetachedThread.start(name: "nw-test-thread-name") {
                let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                continuation.resume(returning: comm.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        #expect(name == "nw-test-thread-", "the kernel keeps 15 bytes of a thread's name")
        #expect(caller.trimmingCharacters(in: .whitespacesAndNewlines) != name)
    }
}
