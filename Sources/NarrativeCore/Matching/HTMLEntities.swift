/// Named character references that feeds actually use: XML's five, Latin-1 and the
/// typographic ones. Shared by the HTML-to-text reducer and the XML recovery pass.
public enum HTMLEntities {
    /// Decodes `name` (without `&` and `;`) to its text, or nil when unknown.
    public static func named(_ name: String) -> String? { table[name] }

    /// Decodes a numeric reference body such as `#233` or `#xE9`; nil when invalid.
    public static func numeric(_ body: Substring) -> String? {
        guard body.first == "#" else { return nil }
        let digits = body.dropFirst()
        let value: UInt32?
        if digits.first == "x" || digits.first == "X" {
            value = UInt32(digits.dropFirst(), radix: 16)
        } else {
            value = UInt32(digits, radix: 10)
        }
        guard var v = value, v != 0 else { return nil }
        // Windows-1252 code points mislabelled as Latin-1 (&#146; for an apostrophe).
        if (0x80...0x9F).contains(v), let mapped = windows1252[v] { v = mapped }
        guard let scalar = Unicode.Scalar(v) else { return nil }
        return String(scalar)
    }

    private static let windows1252: [UInt32: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
        0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
        0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
        0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]

    static let table: [String: String] = {
        var t: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
            "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "sbquo": "‚",
            "ldquo": "“", "rdquo": "”", "bdquo": "„", "laquo": "«", "raquo": "»", "lsaquo": "‹", "rsaquo": "›",
            "bull": "•", "middot": "·", "dagger": "†", "Dagger": "‡", "permil": "‰", "prime": "′", "Prime": "″",
            "trade": "™", "euro": "€", "thinsp": "\u{2009}", "ensp": "\u{2002}", "emsp": "\u{2003}",
            "zwnj": "\u{200C}", "zwj": "\u{200D}", "lrm": "\u{200E}", "rlm": "\u{200F}", "shy": "\u{AD}",
            "larr": "←", "rarr": "→", "uarr": "↑", "darr": "↓", "harr": "↔", "minus": "−", "times": "×",
            "divide": "÷", "le": "≤", "ge": "≥", "ne": "≠", "asymp": "≈", "infin": "∞", "deg": "°",
            "plusmn": "±", "frac12": "½", "frac14": "¼", "frac34": "¾", "sup1": "¹", "sup2": "²", "sup3": "³",
            "micro": "µ", "para": "¶", "sect": "§", "copy": "©", "reg": "®", "cent": "¢", "pound": "£",
            "yen": "¥", "curren": "¤", "brvbar": "¦", "uml": "¨", "ordf": "ª", "ordm": "º", "not": "¬",
            "macr": "¯", "acute": "´", "cedil": "¸", "iexcl": "¡", "iquest": "¿", "szlig": "ß",
            "OElig": "Œ", "oelig": "œ", "Scaron": "Š", "scaron": "š", "Yuml": "Ÿ", "fnof": "ƒ", "circ": "ˆ",
            "tilde": "˜", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "pi": "π", "mu": "μ",
            "sigma": "σ", "omega": "ω", "Omega": "Ω", "Delta": "Δ", "Sigma": "Σ", "spades": "♠", "hearts": "♥",
            "check": "✓", "star": "☆", "loz": "◊",
        ]
        // Latin-1 letters: &Agrave; … &yuml;
        let letters: [(String, UInt32)] = [
            ("Agrave", 0xC0), ("Aacute", 0xC1), ("Acirc", 0xC2), ("Atilde", 0xC3), ("Auml", 0xC4), ("Aring", 0xC5),
            ("AElig", 0xC6), ("Ccedil", 0xC7), ("Egrave", 0xC8), ("Eacute", 0xC9), ("Ecirc", 0xCA), ("Euml", 0xCB),
            ("Igrave", 0xCC), ("Iacute", 0xCD), ("Icirc", 0xCE), ("Iuml", 0xCF), ("ETH", 0xD0), ("Ntilde", 0xD1),
            ("Ograve", 0xD2), ("Oacute", 0xD3), ("Ocirc", 0xD4), ("Otilde", 0xD5), ("Ouml", 0xD6), ("Oslash", 0xD8),
            ("Ugrave", 0xD9), ("Uacute", 0xDA), ("Ucirc", 0xDB), ("Uuml", 0xDC), ("Yacute", 0xDD), ("THORN", 0xDE),
            ("agrave", 0xE0), ("aacute", 0xE1), ("acirc", 0xE2), ("atilde", 0xE3), ("auml", 0xE4), ("aring", 0xE5),
            ("aelig", 0xE6), ("ccedil", 0xE7), ("egrave", 0xE8), ("eacute", 0xE9), ("ecirc", 0xEA), ("euml", 0xEB),
            ("igrave", 0xEC), ("iacute", 0xED), ("icirc", 0xEE), ("iuml", 0xEF), ("eth", 0xF0), ("ntilde", 0xF1),
            ("ograve", 0xF2), ("oacute", 0xF3), ("ocirc", 0xF4), ("otilde", 0xF5), ("ouml", 0xF6), ("oslash", 0xF8),
            ("ugrave", 0xF9), ("uacute", 0xFA), ("ucirc", 0xFB), ("uuml", 0xFC), ("yacute", 0xFD), ("thorn", 0xFE),
            ("yuml", 0xFF),
        ]
        for (name, code) in letters { t[name] = String(Unicode.Scalar(code)!) }
        return t
    }()
}
