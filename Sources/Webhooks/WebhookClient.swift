internal import CCurl
import FoundationEssentials
import FeedFetch
import Synchronization

/// One POST to a webhook receiver through libcurl, run on a thread of its own so a slow
/// receiver never occupies Swift's cooperative threads. Cancelling the task abandons the
/// request within about a second (a stop need not wait for a receiver that hangs).
public struct WebhookClient: Sendable {
    /// The receiver's answer; `status` nil when there was none (refused, timed out, DNS).
    public struct Answer: Sendable, Equatable {
        public let status: Int?
        public let retryAfter: String?
        /// libcurl's error when there was no answer.
        public let error: String?
        /// The request was abandoned because its task was cancelled; the receiver may or may not
        /// have had the message.
        public var abandoned = false

        static let abandonedRequest = Answer(status: nil, retryAfter: nil, error: "abandoned", abandoned: true)
    }

    /// Whole-request timeout, in seconds.
    public let timeout: Int
    public let userAgent: String

    public init(timeout: Int = 15, userAgent: String) {
        _ = Self.globalInit
        self.timeout = timeout
        self.userAgent = userAgent
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public func post(url: String, headers: [(String, String)], body: [UInt8]) async -> Answer {
        let timeout = timeout, userAgent = userAgent
        let transfer = TransferState()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DetachedThread.start(name: "nw-webhook") {
                    continuation.resume(returning: Self.perform(url: url, headers: headers, body: body, timeout: timeout, userAgent: userAgent,
                                                                transfer: transfer))
                }
            }
        } onCancel: {
            transfer.abandon()
        }
    }

    private static func perform(url: String, headers: [(String, String)], body: [UInt8], timeout: Int, userAgent: String,
                                transfer: TransferState) -> Answer {
        guard let handle = curl_easy_init() else { return Answer(status: nil, retryAfter: nil, error: "libcurl could not start") }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(to: 0)
        var list: UnsafeMutablePointer<curl_slist>?
        list = curl_slist_append(list, "Content-Type: application/json")
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        defer {
            curl_easy_cleanup(handle)
            curl_slist_free_all(list)
            errorBuffer.deallocate()
        }
        _ = nw_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = nw_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = nw_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = nw_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeout)
        _ = nw_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, min(timeout, 10))
        _ = nw_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent)
        _ = nw_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        _ = nw_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = nw_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE_LARGE, body.count)
        // The answer's body is not needed: read and dropped.
        _ = nw_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION) { _, size, count, _ in size * count }
        let me = Unmanaged.passUnretained(transfer).toOpaque()
        _ = nw_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, me)
        _ = nw_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let length = size * count
            guard let data, let user else { return length }
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            if let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "retry-after" {
                Unmanaged<TransferState>.fromOpaque(user).takeUnretainedValue().retryAfter =
                    line[line.index(after: colon)...].trimmedWhitespace
            }
            return length
        }
        // Called at least once a second, even while the receiver is silent: non-zero abandons.
        _ = nw_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        _ = nw_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, me)
        _ = nw_curl_setopt_xferinfo(handle) { user, _, _, _, _ in
            guard let user else { return 0 }
            return Unmanaged<TransferState>.fromOpaque(user).takeUnretainedValue().isAbandoned ? 1 : 0
        }
        if transfer.isAbandoned { return .abandonedRequest }
        let code = body.withUnsafeBytes { bytes -> CURLcode in
            // COPYPOSTFIELDS copies the body, so the buffer need not outlive this call.
            _ = nw_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(errorBuffer)))
            return curl_easy_perform(handle)
        }
        if code == CURLE_ABORTED_BY_CALLBACK { return .abandonedRequest }
        guard code == CURLE_OK else {
            let detail = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
            return Answer(status: nil, retryAfter: nil, error: detail)
        }
        var status = 0
        _ = nw_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return Answer(status: status, retryAfter: transfer.retryAfter, error: nil)
    }
}

/// One request's state across threads: the Retry-After its header callback keeps, and whether
/// the task waiting for the answer was cancelled.
/// The retry-after is written and read on the transfer's thread only.
private final class TransferState: @unchecked Sendable {
    var retryAfter: String?
    private let abandoned = Atomic(false)

    func abandon() { abandoned.store(true, ordering: .relaxed) }
    var isAbandoned: Bool { abandoned.load(ordering: .relaxed) }
}
