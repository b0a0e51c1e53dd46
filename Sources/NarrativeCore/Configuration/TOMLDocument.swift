/// A parsed TOML document that remembers the line of every key and table,
/// so configuration errors can point at the exact place in the file.
///
/// Supports TOML 1.0 as configuration files use it: tables, arrays of tables,
/// dotted and quoted keys, all four string forms, integers, floats, booleans,
/// arrays and inline tables. Dates are kept as their text.
public struct TOMLTable: Sendable {
    public struct Entry: Sendable {
        public let key: String
        public var value: TOMLValue
        /// 1-based line on which the key (or table header) appears.
        public let line: Int
    }

    public private(set) var entries: [Entry] = []
    /// Line of the header that opened this table (0 for the root).
    public let line: Int
    /// True for tables opened by a header or dotted key; they may be extended, inline tables may not.
    var isExtensible = true
    var isDefinedByHeader = false

    public init(line: Int) { self.line = line }

    public subscript(key: String) -> Entry? {
        entries.first { $0.key == key }
    }

    /// The line of a dotted key such as `detection.bucket` or `webhooks[0].secret_file`; for a
    /// key the file leaves out, the line of the nearest table it writes; nil when neither is written.
    public func line(of dottedKey: String) -> Int? {
        var table = self
        var found: Int?
        for segment in dottedKey.split(separator: ".") {
            let name = segment.prefix { $0 != "[" }
            guard let entry = table[String(name)] else { return found }
            found = entry.line
            switch entry.value {
            case .table(let inner):
                table = inner
            case .tableArray(let tables):
                guard let index = Int(segment.dropFirst(name.count + 1).dropLast()), tables.indices.contains(index) else { return found }
                table = tables[index]
                found = table.line
            default:
                return found
            }
        }
        return found
    }

    mutating func set(_ key: String, _ value: TOMLValue, line: Int) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = value
        } else {
            entries.append(Entry(key: key, value: value, line: line))
        }
    }
}

public indirect enum TOMLValue: Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case datetime(String)
    case array([TOMLValue], line: Int)
    case table(TOMLTable)
    /// An array of tables (`[[name]]`), each with its own header line.
    case tableArray([TOMLTable])

    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .bool: "boolean"
        case .datetime: "date-time"
        case .array: "array"
        case .table: "table"
        case .tableArray: "array of tables"
        }
    }
}

public struct TOMLSyntaxError: Error, Sendable, CustomStringConvertible {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

public enum TOMLDocument {
    /// Parses TOML text into its root table.
    public static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        var parser = TOMLParser(text)
        return try parser.parseDocument()
    }
}

struct TOMLParser {
    private let s: [Unicode.Scalar]
    private var i = 0
    private var line = 1

    init(_ text: String) { s = Array(text.unicodeScalars) }

    private var atEnd: Bool { i >= s.count }
    private var current: Unicode.Scalar? { i < s.count ? s[i] : nil }
    private func peek(_ offset: Int) -> Unicode.Scalar? { i + offset < s.count ? s[i + offset] : nil }

    private func fail(_ message: String) -> TOMLSyntaxError { TOMLSyntaxError(line: line, message: message) }

    private mutating func advance() {
        if s[i] == "\n" { line += 1 }
        i += 1
    }

    private mutating func skipSpaces() {
        while let c = current, c == " " || c == "\t" { i += 1 }
    }

    private mutating func skipComment() {
        if current == "#" { while let c = current, c != "\n" { i += 1 } }
    }

    /// Skips white space, newlines and comments (inside arrays and between lines).
    private mutating func skipBlank() {
        while let c = current {
            if c == " " || c == "\t" || c == "\r" { i += 1 } else if c == "\n" { advance() } else if c == "#" { skipComment() } else { break }
        }
    }

    private mutating func expectLineEnd() throws(TOMLSyntaxError) {
        skipSpaces()
        skipComment()
        if current == "\r" { i += 1 }
        guard atEnd || current == "\n" else { throw fail("expected the end of the line, found '\(current!)'") }
    }

    mutating func parseDocument() throws(TOMLSyntaxError) -> TOMLTable {
        var root = TOMLTable(line: 0)
        var currentPath: [String] = []
        while true {
            skipBlank()
            guard let c = current else { break }
            if c == "[" {
                let headerLine = line
                let isArray = peek(1) == "["
                i += isArray ? 2 : 1
                skipSpaces()
                let path = try parseKey()
                skipSpaces()
                guard current == "]", !isArray || peek(1) == "]" else { throw fail("unterminated table header") }
                i += isArray ? 2 : 1
                try expectLineEnd()
                try openTable(&root, path: path, isArray: isArray, line: headerLine)
                currentPath = path
            } else {
                let keyLine = line
                let key = try parseKey()
                skipSpaces()
                guard current == "=" else { throw fail("expected '=' after key '\(key.joined(separator: "."))'") }
                i += 1
                skipSpaces()
                let value = try parseValue()
                try expectLineEnd()
                try assign(&root, tablePath: currentPath, key: key, value: value, line: keyLine)
            }
        }
        return root
    }

    // MARK: Keys

    private mutating func parseKey() throws(TOMLSyntaxError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let c = current else { throw fail("expected a key") }
            if c == "\"" {
                parts.append(try parseBasicString())
            } else if c == "'" {
                parts.append(try parseLiteralString())
            } else {
                var key = ""
                while let c = current, c.isBareKey { key.unicodeScalars.append(c); i += 1 }
                guard !key.isEmpty else { throw fail("expected a key, found '\(c)'") }
                parts.append(key)
            }
            skipSpaces()
            if current == "." { i += 1 } else { return parts }
        }
    }

    // MARK: Tables

    private mutating func openTable(_ root: inout TOMLTable, path: [String], isArray: Bool, line: Int) throws(TOMLSyntaxError) {
        try Self.open(&root, path[...], isArray: isArray, line: line, fullPath: path)
    }

    private static func open(_ table: inout TOMLTable, _ path: ArraySlice<String>, isArray: Bool, line: Int, fullPath: [String]) throws(TOMLSyntaxError) {
        let name = fullPath.joined(separator: ".")
        let key = path.first!
        let rest = path.dropFirst()
        if rest.isEmpty {
            if isArray {
                var new = TOMLTable(line: line)
                new.isDefinedByHeader = true
                switch table[key]?.value {
                case nil: table.set(key, .tableArray([new]), line: line)
                case .tableArray(var tables)?:
                    tables.append(new)
                    table.set(key, .tableArray(tables), line: line)
                default: throw TOMLSyntaxError(line: line, message: "'\(name)' is already defined as something other than an array of tables")
                }
            } else {
                switch table[key]?.value {
                case nil:
                    var new = TOMLTable(line: line)
                    new.isDefinedByHeader = true
                    table.set(key, .table(new), line: line)
                case .table(var existing)? where !existing.isDefinedByHeader && existing.isExtensible:
                    existing.isDefinedByHeader = true
                    table.set(key, .table(existing), line: line)
                default: throw TOMLSyntaxError(line: line, message: "table '\(name)' is defined twice")
                }
            }
            return
        }
        switch table[key]?.value {
        case nil:
            var new = TOMLTable(line: line)
            try open(&new, rest, isArray: isArray, line: line, fullPath: fullPath)
            table.set(key, .table(new), line: line)
        case .table(var existing)? where existing.isExtensible:
            try open(&existing, rest, isArray: isArray, line: line, fullPath: fullPath)
            table.set(key, .table(existing), line: table[key]!.line)
        case .tableArray(var tables)?:
            try open(&tables[tables.count - 1], rest, isArray: isArray, line: line, fullPath: fullPath)
            table.set(key, .tableArray(tables), line: table[key]!.line)
        default:
            throw TOMLSyntaxError(line: line, message: "'\(name)' cannot be a table: '\(key)' already holds a value")
        }
    }

    private mutating func assign(_ root: inout TOMLTable, tablePath: [String], key: [String], value: TOMLValue, line: Int) throws(TOMLSyntaxError) {
        try Self.assign(&root, tablePath[...], key: key[...], value: value, line: line)
    }

    /// Walks to the current table (the last element of an array of tables), then sets the dotted key.
    private static func assign(_ table: inout TOMLTable, _ path: ArraySlice<String>, key: ArraySlice<String>, value: TOMLValue, line: Int) throws(TOMLSyntaxError) {
        if let head = path.first {
            switch table[head]?.value {
            case .table(var sub)?:
                try assign(&sub, path.dropFirst(), key: key, value: value, line: line)
                table.set(head, .table(sub), line: table[head]!.line)
            case .tableArray(var tables)?:
                try assign(&tables[tables.count - 1], path.dropFirst(), key: key, value: value, line: line)
                table.set(head, .tableArray(tables), line: table[head]!.line)
            default:
                throw TOMLSyntaxError(line: line, message: "internal: table '\(head)' vanished")
            }
            return
        }
        let name = key.first!
        if key.count == 1 {
            guard table[name] == nil else { throw TOMLSyntaxError(line: line, message: "key '\(name)' is defined twice") }
            table.set(name, value, line: line)
            return
        }
        switch table[name]?.value {
        case nil:
            var sub = TOMLTable(line: line)
            try assign(&sub, [], key: key.dropFirst(), value: value, line: line)
            table.set(name, .table(sub), line: line)
        case .table(var sub)? where sub.isExtensible && !sub.isDefinedByHeader:
            try assign(&sub, [], key: key.dropFirst(), value: value, line: line)
            table.set(name, .table(sub), line: table[name]!.line)
        default:
            throw TOMLSyntaxError(line: line, message: "key '\(name)' is defined twice")
        }
    }

    // MARK: Values

    private mutating func parseValue() throws(TOMLSyntaxError) -> TOMLValue {
        guard let c = current else { throw fail("expected a value") }
        switch c {
        case "\"":
            if peek(1) == "\"" && peek(2) == "\"" { return .string(try parseMultilineBasicString()) }
            return .string(try parseBasicString())
        case "'":
            if peek(1) == "'" && peek(2) == "'" { return .string(try parseMultilineLiteralString()) }
            return .string(try parseLiteralString())
        case "[": return try parseArray()
        case "{": return try parseInlineTable()
        case "t", "f":
            if match("true") { return .bool(true) }
            if match("false") { return .bool(false) }
            throw fail("unexpected word; strings must be quoted")
        default:
            return try parseNumberOrDate()
        }
    }

    private mutating func match(_ word: String) -> Bool {
        let scalars = Array(word.unicodeScalars)
        guard i + scalars.count <= s.count, Array(s[i..<(i + scalars.count)]) == scalars else { return false }
        if let next = peek(scalars.count), next.isBareKey { return false }
        i += scalars.count
        return true
    }

    private mutating func parseArray() throws(TOMLSyntaxError) -> TOMLValue {
        let startLine = line
        i += 1
        var values: [TOMLValue] = []
        while true {
            skipBlank()
            guard let c = current else { throw TOMLSyntaxError(line: startLine, message: "unterminated array") }
            if c == "]" { i += 1; return .array(values, line: startLine) }
            values.append(try parseValue())
            skipBlank()
            if current == "," { i += 1 } else if current == "]" { i += 1; return .array(values, line: startLine) } else {
                throw fail("expected ',' or ']' in array")
            }
        }
    }

    private mutating func parseInlineTable() throws(TOMLSyntaxError) -> TOMLValue {
        let startLine = line
        i += 1
        var table = TOMLTable(line: startLine)
        skipSpaces()
        if current == "}" { i += 1; table.isExtensible = false; return .table(table) }
        while true {
            skipSpaces()
            let keyLine = line
            let key = try parseKey()
            skipSpaces()
            guard current == "=" else { throw fail("expected '=' in inline table") }
            i += 1
            skipSpaces()
            let value = try parseValue()
            try Self.assign(&table, [], key: key[...], value: value, line: keyLine)
            skipSpaces()
            if current == "," { i += 1 } else if current == "}" { i += 1; break } else { throw fail("expected ',' or '}' in inline table") }
        }
        table.isExtensible = false
        return .table(table)
    }

    private mutating func parseNumberOrDate() throws(TOMLSyntaxError) -> TOMLValue {
        var token = ""
        while let c = current, c.isBareKey || c == "+" || c == "." || c == ":" { token.unicodeScalars.append(c); i += 1 }
        guard !token.isEmpty else { throw fail("unexpected character '\(current!)'") }
        if token.count >= 10, token.unicodeScalars.filter({ $0 == "-" }).count >= 2 || token.contains(":") { return .datetime(token) }
        let clean = token.replacingUnderscores()
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where clean.hasPrefix(prefix) {
            guard let v = Int(clean.dropFirst(2), radix: radix) else { break }
            return .integer(v)
        }
        if let v = Int(clean) { return .integer(v) }
        switch clean {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if let v = Double(clean), clean.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .float(v) }
        throw fail("'\(token)' is not a valid value (strings must be quoted)")
    }

    // MARK: Strings

    private mutating func parseBasicString() throws(TOMLSyntaxError) -> String {
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current, c != "\n" else { throw fail("unterminated string") }
            i += 1
            if c == "\"" { return String(out) }
            if c == "\\" { out.append(try parseEscape()) } else { out.append(c) }
        }
    }

    private mutating func parseMultilineBasicString() throws(TOMLSyntaxError) -> String {
        let startLine = line
        i += 3
        if current == "\r" { i += 1 }
        if current == "\n" { advance() }
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw TOMLSyntaxError(line: startLine, message: "unterminated multi-line string") }
            if c == "\"" && peek(1) == "\"" && peek(2) == "\"" {
                i += 3
                // Up to two quotes may stand right before the closing delimiter.
                while current == "\"" { out.append("\""); i += 1 }
                return String(out)
            }
            if c == "\\" {
                if let n = peek(1), n == " " || n == "\t" || n == "\n" || n == "\r" {
                    i += 1
                    while let w = current, w == " " || w == "\t" || w == "\n" || w == "\r" { advance() }
                    continue
                }
                i += 1
                out.append(try parseEscape())
                continue
            }
            out.append(c)
            advance()
        }
    }

    private mutating func parseLiteralString() throws(TOMLSyntaxError) -> String {
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current, c != "\n" else { throw fail("unterminated string") }
            i += 1
            if c == "'" { return String(out) }
            out.append(c)
        }
    }

    private mutating func parseMultilineLiteralString() throws(TOMLSyntaxError) -> String {
        let startLine = line
        i += 3
        if current == "\r" { i += 1 }
        if current == "\n" { advance() }
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw TOMLSyntaxError(line: startLine, message: "unterminated multi-line string") }
            if c == "'" && peek(1) == "'" && peek(2) == "'" {
                i += 3
                while current == "'" { out.append("'"); i += 1 }
                return String(out)
            }
            out.append(c)
            advance()
        }
    }

    private mutating func parseEscape() throws(TOMLSyntaxError) -> Unicode.Scalar {
        guard let e = current else { throw fail("unterminated escape") }
        i += 1
        switch e {
        case "b": return "\u{08}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "e": return "\u{1B}"
        case "\"": return "\""
        case "\\": return "\\"
        case "u", "U":
            let length = e == "u" ? 4 : 8
            guard i + length <= s.count else { throw fail("short unicode escape") }
            var hex = ""
            for k in 0..<length { hex.unicodeScalars.append(s[i + k]) }
            i += length
            guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else { throw fail("invalid unicode escape \\\(e)\(hex)") }
            return scalar
        default:
            throw fail("invalid escape '\\\(e)'")
        }
    }
}

private extension Unicode.Scalar {
    var isBareKey: Bool {
        switch self {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-": true
        default: false
        }
    }
}

private extension String {
    func replacingUnderscores() -> String { String(unicodeScalars.filter { $0 != "_" }) }
}
