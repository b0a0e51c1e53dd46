import FoundationEssentials
import NarrativeCore

/// Where a hook's `whsec_…` secret comes from: `secret_file` (a relative path resolves against
/// `$CREDENTIALS_DIRECTORY`, where `LoadCredential=` puts it), else the credential named
/// `webhook-<name>`. The secret itself never appears in a log line or an error.
public enum WebhookSecret {
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case unreadable(path: String)
        case notASecret(path: String)

        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read the secret file \(path)"
            case .notASecret(let path): "\(path) does not hold a whsec_<base64> secret"
            }
        }
    }

    /// The file that holds `hook`'s secret, or nil when it has none.
    public static func path(for hook: Configuration.Webhook, environment: [String: String]) -> String? {
        let credentials = environment["CREDENTIALS_DIRECTORY"].flatMap { $0.isEmpty ? nil : $0 }
        if let file = hook.secretFile {
            if file.hasPrefix("/") { return file }
            return credentials.map { "\($0)/\(file)" } ?? file
        }
        guard let credentials else { return nil }
        let candidate = "\(credentials)/webhook-\(hook.name)"
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    /// The signing key for `hook`; nil when it has no secret.
    public static func key(for hook: Configuration.Webhook,
                           environment: [String: String] = ProcessInfo.processInfo.environment) throws(Problem) -> [UInt8]? {
        guard let path = path(for: hook, environment: environment) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path: path) }
        guard let key = WebhookSignature.key(fromSecret: text) else { throw .notASecret(path: path) }
        return key
    }
}
