/// One feed to fetch, with what the last successful fetch returned for conditional GET.
public struct FetchRequest: Sendable, Equatable {
    public let url: String
    public let etag: String?
    public let lastModified: String?

    public init(url: String, etag: String? = nil, lastModified: String? = nil) {
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// A response with a status below 400 (304 included, with an empty body).
public struct FetchResponse: Sendable, Equatable {
    public let status: Int
    /// Where the body finally came from, after redirects.
    public let effectiveURL: String
    public internal(set) var body: [UInt8]
    public let etag: String?
    public let lastModified: String?
    public let contentType: String?
    /// Raw `Cache-Control`, `Expires` and `Date` headers, for the poll schedule.
    public var cacheControl: String? = nil
    public var expires: String? = nil
    public var date: String? = nil
    /// The feed's new address when every redirect on the way was permanent (301/308).
    public var permanentRedirect: String? = nil

    public var isNotModified: Bool { status == 304 }

    /// The same answer without its body, which is dropped once parsed so that answers waiting
    /// to be stored do not hold their bytes.
    public func withoutBody() -> FetchResponse {
        var copy = self
        copy.body = []
        return copy
    }
}

/// Why a fetch failed, sorted into the classes that decide what happens next.
public enum FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    case timeout(String)
    case dns(String)
    case connectionRefused(String)
    /// The connection broke before the whole body arrived.
    case connectionLost(String)
    case tls(String)
    /// An HTTP error status, with its raw Retry-After header when it had one.
    case http(status: Int, retryAfter: String? = nil)
    /// The body grew past the configured cap (bytes), compressed or not.
    case tooLarge(limit: Int)
    /// A redirect to a scheme other than http/https, or too many redirects.
    case redirect(String)
    case other(String)

    public var description: String {
        switch self {
        case .timeout(let m): "timed out (\(m))"
        case .dns(let m): "could not resolve the host (\(m))"
        case .connectionRefused(let m): "connection refused (\(m))"
        case .connectionLost(let m): "connection lost mid-transfer (\(m))"
        case .tls(let m): "TLS failure (\(m))"
        case .http(let status, _): "HTTP \(status)"
        case .tooLarge(let limit): "response larger than the \(limit)-byte cap"
        case .redirect(let m): "redirect refused (\(m))"
        case .other(let m): m
        }
    }

    /// Short class name for logs and the feeds table.
    public var errorClass: String {
        switch self {
        case .timeout: "timeout"
        case .dns: "dns"
        case .connectionRefused: "connection-refused"
        case .connectionLost: "connection-lost"
        case .tls: "tls"
        case .http(429, _): "http-429"
        case .http(410, _): "http-410"
        case .http(let s, _): s >= 500 ? "http-5xx" : "http-4xx"
        case .tooLarge: "too-large"
        case .redirect: "redirect"
        case .other: "other"
        }
    }
}

/// How transfers are made.
public struct FetchOptions: Sendable {
    /// Whole-transfer limit, in seconds.
    public var timeout: Int
    /// Connection set-up limit, in seconds.
    public var connectTimeout: Int
    /// Largest body accepted, in bytes, after decompression.
    public var maxBody: Int
    /// Transfers at once.
    public var concurrency: Int
    /// Transfers at once to one host.
    public var perHost: Int
    public var userAgent: String
    /// A transfer slower than 64 bytes/s for this long is abandoned, in seconds (slow-drip servers).
    public var lowSpeedTime: Int

    public init(timeout: Int, connectTimeout: Int = 10, maxBody: Int, concurrency: Int, perHost: Int, userAgent: String, lowSpeedTime: Int = 15) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBody = maxBody
        self.concurrency = concurrency
        self.perHost = perHost
        self.userAgent = userAgent
        self.lowSpeedTime = lowSpeedTime
    }
}
