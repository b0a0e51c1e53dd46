import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests: each path answers with a scripted
/// response, including misbehaviour (a body cut short, a slow drip). One thread accepts;
/// each connection gets a thread of its own, so a slow answer never blocks the others.
public final class LoopbackServer: @unchecked Sendable {
    public struct Request: Sendable {
        public let method: String
        public let path: String
        public let headers: [String: String]
        /// The request body, read to its Content-Length.
        public var body: [UInt8] = []
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// Close the connection after this many body bytes, though Content-Length promised all.
        public var cutAfter: Int?
        /// Pause between chunks of `dripChunk` bytes, in seconds.
        public var dripDelay: Double?
        public var dripChunk = 16

        public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = [], cutAfter: Int? = nil, dripDelay: Double? = nil) {
            self.status = status
            self.headers = headers
            self.body = body
            self.cutAfter = cutAfter
            self.dripDelay = dripDelay
        }

        public init(status: Int = 200, contentType: String, body: String, headers: [(String, String)] = []) {
            self.init(status: status, headers: [("Content-Type", contentType)] + headers, body: Array(body.utf8))
        }
    }

    public typealias Handler = @Sendable (Request) -> Response

    public let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var routes: [String: Handler] = [:]
    private var requestLog: [Request] = []

    /// Listens on `port`, or on a free one when 0 (a stopped server's port can be taken again).
    public init(port: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    private var stopped = false

    /// Stops accepting; connections in progress finish on their own. Safe to call twice:
    /// closing a descriptor twice could close another server's reused one.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    public func route(_ path: String, _ handler: @escaping Handler) {
        lock.withLock { routes[path] = handler }
    }

    /// Every request received so far, in order.
    public var requests: [Request] { lock.withLock { requestLog } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if lock.withLock({ stopped }) {
                if client >= 0 { close(client) }
                return
            }
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var noSigPipe: Int32 = 1
        setsockopt(client, SOL_SOCKET, SO_KEEPALIVE, &noSigPipe, socklen_t(MemoryLayout<Int32>.size))
        guard let request = readRequest(client) else { return }
        lock.withLock { requestLog.append(request) }
        let handler = lock.withLock { routes[request.path] }
        let response = handler?(request) ?? Response(status: 404, contentType: "text/plain", body: "not found")
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        var headers = response.headers
        if !headers.contains(where: { $0.0.lowercased() == "content-length" }) {
            headers.append(("Content-Length", String(response.body.count)))
        }
        headers.append(("Connection", "close"))
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        guard write(client, Array(head.utf8)) else { return }
        var body = response.body[...]
        if let cut = response.cutAfter { body = body.prefix(cut) }
        if let delay = response.dripDelay {
            while !body.isEmpty {
                guard write(client, Array(body.prefix(response.dripChunk))) else { return }
                body = body.dropFirst(response.dripChunk)
                Thread.sleep(forTimeInterval: delay)
            }
        } else {
            _ = write(client, Array(body))
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.headerEnd == nil {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            data += buffer[0..<n]
            if data.count > 65536 { return nil }
        }
        let lines = String(decoding: data[..<(data.headerEnd ?? data.count)], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var request = Request(method: String(parts[0]), path: String(parts[1]), headers: headers)
        let headerEnd = data.headerEnd ?? data.count
        var body = Array(data[headerEnd...])
        let expected = Int(headers["content-length"] ?? "") ?? 0
        while body.count < expected {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            body += buffer[0..<n]
        }
        request.body = body
        return request
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 404: "Not Found"
        case 410: "Gone"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

private extension Array where Element == UInt8 {
    /// Where the body starts: just after the first blank line (CR LF CR LF), if it has come.
    var headerEnd: Int? {
        guard count >= 4 else { return nil }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return i + 4 }
        return nil
    }
}
