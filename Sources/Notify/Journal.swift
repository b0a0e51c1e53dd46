internal import CSystemd
import FoundationEssentials
import Glibc

/// Structured entries to journald through `sd_journal_sendv`, or to stderr where no
/// journal listens (a terminal, a container).
public enum Journal {
    public static let identifier = "narrative-watch"
    static let socketPath = "/run/systemd/journal/socket"

    /// True when journald's socket exists.
    public static var isAvailable: Bool { FileManager.default.fileExists(atPath: socketPath) }

    /// True when stderr is a terminal: the operator is watching, so entries are echoed there too.
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Sends one entry; `fields` are upper-case journal field names and their values.
    /// - Returns: false when journald could not be reached.
    @discardableResult
    public static func send(_ fields: [(String, String)]) -> Bool {
        var all = fields
        if !all.contains(where: { $0.0 == "SYSLOG_IDENTIFIER" }) { all.append(("SYSLOG_IDENTIFIER", identifier)) }
        let strings = all.map { strdup("\($0.0)=\($0.1)")! }
        defer { strings.forEach { free($0) } }
        var vectors = strings.map { iovec(iov_base: UnsafeMutableRawPointer($0), iov_len: strlen($0)) }
        return sd_journal_sendv(&vectors, Int32(vectors.count)) == 0
    }

    /// Writes one line to stderr.
    public static func writeStderr(_ line: String) {
        Descriptor.standardError.write(line + "\n")
    }

    /// Sends an entry to the journal when it is there, and its message to stderr when
    /// there is no journal or a person is watching the terminal.
    public static func emit(_ fields: [(String, String)]) {
        let delivered = isAvailable && send(fields)
        if !delivered || stderrIsTerminal {
            let message = fields.first { $0.0 == "MESSAGE" }?.1 ?? ""
            let priority = fields.first { $0.0 == "PRIORITY" }.flatMap { Int($0.1) } ?? 6
            writeStderr("\(localTime()) \(levelName(priority)) \(identifier): \(message)")
        }
    }

    /// The time as swift-log's stream handler writes it, so entries line up with log lines.
    static func localTime() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// swift-log's name for a syslog priority.
    static func levelName(_ priority: Int) -> String {
        switch priority {
        case ...2: "critical"
        case 3: "error"
        case 4: "warning"
        case 5: "notice"
        case 6: "info"
        default: "debug"
        }
    }
}

extension Journal {
    /// True when systemd connected stderr to the journal (`$JOURNAL_STREAM` names stderr's
    /// device and inode): logs should then be sent as structured entries instead.
    public static var stderrIsJournalStream: Bool {
        guard let value = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
