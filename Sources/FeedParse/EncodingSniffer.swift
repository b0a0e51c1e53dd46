/// Guesses the encoding of a document that names none (no byte-order mark, declaration or
/// HTTP charset) and is not UTF-8. Each legacy encoding of the market's languages is tried, and
/// the reading whose characters look most like text wins: common Chinese characters for GB18030
/// and Big5, kana for Shift_JIS and EUC-JP, common Hangul syllables for EUC-KR, lower-case
/// letters for KOI8-R and Windows-1251 (read in the other, a Russian text is mostly capitals),
/// Hebrew, Arabic and Thai letters for Windows-1255, Windows-1256 and TIS-620.
/// A misread gives rare characters, or bytes the encoding does not allow. Latin text is left to
/// the Windows-1252 reading.
enum EncodingSniffer {
    /// The encodings tried, as iconv names them, each with what its right reading looks like.
    private static let candidates: [(encoding: String, script: Script)] = [
        ("GB18030", .chinese), ("BIG5", .chinese), ("SHIFT_JIS", .japanese), ("EUC-JP", .japanese),
        ("EUC-KR", .korean), ("KOI8-R", .cyrillic), ("WINDOWS-1255", .hebrew), ("WINDOWS-1251", .cyrillic),
        ("WINDOWS-1256", .arabic), ("TIS-620", .thai),
    ]

    /// The least share of characters that must look right for a reading to be taken.
    static let threshold = 0.4

    enum Script { case chinese, japanese, korean, cyrillic, arabic, hebrew, thai }

    /// The encoding and the document converted to UTF-8; nil when the bytes are UTF-8 with a
    /// few stray bytes, Latin text, or no reading looks right.
    static func guess(_ bytes: [UInt8]) -> (encoding: String, utf8: [UInt8])? {
        let shape = Shape(bytes)
        // Text in these languages is written in high bytes; Latin text (`café`, `è`, `situação`)
        // has a few among many ASCII letters and stays Windows-1252, as does a document with a
        // lone `©` or a few stray bytes inside UTF-8. One such text read as Windows-1251 is all
        // lower-case Cyrillic, so the share, not the reading, must decide.
        guard shape.invalidUTF8 > shape.validUTF8, shape.invalidUTF8 >= Self.fewestBytes,
              Double(shape.high) >= Self.highShare * Double(shape.high + shape.asciiLetters) else { return nil }
        // Judged on a sample: reading a large document eight times over would cost seconds.
        let sample = Self.sample(bytes)
        var best: (encoding: String, utf8: [UInt8], score: Double)?
        for (encoding, script) in candidates {
            guard let converted = FeedEncoding.convert(sample, from: encoding), converted.clean else { continue }
            let score = plausibility(converted.bytes, script)
            if score >= threshold, score > best?.score ?? 0 { best = (encoding, converted.bytes, score) }
        }
        guard let best else { return nil }
        // Most documents are their own sample, already converted.
        if sample.count == bytes.count { return (best.encoding.lowercased(), best.utf8) }
        guard let converted = FeedEncoding.convert(bytes, from: best.encoding) else { return nil }
        return (best.encoding.lowercased(), converted.bytes)
    }

    /// The first 256 KB, ending before a `<`, which is never part of a character in these
    /// encodings (a cut inside one would make every reading invalid).
    static func sample(_ bytes: [UInt8]) -> [UInt8] {
        let limit = 256 << 10
        guard bytes.count > limit, let cut = bytes[..<limit].lastIndex(of: UInt8(ascii: "<")), cut > 0 else { return bytes }
        return Array(bytes[..<cut])
    }

    /// Fewer bytes outside UTF-8 than this are too little to tell an encoding by.
    static let fewestBytes = 16
    /// The least share of high bytes among letters (high bytes and ASCII letters).
    static let highShare = 0.15

    /// How many bytes are ≥ 0x80, how many UTF-8 sequences and bytes outside one they make, and
    /// how many ASCII letters there are.
    struct Shape {
        var high = 0, asciiLetters = 0, validUTF8 = 0, invalidUTF8 = 0

        init(_ b: [UInt8]) {
            b.withUnsafeBufferPointer { p in
                var i = 0
                while i < p.count {
                    let c = p[i]
                    if c < 0x80 {
                        if (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A { asciiLetters += 1 }
                        i += 1
                        continue
                    }
                    let length = UTF8Profile.sequenceLength(p, at: i)
                    if length > 0 { validUTF8 += 1 } else { invalidUTF8 += 1 }
                    high += max(length, 1)
                    i += max(length, 1)
                }
            }
        }
    }

    /// The share of non-ASCII characters that look like right text of the script.
    /// A letter of an alphabet right against an ASCII letter does not count: words do not mix
    /// scripts, but Latin read as Windows-1251 does (`situaзгo`).
    static func plausibility(_ utf8: [UInt8], _ script: Script) -> Double {
        let scalars = Array(String(decoding: utf8, as: UTF8.self).unicodeScalars)
        var total = 0, good = 0
        for (i, scalar) in scalars.enumerated() where scalar.value >= 0x80 {
            total += 1
            // A capital that starts a word is right too (a Russian text read as Windows-1255 has
            // Hebrew points for its capitals, a Hebrew one read as Windows-1251 has no capitals).
            let startsWord = script == .cyrillic && (0x0410...0x042F).contains(scalar.value) && (i == 0 || !isLetter(scalars[i - 1]))
                && i + 1 < scalars.count && (0x0430...0x044F).contains(scalars[i + 1].value)
            guard looksRight(scalar, script) || startsWord else { continue }
            if script != .chinese, script != .japanese, script != .korean {
                if i > 0, isASCIILetter(scalars[i - 1]) { continue }
                if i + 1 < scalars.count, isASCIILetter(scalars[i + 1]) { continue }
            }
            good += 1
        }
        return total == 0 ? 0 : Double(good) / Double(total)
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isAlphabetic }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value | 0x20) >= 0x61 && (scalar.value | 0x20) <= 0x7A
    }

    private static func looksRight(_ scalar: Unicode.Scalar, _ script: Script) -> Bool {
        let v = scalar.value
        switch script {
        case .chinese:
            return commonHanzi.contains(scalar) || (0x3000...0x303F).contains(v) || (0xFF01...0xFF5E).contains(v)
        case .japanese:
            return (0x3041...0x30FF).contains(v) || (0x3000...0x303F).contains(v) || commonHanzi.contains(scalar)
        case .korean:
            return commonHangul.contains(scalar)
        case .cyrillic:
            return (0x0430...0x044F).contains(v) || v == 0x0451
        case .arabic:
            return (0x0621...0x064A).contains(v) || v == 0x060C || v == 0x061F
        case .hebrew:
            return (0x05D0...0x05EA).contains(v)
        case .thai:
            return (0x0E01...0x0E5B).contains(v)
        }
    }

    /// About 650 of the most frequent Chinese characters, simplified and the traditional forms
    /// that differ: most of any Chinese text, few of the characters a misread produces.
    private static let commonHanzi = Set(("""
        的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而\
        能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意\
        进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口\
        使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数\
        件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉\
        望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传\
        近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒\
        未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组\
        造落视济喜离虽坐集编宝谈府拉黑且随格尽讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷价涨跌链币股票投融财银行货易\
        链块智能算力圈值矿挖网络协议代码数据模型训练芯片美元亿万增长下降突破监管创新革命概念热点趋势\
        這個們來國說時過對會後學裡麼經頭見現動兩長樣將與點發還從開問種當實話無間應幾機給業電門東關車聽氣書員華報馬張難數\
        義條資隊帶遠變聯權傳領運達辦區轉團黨錢臉寫識極讓認論紅決務計統題請愛語視師萬為產軍處總場覺親體進邊圖設們價漲鏈幣\
        銀貨塊網絡協議碼據訓練鏈億長創熱趨勢監幣圈礦錢包
        """).unicodeScalars.filter { $0.value >= 0x3400 })

    /// About 140 of the most frequent Hangul syllables.
    private static let commonHangul = Set(("""
        이다는의에하고을를가지기사서한로자리도수정어대나시아있인게으해일적라것전부보들주상국우만구장제오성비과면니신화공동경\
        연원방미문여내위등년무중발요회소관진없세실결조영때분계된간것들및후개용업선물생각통모금속단까합교당학점말음했지만본\
        데입체최명산현안행식차트코인블록체인투자시장가격거래상승하락비트이더리움인공지능디파이규제채굴
        """).unicodeScalars.filter { $0.value >= 0xAC00 && $0.value <= 0xD7A3 })
}
