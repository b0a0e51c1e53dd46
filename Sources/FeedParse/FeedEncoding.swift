import Glibc

/// Works out a feed's character encoding and converts it to UTF-8 before parsing.
///
/// The evidence, strongest first: a byte-order mark; the HTTP charset; the XML declaration;
/// then the bytes themselves. A declared single-byte encoding on bytes that are valid UTF-8
/// is taken as UTF-8 (servers and templates default to ISO-8859-1); bytes that are not valid
/// in the chosen encoding fall back, sequence by sequence, to Windows-1252, the encoding
/// undeclared feeds are nearly always in (an undeclared one in a national encoding, GBK or
/// KOI8-R, is recognised by `EncodingSniffer`). ISO-8859-1 is read as Windows-1252 (as browsers do),
/// which turns the "smart quotes" of Latin-1 feeds into the right characters.
enum FeedEncoding {
    struct Decoded {
        /// The document as UTF-8, without a byte-order mark.
        var bytes: [UInt8]
        /// The encoding that was used, lower-case.
        var encoding: String
        /// Set when the evidence disagreed with the bytes; the document is then `bozo`.
        var problem: String?
    }

    /// Returns nil when the bytes go to the XML parser as they are: declared (or assumed) UTF-8
    /// without a BOM, or ASCII. UTF-8 is then checked by the parser itself, so the common case
    /// makes no copy and no extra pass; `FeedParser` reads again through `decodeUTF8` when it fails.
    static func decode(_ bytes: [UInt8], httpCharset: String?) -> Decoded? {
        // Byte-order marks and the UTF-16/32 signatures of "<?" decide alone.
        if let (encoding, skip) = unicodeSignature(bytes) {
            if encoding == "utf-8" {
                return decodeUTF8(Array(bytes[skip...]), declared: "utf-8")
            }
            let body = Array(bytes[skip...])
            if let converted = convert(body, from: encoding) {
                return Decoded(bytes: converted.bytes, encoding: encoding, problem: converted.clean ? nil : "bytes invalid in \(encoding) were replaced")
            }
            return Decoded(bytes: [], encoding: encoding, problem: "the \(encoding) document could not be converted")
        }
        let declared = declaredEncoding(bytes).map(normalize)
        let http = httpCharset.map(normalize).flatMap { $0.isEmpty ? nil : $0 }
        let chosen = http ?? declared ?? "utf-8"
        // UTF-8 as declared: the XML parser checks it as it goes (see FeedParser).
        if chosen == "utf-8" { return nil }
        let profile = bytes.withUnsafeBufferPointer(UTF8Profile.init)
        if profile.isASCII {
            // Every ASCII-compatible encoding reads ASCII alike; an unknown name is still a fault.
            if let unknown = [http, declared].compactMap({ $0 }).first(where: { !isKnown($0) }) {
                return Decoded(bytes: bytes, encoding: "utf-8", problem: "unknown encoding \(unknown); read as UTF-8")
            }
            return nil
        }
        if chosen == "utf-8" || (isLatin(chosen) && profile.isValid) {
            if profile.isValid {
                let problem = chosen == "utf-8" ? nil : "declared \(chosen) but the bytes are UTF-8"
                return problem.map { Decoded(bytes: bytes, encoding: "utf-8", problem: $0) }
            }
            var decoded = decodeUTF8(bytes, declared: declared)
            // Undeclared and not UTF-8: the Windows-1252 reading is the sniffed encoding, not a fault.
            if declared == nil, http == nil { decoded.problem = nil }
            return decoded
        }
        if isLatin(chosen) {
            return Decoded(bytes: windows1252ToUTF8(bytes), encoding: "windows-1252", problem: nil)
        }
        if let converted = convert(bytes, from: chosen), converted.clean {
            return Decoded(bytes: converted.bytes, encoding: chosen, problem: nil)
        }
        // The declared encoding is unknown here or does not fit the bytes: try the others.
        if let other = [declared, http].compactMap({ $0 }).first(where: { $0 != chosen }) {
            if other == "utf-8" || isLatin(other) {
                if profile.isValid { return Decoded(bytes: bytes, encoding: "utf-8", problem: "\(chosen) does not fit the bytes; read as UTF-8") }
            } else if let converted = convert(bytes, from: other), converted.clean {
                return Decoded(bytes: converted.bytes, encoding: other, problem: "\(chosen) does not fit the bytes; read as \(other)")
            }
        }
        if profile.isValid {
            return Decoded(bytes: bytes, encoding: "utf-8", problem: "\(chosen) does not fit the bytes; read as UTF-8")
        }
        var fallback = decodeUTF8(bytes, declared: chosen)
        fallback.problem = "\(chosen) does not fit the bytes; read as UTF-8 with Windows-1252 fallback"
        return fallback
    }

    // MARK: Evidence

    /// BOMs, and the first bytes of `<?xml` in UTF-16 and UTF-32 without one.
    static func unicodeSignature(_ b: [UInt8]) -> (String, Int)? {
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { return ("utf-8", 3) }
        if b.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return ("utf-32le", 4) }
        if b.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return ("utf-32be", 4) }
        if b.starts(with: [0xFF, 0xFE]) { return ("utf-16le", 2) }
        if b.starts(with: [0xFE, 0xFF]) { return ("utf-16be", 2) }
        if b.starts(with: [0x00, 0x00, 0x00, 0x3C]) { return ("utf-32be", 0) }
        if b.starts(with: [0x3C, 0x00, 0x00, 0x00]) { return ("utf-32le", 0) }
        if b.starts(with: [0x00, 0x3C, 0x00, 0x3F]) { return ("utf-16be", 0) }
        if b.starts(with: [0x3C, 0x00, 0x3F, 0x00]) { return ("utf-16le", 0) }
        return nil
    }

    /// The `encoding` pseudo-attribute of the XML declaration, if the document starts with one.
    static func declaredEncoding(_ b: [UInt8]) -> String? {
        var i = 0
        while i < b.count, i < 64, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
        guard b.count >= i + 5, b[i] == UInt8(ascii: "<"), b[i + 1] == UInt8(ascii: "?"), b[i + 2] | 0x20 == UInt8(ascii: "x"),
              b[i + 3] | 0x20 == UInt8(ascii: "m"), b[i + 4] | 0x20 == UInt8(ascii: "l") else { return nil }
        let end = min(b.count, i + 512)
        guard let close = (i..<end).first(where: { b[$0] == UInt8(ascii: ">") }) else { return nil }
        let decl = String(decoding: b[i..<close], as: UTF8.self)
        guard let key = decl.firstRange(of: "encoding") else { return nil }
        var rest = decl[key.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        rest = rest.dropFirst()
        let value = rest.prefix { $0 != quote }
        return value.isEmpty ? nil : String(value)
    }

    /// Lower-case names, with the aliases feeds use mapped to what iconv knows, and the
    /// national encodings widened to the supersets that servers really send.
    static func normalize(_ name: String) -> String {
        let n = name.trimmedWhitespace.lowercased()
        switch n {
        case "utf8", "utf-8", "unicode-1-1-utf-8", "x-unicode20utf8": return "utf-8"
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "windows-1252", "cp1252",
             "x-cp1252", "iso-ir-100", "ansi_x3.4-1968", "cp819", "ibm819": return "windows-1252"
        case "gb2312", "gbk", "x-gbk", "gb_2312-80", "euc-cn", "cp936", "gb18030": return "gb18030"
        case "big5", "big-5", "x-x-big5", "cn-big5": return "big5-hkscs"
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j", "cp932": return "cp932"
        case "euc-kr", "ks_c_5601-1987", "ksc5601", "cp949", "windows-949", "uhc": return "cp949"
        case "koi8r": return "koi8-r"
        case "cp1251", "win-1251": return "windows-1251"
        default: return n
        }
    }

    private static func isLatin(_ encoding: String) -> Bool { encoding == "windows-1252" }

    /// Whether iconv (or this file) can read the encoding.
    static func isKnown(_ encoding: String) -> Bool {
        if encoding == "utf-8" || isLatin(encoding) { return true }
        let cd = iconv_open("UTF-8", encoding)
        guard let cd, cd != iconv_t(bitPattern: -1) else { return false }
        iconv_close(cd)
        return true
    }

    // MARK: Conversion

    /// UTF-8 with every invalid sequence read as Windows-1252.
    static func decodeUTF8(_ bytes: [UInt8], declared: String?) -> Decoded {
        let profile = bytes.withUnsafeBufferPointer(UTF8Profile.init)
        if profile.isValid { return Decoded(bytes: bytes, encoding: "utf-8", problem: nil) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                let length = UTF8Profile.sequenceLength(b, at: i)
                if length > 0 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<(i + length)]))
                    i += length
                } else {
                    appendWindows1252(b[i], to: &out)
                    i += 1
                }
            }
        }
        let what = declared.map { "bytes invalid in \($0)" } ?? "bytes invalid in UTF-8 without a declared encoding"
        return Decoded(bytes: out, encoding: "utf-8", problem: "\(what) were read as Windows-1252")
    }

    static func windows1252ToUTF8(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes { appendWindows1252(byte, to: &out) }
        return out
    }

    private static func appendWindows1252(_ byte: UInt8, to out: inout [UInt8]) {
        if byte < 0x80 {
            out.append(byte)
            return
        }
        let scalar = byte < 0xA0 ? XMLRecovery.windows1252[Int(byte - 0x80)] : UInt32(byte)
        XMLRecovery.appendUTF8(scalar, to: &out)
    }

    /// Converts with iconv; invalid bytes become U+FFFD and make the result unclean.
    /// Nil when iconv does not know the encoding.
    static func convert(_ bytes: [UInt8], from encoding: String) -> (bytes: [UInt8], clean: Bool)? {
        let cd = iconv_open("UTF-8", encoding)
        guard let cd, cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var out = [UInt8](repeating: 0, count: bytes.count * 2 + 16)
        var produced = 0
        var clean = true
        var input = bytes
        let total = input.count
        input.withUnsafeMutableBufferPointer { inBuffer in
            var inPointer: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
            var inLeft = total
            while inLeft > 0 {
                if out.count - produced < 16 { out.append(contentsOf: [UInt8](repeating: 0, count: out.count)) }
                let result: Int = out.withUnsafeMutableBufferPointer { outBuffer in
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress! + produced).assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuffer.count - produced
                    let r = iconv(cd, &inPointer, &inLeft, &outPointer, &outLeft)
                    produced = outBuffer.count - outLeft
                    return r == -1 ? Int(errno) : 0
                }
                switch result {
                case 0: break
                case Int(E2BIG): continue
                default:
                    // EILSEQ or EINVAL (truncated at the end): replace one byte and go on.
                    clean = false
                    if out.count - produced < 3 { out.append(contentsOf: [UInt8](repeating: 0, count: 16)) }
                    out[produced] = 0xEF; out[produced + 1] = 0xBF; out[produced + 2] = 0xBD
                    produced += 3
                    inPointer = inPointer.map { $0 + 1 }
                    inLeft -= 1
                }
            }
        }
        out.removeSubrange(produced...)
        return (out, clean)
    }
}

/// Whether a buffer is ASCII, valid UTF-8, or neither; a word at a time over ASCII runs.
struct UTF8Profile {
    private(set) var isASCII = true
    private(set) var isValid = true

    init(_ b: UnsafeBufferPointer<UInt8>) {
        let n = b.count
        guard let base = b.baseAddress else { return }
        var i = 0
        while i < n {
            if i + 8 <= n {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            if b[i] < 0x80 {
                i += 1
                continue
            }
            isASCII = false
            let length = Self.sequenceLength(b, at: i)
            if length == 0 {
                isValid = false
                return
            }
            i += length
        }
    }

    /// The length of the valid UTF-8 sequence at `i`, or 0 when there is none.
    static func sequenceLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let c = b[i]
        if c < 0x80 { return 1 }
        let n = b.count
        func cont(_ k: Int) -> Bool { i + k < n && b[i + k] & 0xC0 == 0x80 }
        switch c {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return i + 1 < n && (0xA0...0xBF).contains(b[i + 1]) && cont(2) ? 3 : 0
        case 0xED: return i + 1 < n && (0x80...0x9F).contains(b[i + 1]) && cont(2) ? 3 : 0
        case 0xE1...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xF0: return i + 1 < n && (0x90...0xBF).contains(b[i + 1]) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return i + 1 < n && (0x80...0x8F).contains(b[i + 1]) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
