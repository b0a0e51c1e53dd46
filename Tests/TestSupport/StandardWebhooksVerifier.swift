import Foundation

/// The independent check of our signatures: `Tests/Scripts/verify-standard-webhook.py`,
/// which uses the Standard Webhooks reference library from PyPI (`standardwebhooks`).
public enum StandardWebhooksVerifier {
    public struct Verdict: Sendable {
        /// One line per delivery: "ok <type>" or "bad <reason>".
        public let lines: [String]
        public let status: Int32
        public let stderr: String
    }

    /// Verifies every request (its `webhook-*` headers and body) against `secret`.
    public static func verify(_ requests: [LoopbackServer.Request], secret: String) throws -> Verdict {
        let deliveries: [[String: Any]] = requests.map { request in
            ["headers": request.headers.filter { $0.key.hasPrefix("webhook-") },
             "body": String(decoding: request.body, as: UTF8.self)]
        }
        let input = try JSONSerialization.data(withJSONObject: ["secret": secret, "deliveries": deliveries])
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("input.json", String(decoding: input, as: UTF8.self))
        let script = Binary.packageRoot + "/Tests/Scripts/verify-standard-webhook.py"
        let run = try ChildProcess.run("/usr/bin/env", ["python3", script], stdin: path)
        return Verdict(lines: run.stdout.split(separator: "\n").map(String.init), status: run.status, stderr: run.stderr)
    }
}
