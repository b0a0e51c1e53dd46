import Foundation

/// The built `narrative-watch` executable: `$NARRATIVE_WATCH_BINARY`, else the package's debug build.
public enum Binary {
    public static var path: String {
        if let p = ProcessInfo.processInfo.environment["NARRATIVE_WATCH_BINARY"], !p.isEmpty { return p }
        return packageRoot + "/.build/debug/narrative-watch"
    }

    /// The repository root, found from this file's place in it.
    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Runs the binary to completion.
    public static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> ChildProcess.Outcome {
        var env = ["NO_COLOR": "1"]
        for (k, v) in environment { env[k] = v }
        return try ChildProcess.run(path, arguments, environment: env, stdin: stdin)
    }
}
