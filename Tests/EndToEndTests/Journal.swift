import Foundation
import Testing
import TestSupport

/// Reads entries back from the real journald.
enum Journal {
    static let socket = "/run/systemd/journal/socket"

    /// The newest entry matching every `FIELD=value`, waiting up to five seconds since journald writes asynchronously.
    static func waitForEntry(_ matches: [String]) throws -> [String: String]? {
        guard FileManager.default.fileExists(atPath: socket) else {
            Issue.record("journald is not running (no \(socket)); start it with `make journald` or run the tests through .ci/run")
            return nil
        }
        for _ in 0..<50 {
            let run = try ChildProcess.run("/usr/bin/journalctl", ["-o", "json", "--no-pager", "--all"] + matches)
            if let line = run.stdout.split(separator: "\n").last,
               let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] {
                return object.compactMapValues { $0 as? String }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }
}
