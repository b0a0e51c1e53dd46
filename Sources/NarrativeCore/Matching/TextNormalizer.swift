import FoundationEssentials

/// Brings terms and item text to one form before they are compared, in one pass over the
/// UTF-8 bytes: compatibility forms folded (full-width `ＡＩ` is `ai`), case and Latin
/// diacritics folded, Arabic normalized as search engines do it (tashkeel and tatweel
/// removed, hamza forms of alef to bare alef, alef maksura to yeh, teh marbuta to heh).
///
/// The output is UTF-8 framed by one space at each end, in which every run of separators is
/// one space, `$` and `#` are kept as words of their own (cashtags, hashtags), and a space
/// stands between CJK and other letters — so a word boundary is always a space.
public enum TextNormalizer {
    /// Normalized text as a `String`, for display and tests.
    public static func normalize(_ text: String) -> String {
        var out = NormalizedText()
        normalize(text, into: &out, keepCase: false)
        return String(decoding: out.bytes.dropFirst().dropLast(), as: UTF8.self)
    }

    /// Normalizes `text` into `out`. With `keepCase`, `out.cased` also receives the same text
    /// without case folding, aligned byte for byte with `out.bytes` (characters whose folding
    /// changes their length are folded in both).
    static func normalize(_ text: String, into out: inout NormalizedText, keepCase: Bool) {
        var text = text
        text.withUTF8 { src in
            // Normalized text is rarely longer than its source; the writer grows when it must.
            var writer = Writer(capacity: src.count + src.count / 4 + 64, keepCase: keepCase)
            let ascii = ASCIITable.shared
            let n = src.count
            var i = 0
            while i < n {
                let b = src[i]
                if b < 0x80 {
                    switch ascii.kind[Int(b)] {
                    case .word:
                        writer.word(ascii.folded[Int(b)], cased: b)
                        // The rest of an ASCII word, without the separator bookkeeping.
                        i += 1
                        while i < n, src[i] < 0x80, ascii.kind[Int(src[i])] == .word {
                            writer.continueWord(ascii.folded[Int(src[i])], cased: src[i])
                            i += 1
                        }
                        continue
                    case .mark: writer.mark(b)
                    case .separator: writer.separator()
                    }
                    i += 1
                    continue
                }
                let (scalar, length) = decode(src, at: i)
                let start = i
                i += length
                if ScalarFolding.isCJK(scalar) {
                    // Ideographs and kana pass through as they are.
                    writer.cjk(UnsafeBufferPointer(rebasing: src[start..<i]))
                    continue
                }
                let fold = ScalarFolding.fold(scalar)
                switch fold.kind {
                case .drop: break
                case .separator: writer.separator()
                case .word, .cjk, .mark: writer.append(fold)
                case .raw: writer.raw(UnsafeBufferPointer(rebasing: src[start..<i]))
                }
            }
            out.bytes = writer.finish(cased: &out.cased)
        }
    }

    /// Decodes the scalar at `i` (a non-ASCII lead byte); invalid sequences read as U+FFFD.
    @inline(__always)
    static func decode(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b0 = UInt32(s[i])
        let n = s.count
        @inline(__always) func cont(_ k: Int) -> UInt32? {
            guard i + k < n else { return nil }
            let c = s[i + k]
            return c & 0xC0 == 0x80 ? UInt32(c & 0x3F) : nil
        }
        if b0 & 0xE0 == 0xC0, let c1 = cont(1) { return ((b0 & 0x1F) << 6 | c1, 2) }
        if b0 & 0xF0 == 0xE0, let c1 = cont(1), let c2 = cont(2) { return ((b0 & 0x0F) << 12 | c1 << 6 | c2, 3) }
        if b0 & 0xF8 == 0xF0, let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) { return ((b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3, 4) }
        return (0xFFFD, 1)
    }

    /// Writes normalized bytes into raw buffers, inserting the single separating spaces.
    private struct Writer {
        private var buffer: UnsafeMutablePointer<UInt8>
        private var cased: UnsafeMutablePointer<UInt8>?
        private var capacity: Int
        private var count = 0
        private var pendingSpace = false
        private var lastWasCJK = false
        private var lastWasWord = false

        init(capacity: Int, keepCase: Bool) {
            self.capacity = capacity
            buffer = .allocate(capacity: capacity)
            cased = keepCase ? .allocate(capacity: capacity) : nil
            put(0x20, cased: 0x20)
        }

        /// Hands the bytes over as arrays and frees the buffers.
        mutating func finish(cased out: inout [UInt8]) -> [UInt8] {
            if buffer[count - 1] != 0x20 { put(0x20, cased: 0x20) }
            let bytes = Array(UnsafeBufferPointer(start: buffer, count: count))
            buffer.deallocate()
            if let cased {
                out = Array(UnsafeBufferPointer(start: cased, count: count))
                cased.deallocate()
            } else {
                out = []
            }
            return bytes
        }

        mutating func separator() {
            pendingSpace = true
            lastWasWord = false
        }

        @inline(__always)
        private mutating func put(_ b: UInt8, cased c: UInt8) {
            if count == capacity { reserve(64) }
            buffer[count] = b
            cased?[count] = c
            count += 1
        }

        @inline(__always)
        private mutating func spaceIfNeeded(_ needed: Bool) {
            if needed && buffer[count - 1] != 0x20 { put(0x20, cased: 0x20) }
        }

        private mutating func reserve(_ extra: Int) {
            guard count + extra + 1 > capacity else { return }
            let newCapacity = max(capacity * 2, count + extra + 64)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: buffer, count: count)
            buffer.deallocate()
            buffer = grown
            if let old = cased {
                let grownCased = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
                grownCased.update(from: old, count: count)
                old.deallocate()
                cased = grownCased
            }
            capacity = newCapacity
        }

        @inline(__always)
        mutating func word(_ b: UInt8, cased c: UInt8) {
            spaceIfNeeded(pendingSpace || lastWasCJK)
            pendingSpace = false
            lastWasCJK = false
            lastWasWord = true
            put(b, cased: c)
        }

        /// A letter or digit right after another of the same ASCII word.
        @inline(__always)
        mutating func continueWord(_ b: UInt8, cased c: UInt8) {
            put(b, cased: c)
        }

        mutating func mark(_ b: UInt8) {
            spaceIfNeeded(true)
            pendingSpace = true
            lastWasCJK = false
            lastWasWord = false
            put(b, cased: b)
        }

        @inline(__always)
        mutating func cjk(_ bytes: UnsafeBufferPointer<UInt8>) {
            spaceIfNeeded(pendingSpace || (!lastWasCJK && lastWasWord))
            pendingSpace = false
            lastWasCJK = true
            lastWasWord = true
            for b in bytes { put(b, cased: b) }
        }

        mutating func raw(_ bytes: UnsafeBufferPointer<UInt8>) {
            spaceIfNeeded(pendingSpace || lastWasCJK)
            pendingSpace = false
            lastWasCJK = false
            lastWasWord = true
            for b in bytes { put(b, cased: b) }
        }

        mutating func append(_ fold: ScalarFolding.Entry) {
            let isCJK = fold.kind == .cjk
            if fold.kind == .mark {
                // A combining mark continues the word before it (Devanagari, Thai); alone it separates.
                guard lastWasWord else { return separator() }
            } else {
                spaceIfNeeded(pendingSpace || (lastWasCJK != isCJK && lastWasWord))
            }
            reserve(Int(fold.count) + 2)
            pendingSpace = false
            lastWasCJK = isCJK
            lastWasWord = true
            let pool = ScalarFolding.pool
            for k in 0..<Int(fold.count) {
                put(pool[Int(fold.folded) + k], cased: pool[Int(fold.cased) + k])
            }
        }
    }
}

/// Reusable buffers for normalized text.
struct NormalizedText {
    var bytes: [UInt8] = []
    /// Same text without case folding; filled only when asked for.
    var cased: [UInt8] = []
}

/// How each ASCII byte normalizes.
struct ASCIITable: Sendable {
    enum Kind: UInt8 { case separator, word, mark }
    let kind: [Kind]
    let folded: [UInt8]

    static let shared = ASCIITable()

    private init() {
        var kind = [Kind](repeating: .separator, count: 128)
        var folded = [UInt8](repeating: 0x20, count: 128)
        for b in 0..<128 {
            let u = UInt8(b)
            switch u {
            case 0x30...0x39, 0x61...0x7A: kind[b] = .word; folded[b] = u
            case 0x41...0x5A: kind[b] = .word; folded[b] = u + 32
            case 0x24, 0x23: kind[b] = .mark; folded[b] = u // $ and # start cashtags and hashtags
            default: break
            }
        }
        self.kind = kind
        self.folded = folded
    }
}

/// Folding of non-ASCII scalars: a table for the ranges where NFKC and case/diacritic/width
/// folding matter (`ScalarFoldingData.swift`, generated from Foundation's tables, with Arabic
/// normalization applied), classification by Unicode properties elsewhere; CJK ideographs
/// pass through. Entries point into one byte pool, so folding a scalar touches no reference counts.
enum ScalarFolding {
    enum Kind: UInt8 {
        case drop, separator, word, cjk, mark
        /// A letter of a script without case or compatibility forms to fold: kept as it is.
        case raw
    }

    struct Entry: Sendable {
        let kind: Kind
        /// Bytes in `pool`: folded at `folded`, unfolded-case at `cased` (the same when lengths differ).
        let count: UInt8
        let folded: Int32
        let cased: Int32
    }

    /// Ranges folded through the table (keep scripts/gen-scalar-folding.swift in step); everything
    /// else is classified on the fly.
    private static let tableRanges: [ClosedRange<UInt32>] = [0x0080...0x07FF, 0x1E00...0x1FFF, 0x2000...0x206F, 0x2100...0x218F,
                                                            0x3000...0x303F, 0xF900...0xFAFF, 0xFB00...0xFDFF, 0xFE70...0xFFEF]

    private struct Tables: Sendable {
        var pool: [UInt8] = []
        var table: [UInt32: Entry] = [:]
        var low: [Entry] = []
    }

    private static let tables: Tables = {
        var t = Tables()
        parse(data, into: &t)
        // Scalars of the ranges that the data leaves out are separators.
        for range in tableRanges {
            for v in range where t.table[v] == nil && Unicode.Scalar(v) != nil {
                t.table[v] = Entry(kind: .separator, count: 0, folded: 0, cased: 0)
            }
        }
        t.low = (0x80...0x7FF).map { t.table[UInt32($0)]! }
        return t
    }()

    /// The pool and the U+0080–U+07FF entries, copied once into memory that lives as long as
    /// the process, so the hot path reads them without reference counting.
    nonisolated(unsafe) static let pool: UnsafeBufferPointer<UInt8> = {
        let memory = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: tables.pool.count)
        _ = memory.initialize(from: tables.pool)
        return UnsafeBufferPointer(memory)
    }()
    nonisolated(unsafe) private static let low: UnsafeBufferPointer<Entry> = {
        let memory = UnsafeMutableBufferPointer<Entry>.allocate(capacity: tables.low.count)
        _ = memory.initialize(from: tables.low)
        return UnsafeBufferPointer(memory)
    }()

    @inline(__always)
    static func fold(_ v: UInt32) -> Entry {
        if v < 0x800 { return low[Int(v) - 0x80] }
        if let entry = tables.table[v] { return entry }
        return other(v)
    }

    /// Scalars outside the table: letters and digits are words (lower-cased), the rest separates.
    private static func other(_ v: UInt32) -> Entry {
        guard let scalar = Unicode.Scalar(v) else { return Entry(kind: .separator, count: 0, folded: 0, cased: 0) }
        let props = scalar.properties
        switch props.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return Entry(kind: .drop, count: 0, folded: 0, cased: 0)
        default: break
        }
        guard props.isAlphabetic || props.numericType == .decimal else { return Entry(kind: .separator, count: 0, folded: 0, cased: 0) }
        return Entry(kind: .raw, count: 0, folded: 0, cased: 0)
    }

    static func isCJK(_ v: UInt32) -> Bool {
        switch v {
        case 0x3005, 0x3040...0x30FF, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0x20000...0x2FA1F: true
        default: false
        }
    }

    /// The entries of `data` (generated from Foundation's tables), appended to `pool`.
    private static func parse(_ data: String, into t: inout Tables) {
        for line in data.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let v = UInt32(fields[0], radix: 16) else { continue }
            let kind: Kind
            switch fields[1] {
            case "d": t.table[v] = Entry(kind: .drop, count: 0, folded: 0, cased: 0); continue
            case "m": kind = .mark
            case "c": kind = .cjk
            default: kind = .word
            }
            guard fields.count >= 3 else { continue }
            let folded = Array(fields[2].utf8)
            let cased = fields.count > 3 ? Array(fields[3].utf8) : folded
            let start = Int32(t.pool.count)
            t.pool += folded
            let casedStart = Int32(t.pool.count)
            t.pool += cased.count == folded.count ? cased : folded
            t.table[v] = Entry(kind: kind, count: UInt8(folded.count), folded: start, cased: casedStart)
        }
    }
}
