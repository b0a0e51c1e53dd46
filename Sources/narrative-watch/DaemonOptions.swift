import ArgumentParser
import FoundationEssentials
import Glibc
import Logging
import NarrativeCore
import Pipeline

/// What `run` and `poll-once` share: the configuration, the database, logging.
struct DaemonOptions: ParsableArguments {
    @OptionGroup var configOptions: ConfigOptions
    @Option(name: .long, help: ArgumentHelp("Database file (overrides the configuration).", valueName: "path"))
    var database: String?
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// Loads the configuration, starts logging, makes sure the database's directory exists and
    /// takes the database's poller lock.
    func prepare() throws -> (Configuration, databasePath: String, Logger) {
        let (configuration, _) = try configOptions.load()
        Logs.bootstrap(level: logLevel)
        let path = ConfigurationFile.databasePath(configured: configuration.storage.database, override: database)
        try ensureDirectory(for: path)
        let logger = Logger(label: "narrative-watch")
        try lock(database: path, logger: logger)
        return (configuration, path, logger)
    }

    /// One poller per database: a second daemon (or `poll-once` beside one) would fetch every
    /// feed twice. The lock is a `flock` on `DATABASE.lock`, which names its holder's pid, and lasts
    /// as long as the process. A lock file this process cannot open stops nothing.
    private func lock(database path: String, logger: Logger) throws {
        let lockPath = path + ".lock"
        var descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if descriptor < 0 { descriptor = open(lockPath, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else {
            logger.warning("cannot open \(lockPath) (\(String(cString: strerror(errno)))); another poller on this database would not be noticed")
            return
        }
        var locked = flock(descriptor, LOCK_EX | LOCK_NB)
        while locked != 0 && errno == EINTR { locked = flock(descriptor, LOCK_EX | LOCK_NB) }
        if locked != 0 && errno != EWOULDBLOCK {
            // A file system without flock (some NFS mounts): the lock cannot be had, nor held by another.
            logger.warning("cannot lock \(lockPath) (\(String(cString: strerror(errno)))); another poller on this database would not be noticed")
            close(descriptor)
            return
        }
        guard locked == 0 else {
            var holder = [UInt8](repeating: 0, count: 32)
            let count = read(descriptor, &holder, holder.count)
            let pid = String(decoding: holder.prefix(max(0, count)), as: UTF8.self).trimmedWhitespace
            close(descriptor)
            throw fail("database \(path): another narrative-watch\(pid.isEmpty ? "" : " (pid \(pid))") is polling it; stop that one first")
        }
        if ftruncate(descriptor, 0) == 0 {
            let pid = Array("\(getpid())\n".utf8)
            _ = pid.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        }
        // The descriptor stays open: the lock goes with the process.
    }

    /// Creates the database's directory when missing, so `./var/` works on a fresh clone; only
    /// that one, so a mistyped path fails instead of quietly starting an empty history elsewhere.
    private func ensureDirectory(for path: String) throws {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        guard !directory.isEmpty, !Files.isDirectory(directory) else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        } catch {
            throw fail("cannot create the database directory \(directory): \(Files.reason(error))")
        }
    }
}
