import FoundationEssentials
import NarrativeCore

/// Dates as feeds write them, read without allocation in the common cases:
/// - RFC 822 / RFC 1123 and their real-world variants: two-digit years, missing seconds or
///   comma or space, full month names, named (EST, CEST, MET, AT…), military and IANA zones,
///   `GMT+hh:mm`, offsets with a colon, a zone name after an offset (`+0800 CST`: the offset
///   rules), 12-hour clocks (`1:55 PM`, `10:57 a.m.`), ordinal days
///   (`16th`), comments (`(Coordinated Universal Time)`), and day and month names in German,
///   French, Spanish, Italian, Portuguese, Dutch and Greek;
/// - asctime (`Sun Jan  4 16:29:06 2004`, UTC) and its Twitter/JavaScript relatives;
/// - ISO 8601 / RFC 3339 / W3C-DTF, including reduced precision (`2003-12`, `2003`), a space
///   for the `T`, fractional seconds, Go's `2006-01-02 15:04:05 -0700 MST`, the two-digit-year forms (`031231`, `-03-12`) and
///   Hungarian month names;
/// - Korean dates (`2004년 05월 28일 01:31:15`, `2004-05-25 오후 11:23:17`, KST).
///
/// Impossible dates are rejected rather than guessed: an unknown word, a day past the month's
/// end, a bad offset, numeric day/month orders that cannot be told apart (`03/04/2020`), an RFC 822
/// time without a zone (the time it was fetched is closer than a guess that may be hours off).
public enum FeedDate {
    /// Seconds since 1970, or nil when the text is not a date this parser can trust.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { raw in
            var start = 0, end = raw.count
            while start < end, isSpace(raw[start]) { start += 1 }
            while end > start, isSpace(raw[end - 1]) { end -= 1 }
            guard start < end else { return nil }
            let b = UnsafeBufferPointer(rebasing: raw[start..<end])
            if isDigit(b[0]) || (b[0] == UInt8(ascii: "-") && b.count > 1 && isDigit(b[1])) {
                if let t = iso8601(b) { return t }
                if let t = korean(b) { return t }
            }
            return rfc822(b)
        }
    }

    // MARK: ISO 8601

    static func iso8601(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var s = ByteScanner(b)
        // The two-digit-year forms of ISO 8601:1988: -YYMM, -YY-MM, YYMMDD, YY-MM-DD.
        if s.skip("-") {
            guard let yy = s.digits(2) else { return nil }
            _ = s.skip("-")
            guard let mm = s.digits(2), s.atEnd else { return nil }
            return assemble(century(yy), mm, 1, 0, 0, 0, offset: 0)
        }
        if b.count == 6, let yy = s.digits(2), let mm = s.digits(2), let dd = s.digits(2) {
            return assemble(century(yy), mm, dd, 0, 0, 0, offset: 0)
        }
        s = ByteScanner(b)
        if b.count == 8, b[2] == UInt8(ascii: "-"), let yy = s.digits(2), s.skip("-"), let mm = s.digits(2), s.skip("-"), let dd = s.digits(2) {
            return assemble(century(yy), mm, dd, 0, 0, 0, offset: 0)
        }
        s = ByteScanner(b)
        guard let year = s.digits(4) else { return nil }
        if s.atEnd { return assemble(year, 1, 1, 0, 0, 0, offset: 0) }
        guard s.skip("-") else { return nil }
        var month: Int
        if let m = s.digits(2) {
            month = m
            // 2003-012-31: a zero-padded three-digit month.
            if m < 10, s.peekDigit, let last = s.digits(1) { month = m * 10 + last }
        } else if let word = s.word(), let m = hungarianMonths[word] {
            month = m
        } else {
            return nil
        }
        if s.atEnd { return assemble(year, month, 1, 0, 0, 0, offset: 0) }
        guard s.skip("-"), let day = s.digits(2) else { return nil }
        var hour = 0, minute = 0, second = 0, offset = 0
        if s.skip("T") || s.skip("t") || s.skipSpaces() {
            if s.atEnd { return assemble(year, month, day, 0, 0, 0, offset: 0) }
            guard let h = s.digits(2) ?? s.digits(1), s.skip(":"), let m = s.digits(2) else { return nil }
            hour = h
            minute = m
            if s.skip(":") {
                guard let sec = s.digits(2) else { return nil }
                second = sec
                if s.skip(".") || s.skip(",") { guard s.skipDigits() > 0 else { return nil } }
            }
            _ = s.skipSpaces()
            if s.skip("Z") || s.skip("z") {
                offset = 0
            } else if let sign = s.sign() {
                guard let oh = s.digits(2) else { return nil }
                _ = s.skip(":")
                let om = s.atEnd ? 0 : (s.digits(2) ?? -1)
                guard oh <= 23, (0...59).contains(om) else { return nil }
                offset = sign * (oh * 3600 + om * 60)
                // Go's default layout names the zone after its offset (`+0000 UTC`): a label.
                if s.skipSpaces(), let label = s.word(), zones[label] == nil { return nil }
            }
        }
        guard s.atEnd else { return nil }
        return assemble(year, month, day, hour, minute, second, offset: offset)
    }

    private static func century(_ yy: Int) -> Int { yy < 70 ? 2000 + yy : 1900 + yy }

    private static let hungarianMonths: [String: Int] = [
        "január": 1, "február": 2, "március": 3, "április": 4, "május": 5, "június": 6, "július": 7,
        "augusztus": 8, "szeptember": 9, "október": 10, "november": 11, "december": 12,
    ]

    // MARK: Korean

    /// `2004년 05월 28일 01:31:15` and `2004-05-25 오후 11:23:17` (오전 AM, 오후 PM), in KST.
    static func korean(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        let text = String(decoding: b, as: UTF8.self)
        guard text.contains("년") || text.contains("오전") || text.contains("오후") else { return nil }
        var numbers: [Int] = []
        var current = ""
        for c in text.unicodeScalars {
            if ("0"..."9").contains(c) {
                current.unicodeScalars.append(c)
            } else if !current.isEmpty {
                // A run too long for Int is no part of a date.
                guard let number = Int(current) else { return nil }
                numbers.append(number)
                current = ""
            }
        }
        if !current.isEmpty {
            guard let number = Int(current) else { return nil }
            numbers.append(number)
        }
        guard numbers.count == 6 else { return nil }
        var hour = numbers[3]
        if text.contains("오후") {
            guard (1...12).contains(hour) else { return nil }
            if hour < 12 { hour += 12 }
        } else if text.contains("오전") {
            guard (1...12).contains(hour) else { return nil }
            if hour == 12 { hour = 0 }
        }
        return assemble(numbers[0], numbers[1], numbers[2], hour, numbers[4], numbers[5], offset: 9 * 3600)
    }

    // MARK: RFC 822 and its relatives

    private enum Token {
        case word(String)
        case number(Int, digits: Int)
        case time(Int, Int, Int)
        case offset(Int)
        case slash
        case comment

        var isTime: Bool { if case .time = self { true } else { false } }
    }

    static func rfc822(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let tokens = tokenize(b) else { return nil }
        var day: Int?, month: Int?, year: Int?, time: (Int, Int, Int)?, offset: Int?
        var hasMeridiem = false, offsetIsGMT = false, offsetIsNumeric = false
        // `mar` is March, and Tuesday in French, Spanish and Italian: `mar., 01 déc. 2020`,
        // where a month follows the day.
        var monthMayBeDayName = false
        var k = 0
        while k < tokens.count {
            switch tokens[k] {
            case .number(let v, let digits):
                // 2006/09/15: year first, so the order is known.
                if digits == 4, k + 4 < tokens.count, case .slash = tokens[k + 1], case .number(let m, _) = tokens[k + 2],
                   case .slash = tokens[k + 3], case .number(let d, _) = tokens[k + 4], year == nil, month == nil, day == nil {
                    year = v; month = m; day = d
                    k += 5
                    continue
                }
                if digits == 4, year == nil {
                    year = v
                } else if digits <= 2, day == nil {
                    day = v
                } else if digits == 2, year == nil, month != nil {
                    year = century(v)
                } else {
                    return nil
                }
            case .time(let h, let m, let s):
                guard time == nil else { return nil }
                time = (h, m, s)
            case .offset(let seconds):
                // GMT+01:00 corrects the GMT before it; anything else may appear once.
                guard offset == nil || offsetIsGMT else { return nil }
                offset = seconds
                offsetIsGMT = false
                offsetIsNumeric = true
            case .comment:
                break
            case .slash:
                return nil
            case .word(let w):
                if let m = months[w] {
                    if month == nil {
                        month = m
                        monthMayBeDayName = k == 0 && dayNames.contains(w)
                    } else if monthMayBeDayName, year == nil, time == nil {
                        month = m
                        monthMayBeDayName = false
                    } else {
                        return nil
                    }
                } else if dayNames.contains(w) {
                    // Day names say nothing the date does not.
                } else if w == "am" || w == "pm" {
                    // A 12-hour clock: 12:30 AM is 00:30, 12:30 PM is 12:30.
                    guard let (h, m, s) = time, (1...12).contains(h), !hasMeridiem else { return nil }
                    time = (h % 12 + (w == "pm" ? 12 : 0), m, s)
                    hasMeridiem = true
                } else if time == nil, k + 1 < tokens.count, fillers.contains(w), w != "at" || tokens[k + 1].isTime {
                    // `June 22, 2023 at 01:11 PM`, `23 de enero de 2018`; after the time, AT is a zone.
                } else if w.utf8.count == 1 {
                    // Z is UTC. RFC 822's other military zones are capitals after the time; a small
                    // letter there is a word (`10:30 h`, `1:55p`), not a zone.
                    guard offset == nil, let z = w == "Z" || w == "z" ? 0 : time != nil ? military(w) : nil else { return nil }
                    offset = z
                } else if let z = zones[w] {
                    // After a numeric offset a zone's name only labels it (`+0800 CST`, Go's
                    // `+0000 UTC`); the numbers say which CST is meant.
                    if offsetIsNumeric { k += 1; continue }
                    guard offset == nil else { return nil }
                    offset = z
                    offsetIsGMT = z == 0
                } else if w.contains("/"), offset == nil, let zone = ZoneInfo.named(ianaName(w)) {
                    guard let d = day, let mo = month, let y = year, let (h, mi, s) = time,
                          let local = assemble(y, mo, d, h, mi, s, offset: 0) else { return nil }
                    // The zone's offset at that local time.
                    let guess = zone.offset(at: local)
                    offset = zone.offset(at: local - Int64(guess))
                } else {
                    return nil
                }
            }
            k += 1
        }
        guard let day, let month, let year else { return nil }
        if let (h, m, s) = time {
            // An RFC 822 time means nothing without its zone, except in asctime, which is UTC.
            guard let offset = offset ?? (isAsctime(tokens) ? 0 : nil) else { return nil }
            return assemble(year, month, day, h, m, s, offset: offset)
        }
        return assemble(year, month, day, 0, 0, 0, offset: offset ?? 0)
    }

    /// `Sun Jan  4 16:29:06 2004`: day name, month, day, time, year, in English as C writes it
    /// (a translated one is some program's local time).
    private static func isAsctime(_ tokens: [Token]) -> Bool {
        guard tokens.count == 5, case .word(let dayName) = tokens[0], asctimeDays.contains(dayName), case .word(let m) = tokens[1],
              asctimeMonths.contains(m), case .number = tokens[2], case .time = tokens[3], case .number(_, 4) = tokens[4] else { return false }
        return true
    }

    private static let asctimeDays: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let asctimeMonths: Set<String> = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func tokenize(_ b: UnsafeBufferPointer<UInt8>) -> [Token]? {
        var tokens: [Token] = []
        tokens.reserveCapacity(8)
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if isDigit(c) {
                var v = 0, digits = 0
                // Digits past the fourth only count (a run of them would overflow `v`).
                while i < n, isDigit(b[i]) { if digits < 4 { v = v * 10 + Int(b[i] - 48) }; digits += 1; i += 1 }
                guard digits <= 4 else { return nil }
                if i < n, b[i] == UInt8(ascii: ":") {
                    // A time: h:mm[:ss[.frac]]
                    var parts = [v]
                    while i < n, b[i] == UInt8(ascii: ":") {
                        i += 1
                        var p = 0, pd = 0
                        while i < n, isDigit(b[i]) { if pd < 2 { p = p * 10 + Int(b[i] - 48) }; pd += 1; i += 1 }
                        guard pd == 2 else { return nil }
                        parts.append(p)
                    }
                    guard parts.count <= 3, digits <= 2 else { return nil }
                    if i < n, b[i] == UInt8(ascii: "."), i + 1 < n, isDigit(b[i + 1]) {
                        i += 1
                        while i < n, isDigit(b[i]) { i += 1 }
                    }
                    tokens.append(.time(parts[0], parts[1], parts.count == 3 ? parts[2] : 0))
                } else {
                    tokens.append(.number(v, digits: digits))
                    if digits <= 2 { i = skipOrdinalMark(b, from: i) }
                }
            } else if c == UInt8(ascii: "+") || (c == UInt8(ascii: "-") && i + 1 < n && (isDigit(b[i + 1]) || isLetter(b[i + 1]))
                                                  && tokens.contains(where: { $0.isTime })) {
                // An offset: +hhmm, -hh:mm, +hh
                let sign = c == UInt8(ascii: "-") ? -1 : 1
                i += 1
                var digits: [Int] = []
                while i < n, isDigit(b[i]) || b[i] == UInt8(ascii: ":") {
                    if isDigit(b[i]) { digits.append(Int(b[i] - 48)) }
                    i += 1
                }
                let hours: Int, minutes: Int
                switch digits.count {
                case 4: hours = digits[0] * 10 + digits[1]; minutes = digits[2] * 10 + digits[3]
                case 2: hours = digits[0] * 10 + digits[1]; minutes = 0
                case 1: hours = digits[0]; minutes = 0
                default: return nil
                }
                guard hours <= 23, minutes <= 59 else { return nil }
                tokens.append(.offset(sign * (hours * 3600 + minutes * 60)))
            } else if isLetter(c) {
                let start = i
                while i < n, isLetter(b[i]) || ((b[i] == UInt8(ascii: "/") || b[i] == UInt8(ascii: "_")) && i + 1 < n && isLetter(b[i + 1])) { i += 1 }
                let written = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                var word = written.lowercased()
                if word == "a" || word == "p", i + 1 < n, b[i] == UInt8(ascii: "."), b[i + 1] | 0x20 == UInt8(ascii: "m"),
                   !(i + 2 < n && isLetter(b[i + 2])) {
                    // a.m. and p.m.
                    word += "m"
                    i += 2
                    if i < n, b[i] == UInt8(ascii: ".") { i += 1 }
                } else if i < n, b[i] == UInt8(ascii: "."), months[word] != nil || dayNames.contains(word) {
                    i += 1
                } else if written.utf8.count == 1 {
                    // A single letter keeps its case: only capitals are military zones.
                    word = written
                }
                tokens.append(.word(word))
            } else if c == UInt8(ascii: "(") {
                // A comment, as RFC 822 allows: `GMT+0000 (Coordinated Universal Time)`. One left
                // open, or holding digits, may hide the time or the zone: no date.
                var depth = 0
                repeat {
                    if b[i] == UInt8(ascii: "(") { depth += 1 } else if b[i] == UInt8(ascii: ")") { depth -= 1 }
                    if isDigit(b[i]) { return nil }
                    i += 1
                } while i < n && depth > 0
                guard depth == 0 else { return nil }
                tokens.append(.comment)
            } else if c == UInt8(ascii: "/") {
                tokens.append(.slash)
                i += 1
            } else if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: ",") || c == UInt8(ascii: "-") {
                i += 1
            } else {
                return nil
            }
        }
        return tokens
    }

    /// Past `16th`, `1er` (French) or the dot of `16.` (German), but not the dot of `30.10.23`.
    private static func skipOrdinalMark(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        let n = b.count
        if i < n, b[i] == UInt8(ascii: ".") {
            return i + 1 < n && isDigit(b[i + 1]) ? i : i + 1
        }
        guard i + 1 < n, !(i + 2 < n && isLetter(b[i + 2])) else { return i }
        switch (b[i] | 0x20, b[i + 1] | 0x20) {
        case (0x73, 0x74), (0x6E, 0x64), (0x72, 0x64), (0x74, 0x68), (0x65, 0x72): return i + 2 // st nd rd th er
        default: return i
        }
    }

    /// Month names in English, German, French, Spanish, Italian, Portuguese, Dutch and Greek, in
    /// full and abbreviated, with and without accents. No name means two different months.
    private static let months: [String: Int] = {
        let names: [[String]] = [
            ["jan", "january", "januar", "jänner", "jän", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro", "januari",
             "ιαν"],
            ["feb", "february", "februar", "feber", "février", "fevrier", "févr", "fevr", "fév", "fev", "febrero", "febbraio",
             "fevereiro", "februari", "φεβ"],
            ["mar", "march", "märz", "maerz", "mär", "mrz", "mars", "marzo", "março", "marco", "maart", "mrt", "μάρ", "μαρ"],
            ["apr", "april", "avril", "avr", "abril", "abr", "aprile", "απρ"],
            ["may", "mai", "mayo", "maggio", "mag", "maio", "mei", "μάι", "μαι", "μαΐ", "μάί"],
            ["jun", "june", "juni", "juin", "junio", "giugno", "giu", "junho", "ιούν", "ιουν"],
            ["jul", "july", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "ιούλ", "ιουλ"],
            ["aug", "august", "août", "aout", "aoû", "agosto", "ago", "augustus", "αύγ", "αυγ"],
            ["sep", "sept", "september", "septembre", "septiembre", "setiembre", "settembre", "setembro", "set", "σεπ"],
            ["oct", "october", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out", "οκτ"],
            ["nov", "november", "novembre", "noviembre", "novembro", "νοέ", "νοε"],
            ["dec", "december", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro",
             "δεκ"],
        ]
        var m: [String: Int] = [:]
        for (index, list) in names.enumerated() {
            for name in list {
                precondition(m[name] == nil, "\(name) names two months")
                m[name] = index + 1
            }
        }
        return m
    }()

    /// Day names in the same languages; a date says the day, so they are only skipped.
    private static let dayNames: Set<String> = [
        "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "tues", "thur", "thurs", "wednes",
        "mo", "di", "mi", "do", "fr", "sa", "so", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend",
        "sonntag",
        "lun", "mar", "mer", "jeu", "ven", "sam", "dim", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        "mié", "mie", "jue", "vie", "sáb", "sab", "dom", "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado",
        "sabado", "domingo",
        "gio", "lunedì", "lunedi", "martedì", "martedi", "mercoledì", "mercoledi", "giovedì", "giovedi", "venerdì", "venerdi", "sabato",
        "domenica",
        "seg", "ter", "qua", "qui", "sex", "segunda", "terça", "terca", "quarta", "quinta", "sexta", "feira",
        "ma", "wo", "vr", "za", "zo", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
        "κυρ", "δευ", "τρι", "τετ", "πεμ", "παρ", "σαβ",
    ]

    /// Words that join a date's parts before its time: `June 22, 2023 at 01:11 PM`, `23 de enero de 2018`.
    private static let fillers: Set<String> = ["at", "de", "du", "um", "à", "às", "alle", "om"]

    /// Seconds east of UTC.
    private static let zones: [String: Int] = {
        let hours: [String: Double] = [
            "ut": 0, "utc": 0, "gmt": 0, "wet": 0, "etc/gmt": 0, "etc/utc": 0,
            "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
            "at": -4, "et": -5, "ct": -6, "mt": -7, "pt": -8, "ast": -4, "adt": -3, "akst": -9, "akdt": -8, "hst": -10,
            "nst": -3.5, "ndt": -2.5,
            "cet": 1, "cest": 2, "met": 1, "mest": 2, "bst": 1, "ist": 5.5, "west": 1, "eet": 2, "eest": 3, "msk": 3,
            "jst": 9, "kst": 9, "hkt": 8, "sgt": 8, "awst": 8, "acst": 9.5, "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13,
        ]
        return hours.mapValues { Int($0 * 3600) }
    }()

    /// RFC 822's military zones, with its signs (J is not one; Z is read elsewhere).
    private static func military(_ w: String) -> Int? {
        guard let c = w.unicodeScalars.first?.value, w.unicodeScalars.count == 1 else { return nil }
        switch c {
        case 0x41...0x49: return -Int(c - 0x40) * 3600 // A…I: -1…-9
        case 0x4B...0x4D: return -Int(c - 0x41) * 3600 // K…M: -10…-12
        case 0x4E...0x59: return Int(c - 0x4D) * 3600 // N…Y: +1…+12
        default: return nil
        }
    }

    /// IANA names were lower-cased for matching; the tz database wants them as written.
    private static func ianaName(_ w: String) -> String {
        w.split(separator: "/").map { part in
            part.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "_")
        }.joined(separator: "/")
    }

    // MARK: Assembly

    private static func assemble(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, offset: Int) -> Int64? {
        // Any year of the Gregorian calendar is reported; the ingester decides what is plausible.
        guard (1...12).contains(month), (1...9999).contains(year), day >= 1, day <= daysIn(month, year),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let t = Timestamp.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59)) - Int64(offset)
        // Still within the years this parser reports, 1 to 9999, once the offset is applied.
        guard t >= -62_135_596_800, t < 253_402_300_800 else { return nil }
        return t
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A || c >= 0x80 }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
}

/// A cursor over date bytes.
private struct ByteScanner {
    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0
    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }
    var atEnd: Bool { i >= b.count }
    var peekDigit: Bool { i < b.count && FeedDate.isDigit(b[i]) }

    mutating func digits(_ n: Int) -> Int? {
        guard i + n <= b.count else { return nil }
        var v = 0
        for k in 0..<n {
            guard FeedDate.isDigit(b[i + k]) else { return nil }
            v = v * 10 + Int(b[i + k] - 48)
        }
        i += n
        return v
    }

    mutating func word() -> String? {
        let start = i
        while i < b.count, FeedDate.isLetter(b[i]) { i += 1 }
        guard i > start else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self).lowercased()
    }

    mutating func skip(_ c: Unicode.Scalar) -> Bool {
        guard i < b.count, b[i] == UInt8(c.value) else { return false }
        i += 1
        return true
    }

    mutating func skipDigits() -> Int {
        let start = i
        while i < b.count, FeedDate.isDigit(b[i]) { i += 1 }
        return i - start
    }

    mutating func skipSpaces() -> Bool {
        let start = i
        while i < b.count, b[i] == 0x20 { i += 1 }
        return i > start
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        if i + 2 < b.count, b[i] == 0xE2, b[i + 1] == 0x88, b[i + 2] == 0x92 { i += 3; return -1 } // U+2212 minus
        return nil
    }
}
