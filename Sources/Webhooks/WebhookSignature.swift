import Crypto
import FoundationEssentials

/// Standard Webhooks signatures: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`,
/// keyed with the bytes of a `whsec_…` secret. Pure: the same inputs always sign the same.
public enum WebhookSignature {
    /// The key inside a `whsec_<base64>` secret; nil when it is not one.
    public static func key(fromSecret secret: String) -> [UInt8]? {
        let trimmed = secret.trimmedWhitespace
        guard trimmed.hasPrefix("whsec_"), let data = Data(base64Encoded: String(trimmed.dropFirst(6))), !data.isEmpty else { return nil }
        return Array(data)
    }

    /// The `webhook-signature` header value for one delivery attempt.
    /// - Parameter timestamp: the attempt's time, in seconds since 1970 (the `webhook-timestamp` header).
    public static func sign(id: String, timestamp: Int64, body: [UInt8], key: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }
}
