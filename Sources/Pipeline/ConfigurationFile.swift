import FoundationEssentials
import NarrativeCore

/// Finds and reads the configuration file in the documented lookup order.
public enum ConfigurationFile {
    public enum LoadError: Error, CustomStringConvertible {
        case notFound(tried: [String])
        case unreadable(path: String, reason: String)
        case invalid(ConfigurationError)

        public var description: String {
            switch self {
            case .notFound(let tried): "no configuration file found (tried \(tried.joined(separator: ", "))); pass --config PATH"
            case .unreadable(let path, let reason): "\(path): cannot read the configuration: \(reason)"
            case .invalid(let error): error.description
            }
        }
    }

    /// `--config PATH`, `$NARRATIVE_WATCH_CONFIG`, `$CONFIGURATION_DIRECTORY/narrative-watch.toml`,
    /// `/etc/narrative-watch/narrative-watch.toml`: the first that is given (or exists) wins.
    public static func locate(explicit: String?, environment: [String: String]) -> Result<String, LoadError> {
        if let explicit { return .success(explicit) }
        if let path = environment["NARRATIVE_WATCH_CONFIG"], !path.isEmpty { return .success(path) }
        var tried: [String] = []
        if let directory = environment["CONFIGURATION_DIRECTORY"], !directory.isEmpty {
            // systemd may pass several directories separated by ':'.
            for dir in directory.split(separator: ":") { tried.append("\(dir)/narrative-watch.toml") }
        }
        tried.append("/etc/narrative-watch/narrative-watch.toml")
        if let found = tried.first(where: { FileManager.default.fileExists(atPath: $0) }) { return .success(found) }
        return .failure(.notFound(tried: tried))
    }

    public static func load(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LoadError) -> (Configuration, path: String) {
        let path: String
        switch locate(explicit: explicit, environment: environment) {
        case .success(let p): path = p
        case .failure(let e): throw e
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable UTF-8 text" : "no such file"
            throw .unreadable(path: path, reason: reason)
        }
        do {
            return (try Configuration.parse(text, file: path), path)
        } catch {
            throw .invalid(error)
        }
    }

    /// Where the database lives: `--database` wins; a relative configured path resolves against
    /// `$STATE_DIRECTORY` (systemd), else the working directory.
    public static func databasePath(configured: String, override: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let override { return override }
        if configured.hasPrefix("/") { return configured }
        if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !state.isEmpty { return "\(state)/\(configured)" }
        return configured
    }
}
