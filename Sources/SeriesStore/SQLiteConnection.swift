internal import CSQLite
import Glibc

/// A failed SQLite call, with SQLite's own result code and message.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    /// What NarrativeWatch was doing, e.g. "opening /var/lib/narrative-watch/db.sqlite".
    public let context: String
    /// The database and the configuration disagree (its bucket width): a mistake in the
    /// configuration, which starting again will not mend.
    public var contradictsConfiguration = false

    public var description: String {
        (context.isEmpty ? message : "\(context): \(message)") + (code == 0 ? "" : " (SQLite code \(code))")
    }
    /// What stands in the way for now and passes without anyone mending the database (a lock
    /// another process holds, a full disk), said in words; nil for the rest, such as a damaged
    /// file or disk, or a file system made read-only after errors.
    public var passingCause: String? {
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: "another process is writing to it"
        case SQLITE_FULL: "the disk it is on is full"
        default: nil
        }
    }
}

extension StoreError {
    /// A NarrativeWatch finding about the database, not SQLite's.
    public init(_ message: String) {
        self.init(code: 0, message: message, context: "")
    }
}

/// One SQLite connection. Not shared between threads: each task that needs the database
/// opens its own, and WAL lets readers and the writer proceed together.
final class SQLiteConnection {
    private let handle: OpaquePointer
    let path: String

    init(path: String, readOnly: Bool = false) throws(StoreError) {
        self.path = path
        if let problem = Self.fileProblem(path, readOnly: readOnly) { throw StoreError(problem) }
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            var message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            // SQLite gives one message for every reason it cannot open a file; the system says which.
            if let db, sqlite3_system_errno(db) != 0 { message += ": " + String(cString: strerror(sqlite3_system_errno(db))) }
            sqlite3_close(db)
            throw StoreError(code: rc, message: message, context: "")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// What stands in the way of opening `path` that SQLite would not tell clearly: it opens a
    /// directory only to fail at the first read, and "unable to open" a missing file.
    private static func fileProblem(_ path: String, readOnly: Bool) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            guard readOnly else { return nil }
            return errno == ENOENT ? "no such file; the daemon or `poll-once` creates it" : String(cString: strerror(errno))
        }
        if info.st_mode & S_IFMT == S_IFDIR { return "is a directory, not a database file" }
        return readOnly && info.st_size == 0 ? "an empty file, no database yet; the daemon or `poll-once` creates it" : nil
    }

    func execute(_ sql: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw Self.notADatabase(rc) ?? StoreError(code: rc, message: message, context: "running \(Self.excerpt(sql))")
        }
    }

    func prepare(_ sql: String) throws(StoreError) -> Statement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw failure(rc, "preparing \(Self.excerpt(sql))") }
        return Statement(handle: statement, connection: self)
    }

    /// How many `transaction` calls are open; inner ones are savepoints of the outermost.
    private var depth = 0

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// Inside another transaction it is a savepoint: its writes become durable only with the
    /// outer commit, and a throw undoes only its own.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let isOutermost = depth == 0
        try execute(isOutermost ? "BEGIN IMMEDIATE" : "SAVEPOINT nested")
        depth += 1
        defer { depth -= 1 }
        do {
            let result = try body()
            try execute(isOutermost ? "COMMIT" : "RELEASE nested")
            return result
        } catch {
            try? execute(isOutermost ? "ROLLBACK" : "ROLLBACK TO nested; RELEASE nested")
            throw error
        }
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// The start of a statement for an error message: on one line, cut at a word near 60 characters.
    static func excerpt(_ sql: String) -> String {
        let text = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard text.count > 60 else { return text }
        let cut = text.prefix(60)
        return String(cut[..<(cut.lastIndex(of: " ") ?? cut.endIndex)]) + " …"
    }

    func failure(_ rc: Int32, _ context: String) -> StoreError {
        Self.notADatabase(rc) ?? StoreError(code: rc, message: String(cString: sqlite3_errmsg(handle)), context: context)
    }

    /// A file that is not SQLite fails at its first statement, whichever that is: said plainly.
    private static func notADatabase(_ rc: Int32) -> StoreError? {
        rc & 0xFF == SQLITE_NOTADB ? StoreError(code: rc, message: "the file is not an SQLite database", context: "") : nil
    }
}

/// A prepared statement; values are bound by position from 1.
final class Statement {
    private let handle: OpaquePointer
    private let connection: SQLiteConnection

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    enum Value {
        case int(Int64)
        case double(Double)
        case text(String)
        case null
    }

    @discardableResult
    func bind(_ values: [Value]) -> Statement {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (index, value) in values.enumerated() {
            let i = Int32(index + 1)
            switch value {
            case .int(let v): sqlite3_bind_int64(handle, i, v)
            case .double(let v): sqlite3_bind_double(handle, i, v)
            case .text(let v): sqlite3_bind_text(handle, i, v, -1, nw_sqlite_transient())
            case .null: sqlite3_bind_null(handle, i)
            }
        }
        return self
    }

    /// Runs a statement that returns no rows.
    func run(_ values: [Value] = []) throws(StoreError) {
        bind(values)
        let rc = sqlite3_step(handle)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw connection.failure(rc, "writing") }
        sqlite3_reset(handle)
    }

    /// Runs a query and maps every row.
    func rows<T>(_ values: [Value] = [], _ map: (Row) -> T) throws(StoreError) -> [T] {
        bind(values)
        var out: [T] = []
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw connection.failure(rc, "reading") }
            out.append(map(Row(handle: handle)))
        }
        sqlite3_reset(handle)
        return out
    }
}

/// The current row of a query; columns by position from 0.
struct Row {
    fileprivate let handle: OpaquePointer

    func int(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    func double(_ i: Int32) -> Double { sqlite3_column_double(handle, i) }
    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }
    func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        return String(cString: p)
    }
    func optionalInt(_ i: Int32) -> Int64? { isNull(i) ? nil : int(i) }
    func optionalDouble(_ i: Int32) -> Double? { isNull(i) ? nil : double(i) }
}

extension Statement.Value {
    static func optionalText(_ s: String?) -> Statement.Value { s.map { .text($0) } ?? .null }
    static func optionalInt(_ v: Int64?) -> Statement.Value { v.map { .int($0) } ?? .null }
    static func integer(_ v: Int) -> Statement.Value { .int(Int64(v)) }
}
