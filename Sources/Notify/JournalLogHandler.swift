import Logging

/// swift-log handler that writes each log line as a structured journal entry:
/// `MESSAGE`, `PRIORITY`, `CODE_FILE`, `CODE_LINE`, `CODE_FUNC`, and every metadata key
/// as a field (`feed.url` becomes `FEED_URL`). The metadata also ends the message, as
/// `key=value` pairs, since `journalctl` shows only the message unless asked for more.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        let context = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        var fields: [(String, String)] = [
            ("MESSAGE", context.isEmpty ? event.message.description : "\(event.message) \(context)"),
            ("PRIORITY", String(Self.priority(event.level))),
            ("CODE_FILE", event.file),
            ("CODE_LINE", String(event.line)),
            ("CODE_FUNC", event.function),
            ("LOGGER", label),
        ]
        for (key, value) in all {
            fields.append((Self.fieldName(key), value.description))
        }
        if !Journal.send(fields) {
            Journal.writeStderr("\(event.level): \(event.message)")
        }
    }

    /// syslog priorities, as journald expects them.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Journal field names are upper-case letters, digits and underscores.
    static func fieldName(_ key: String) -> String {
        let mapped = key.uppercased().unicodeScalars.map { ("A"..."Z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_" }
        let name = String(mapped)
        return name.first.map { $0.isLetter } == true ? name : "X_" + name
    }
}
