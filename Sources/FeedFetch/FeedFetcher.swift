internal import CCurl
import Foundation

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
        guard !requests.isEmpty else { return [] }
        let options = options
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Self.perform(requests, options: options))
            }
            thread.name = "narrative-watch-fetch"
            thread.start()
        }
    }

    public func fetch(_ request: FetchRequest) async -> Result<FetchResponse, FetchError> {
        await fetchAll([request])[0]
    }

    private static func perform(_ requests: [FetchRequest], options: FetchOptions) -> [Result<FetchResponse, FetchError>] {
        guard let multi = curl_multi_init() else {
            return requests.map { _ in .failure(.other("libcurl could not start")) }
        }
        defer { curl_multi_cleanup(multi) }
        _ = nw_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options.concurrency)
        _ = nw_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.perHost)

        var transfers: [Transfer] = []
        var results = [Result<FetchResponse, FetchError>?](repeating: nil, count: requests.count)
        var byHandle: [UnsafeMutableRawPointer: Int] = [:]
        for (index, request) in requests.enumerated() {
            guard let transfer = Transfer(request: request, options: options) else {
                results[index] = .failure(.other("libcurl could not create a transfer"))
                continue
            }
            transfers.append(transfer)
            byHandle[transfer.handle] = index
            curl_multi_add_handle(multi, transfer.handle)
        }
        defer {
            for transfer in transfers { curl_multi_remove_handle(multi, transfer.handle) }
        }

        var running: Int32 = 1
        while running > 0 {
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let index = byHandle[easy], let transfer = transfers.first(where: { $0.handle == easy }) else { continue }
                results[index] = transfer.result(code: message.pointee.data.result)
            }
            if running > 0 { curl_multi_poll(multi, nil, 0, 1000, nil) }
        }
        return results.map { $0 ?? .failure(.other("the transfer did not complete")) }
    }
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
                transfer.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
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
