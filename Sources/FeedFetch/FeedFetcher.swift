internal import CCurl
import FoundationEssentials
import NarrativeCore
import Synchronization

/// Fetches many feeds at once on one libcurl multi handle, driven by one thread of its own
/// so blocking network waits never occupy Swift's cooperative threads.
public struct FeedFetcher: Sendable {
    public let options: FetchOptions

    public init(options: FetchOptions) {
        _ = Self.globalInit
        self.options = options
    }

    /// libcurl's process-wide set-up, done once before the first handle.
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Fetches every request; results are in request order.
    public func fetchAll(_ requests: [FetchRequest]) async -> [Result<FetchResponse, FetchError>] {
        var results = [Result<FetchResponse, FetchError>?](repeating: nil, count: requests.count)
        for await (index, result) in stream(requests) { results[index] = result }
        return results.map { $0 ?? .failure(.other("the transfer did not complete")) }
    }

    public func fetch(_ request: FetchRequest) async -> Result<FetchResponse, FetchError> {
        await fetchAll([request])[0]
    }

    /// Fetches every request and hands over each result as soon as its transfer ends, so the
    /// caller ingests one feed while others are still downloading. At most `window` results
    /// (default twice the concurrency: enough to keep the parser busy, as poll-once over 2,000
    /// loopback feeds shows no difference from four times) are fetched ahead of the caller,
    /// which bounds the memory bodies take.
    /// `heartbeat` is called from the fetch thread at least once a second while transfers are
    /// running: the network is being waited on, nothing is stuck.
    public func stream(_ requests: [FetchRequest], window: Int? = nil, heartbeat: (@Sendable () -> Void)? = nil) -> FetchStream {
        let (stream, continuation) = AsyncStream.makeStream(of: (Int, Result<FetchResponse, FetchError>).self)
        let options = options
        let control = FetchControl(credits: max(1, window ?? 2 * options.concurrency))
        // A caller that stops listening (its task failed or was cancelled) stops the transfers.
        continuation.onTermination = { _ in control.cancel() }
        DetachedThread.start(name: "nw-fetch") {
            Self.perform(requests, options: options, control: control, heartbeat: heartbeat) { continuation.yield(($0, $1)) }
            continuation.finish()
        }
        return FetchStream(stream: stream, control: control)
    }

    private static func perform(_ requests: [FetchRequest], options: FetchOptions, control: FetchControl, heartbeat: (@Sendable () -> Void)?,
                                deliver: (Int, Result<FetchResponse, FetchError>) -> Void) {
        guard let multi = curl_multi_init() else {
            for index in requests.indices { deliver(index, .failure(.other("libcurl could not start"))) }
            return
        }
        control.attach(multi)
        defer {
            control.detach()
            curl_multi_cleanup(multi)
        }
        _ = nw_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options.concurrency)
        _ = nw_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.perHost)

        var active: [UnsafeMutableRawPointer: (index: Int, transfer: Transfer)] = [:]
        var next = 0
        var running: Int32 = 0
        defer {
            for easy in active.keys { curl_multi_remove_handle(multi, easy) }
        }
        while next < requests.count || running > 0 || !active.isEmpty {
            if control.isCancelled { return }
            // Start transfers while the caller has room for their results.
            while next < requests.count, control.takeCredit() {
                if let transfer = Transfer(request: requests[next], options: options) {
                    active[transfer.handle] = (next, transfer)
                    curl_multi_add_handle(multi, transfer.handle)
                } else {
                    deliver(next, .failure(.other("libcurl could not create a transfer")))
                }
                next += 1
            }
            curl_multi_perform(multi, &running)
            if running > 0 { heartbeat?() }
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let (index, transfer) = active.removeValue(forKey: easy) else { continue }
                let result = transfer.result(code: message.pointee.data.result)
                curl_multi_remove_handle(multi, easy)
                deliver(index, result)
            }
            if running > 0 || next < requests.count {
                // Network activity, or the caller making room for more results, ends the wait.
                curl_multi_poll(multi, nil, 0, 1000, nil)
            }
        }
    }
}

/// Results in the order transfers end: (request index, result).
public struct FetchStream: AsyncSequence, Sendable {
    public typealias Element = (Int, Result<FetchResponse, FetchError>)
    let stream: AsyncStream<Element>
    let control: FetchControl

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<Element>.AsyncIterator
        let control: FetchControl
        var delivered = false

        /// Asking for the next result means the previous one was dealt with: its room is free.
        public mutating func next() async -> Element? {
            if delivered { control.returnCredit() }
            let element = await base.next()
            delivered = element != nil
            return element
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: stream.makeAsyncIterator(), control: control) }
}

/// What the caller and the fetch thread share: room for results the caller has not taken
/// yet, a way to wake the thread out of `curl_multi_poll` while its multi handle lives, and
/// the caller's wish to stop.
final class FetchControl: Sendable {
    private struct State {
        var multi: MultiHandle?
        var credits: Int
        var cancelled = false

        func wake() { if let multi { _ = curl_multi_wakeup(multi.pointer) } }
    }
    /// The fetch thread's multi handle; `curl_multi_wakeup` is the one call other threads make on it.
    private struct MultiHandle: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }
    private let state: Mutex<State>

    init(credits: Int) { state = Mutex(State(credits: credits)) }

    func attach(_ multi: UnsafeMutableRawPointer) {
        let handle = MultiHandle(pointer: multi)
        state.withLock { $0.multi = handle }
    }
    func detach() { state.withLock { $0.multi = nil } }

    /// Room for one more result, if there is any.
    func takeCredit() -> Bool {
        state.withLock {
            guard $0.credits > 0 else { return false }
            $0.credits -= 1
            return true
        }
    }

    /// The caller dealt with a result: its room is free, and the thread may start a transfer.
    func returnCredit() {
        state.withLock {
            $0.credits += 1
            $0.wake()
        }
    }

    /// Asks the fetch thread to abandon its transfers and end.
    func cancel() {
        state.withLock {
            $0.cancelled = true
            $0.wake()
        }
    }

    var isCancelled: Bool { state.withLock { $0.cancelled } }
}

/// One easy handle with the buffers its callbacks fill.
private final class Transfer {
    let handle: UnsafeMutableRawPointer
    let request: FetchRequest
    let maxBody: Int
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    /// Status of every response on the way, redirects included.
    var statuses: [Int] = []
    var exceededCap = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init?(request: FetchRequest, options: FetchOptions) {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.request = request
        self.maxBody = options.maxBody
        errorBuffer.initialize(to: 0)

        setLong(CURLOPT_NOSIGNAL, 1)
        setString(CURLOPT_URL, request.url)
        setString(CURLOPT_PROTOCOLS_STR, "http,https")
        setString(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        setLong(CURLOPT_FOLLOWLOCATION, 1)
        setLong(CURLOPT_MAXREDIRS, 5)
        setLong(CURLOPT_TIMEOUT, options.timeout)
        setLong(CURLOPT_CONNECTTIMEOUT, options.connectTimeout)
        // A server that drips less than 64 bytes/s for 15 s is abandoned before the timeout.
        setLong(CURLOPT_LOW_SPEED_LIMIT, 64)
        setLong(CURLOPT_LOW_SPEED_TIME, min(options.lowSpeedTime, options.timeout))
        setString(CURLOPT_ACCEPT_ENCODING, "")
        setString(CURLOPT_USERAGENT, options.userAgent)
        setLong(CURLOPT_MAXFILESIZE_LARGE, options.maxBody)
        _ = nw_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)

        var list: UnsafeMutablePointer<curl_slist>?
        list = curl_slist_append(list, "Accept: application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5")
        if let etag = request.etag { list = curl_slist_append(list, "If-None-Match: \(etag)") }
        if let lastModified = request.lastModified { list = curl_slist_append(list, "If-Modified-Since: \(lastModified)") }
        headerList = list
        _ = nw_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)

        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = nw_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, me)
        _ = nw_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let length = size * count
            guard transfer.body.count + length <= transfer.maxBody else {
                transfer.exceededCap = true
                return 0 // makes libcurl stop with CURLE_WRITE_ERROR
            }
            if transfer.body.capacity == 0, let declared = transfer.headers["content-length"].flatMap({ Int($0) }), declared > length {
                // The body in one allocation of its declared size, rather than doubling up to it
                // and keeping up to twice what it needs while it waits for the parser. (libcurl
                // refuses a declared size over the cap before the body starts.)
                transfer.body.reserveCapacity(min(declared, transfer.maxBody))
            }
            if let data { data.withMemoryRebound(to: UInt8.self, capacity: length) { transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) } }
            return length
        }
        _ = nw_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, me)
        _ = nw_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let length = size * count
            guard let data else { return length }
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                transfer.headers.removeAll() // a new response after a redirect
                let parts = line.split(separator: " ")
                if parts.count >= 2, let status = Int(parts[1]) { transfer.statuses.append(status) }
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                transfer.headers[name] = line[line.index(after: colon)...].trimmedWhitespace
            }
            return length
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func setLong(_ option: CURLoption, _ value: Int) { _ = nw_curl_setopt_long(handle, option, value) }
    private func setString(_ option: CURLoption, _ value: String) { _ = nw_curl_setopt_string(handle, option, value) }

    func result(code: CURLcode) -> Result<FetchResponse, FetchError> {
        var status = 0
        _ = nw_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var effective: UnsafeMutablePointer<CChar>?
        _ = nw_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective)
        let effectiveURL = effective.map { String(cString: $0) } ?? request.url
        guard code == CURLE_OK else { return .failure(classify(code)) }
        guard status < 400 else { return .failure(.http(status: status, retryAfter: headers["retry-after"])) }
        var response = FetchResponse(status: status, effectiveURL: effectiveURL, body: body, etag: headers["etag"],
                                     lastModified: headers["last-modified"], contentType: headers["content-type"])
        response.cacheControl = headers["cache-control"]
        response.expires = headers["expires"]
        response.date = headers["date"]
        let redirects = statuses.dropLast()
        if !redirects.isEmpty, redirects.allSatisfy({ $0 == 301 || $0 == 308 }), effectiveURL != request.url {
            response.permanentRedirect = effectiveURL
        }
        return .success(response)
    }

    private func classify(_ code: CURLcode) -> FetchError {
        let detail = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timeout(detail)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .dns(detail)
        case CURLE_COULDNT_CONNECT: return .connectionRefused(detail)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connectionLost(detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return .tls(detail)
        case CURLE_FILESIZE_EXCEEDED: return .tooLarge(limit: maxBody)
        case CURLE_WRITE_ERROR where exceededCap: return .tooLarge(limit: maxBody)
        case CURLE_TOO_MANY_REDIRECTS, CURLE_UNSUPPORTED_PROTOCOL: return .redirect(detail)
        default: return .other(detail)
        }
    }
}
