/// Guesses the encoding of a document that names none (no byte-order mark, declaration or
/// HTTP charset) and is not UTF-8. Each legacy encoding of the market's languages is tried, and
/// the reading whose characters look most like text wins: common Chinese characters for GB18030
/// and Big5, kana for Shift_JIS and EUC-JP, common Hangul syllables for EUC-KR, lower-case
/// letters for KOI8-R and Windows-1251 (read in the other, a Russian text is mostly capitals),
/// Arabic letters for Windows-1256.
/// A misread gives rare characters, or bytes the encoding does not allow. Latin text is left to
/// the Windows-1252 reading.
enum EncodingSniffer {
    /// The encodings tried, as iconv names them, each with what its right reading looks like.
    private static let candidates: [(encoding: String, script: Script)] = [
        ("GB18030", .chinese), ("BIG5", .chinese), ("SHIFT_JIS", .japanese), ("EUC-JP", .japanese),
        ("EUC-KR", .korean), ("KOI8-R", .cyrillic), ("WINDOWS-1251", .cyrillic), ("WINDOWS-1256", .arabic),
    ]

    /// The least share of characters that must look right for a reading to be taken.
    static let threshold = 0.4

    enum Script {
        case chinese, japanese, korean, cyrillic, arabic
        var isSingleByte: Bool { self == .cyrillic || self == .arabic }
    }

    /// The encoding and the document converted to UTF-8; nil when the bytes are UTF-8 with a
    /// few stray bytes, Latin text, or no reading looks right.
    static func guess(_ bytes: [UInt8]) -> (encoding: String, utf8: [UInt8])? {
        let shape = Shape(bytes)
        guard shape.invalidUTF8 > shape.validUTF8 else { return nil }
        // Every byte is a character in a single-byte encoding, so Latin text (`café`, its
        // accents alone inside words) would read as Cyrillic or Arabic letters: those are tried
        // only when the high bytes make up words of their own. Latin text is not valid in the
        // multi-byte encodings (an accent before a space ends no character).
        let wholeWords = shape.latinRuns * 2 < shape.runs
        var best: (encoding: String, utf8: [UInt8], score: Double)?
        for (encoding, script) in candidates where wholeWords || !script.isSingleByte {
            guard let converted = FeedEncoding.convert(bytes, from: encoding), converted.clean else { continue }
            let score = plausibility(converted.bytes, script)
            if score >= threshold, score > best?.score ?? 0 { best = (encoding, converted.bytes, score) }
        }
        return best.map { ($0.encoding.lowercased(), $0.utf8) }
    }

    /// How the bytes ≥ 0x80 lie: as UTF-8 sequences or not, and in runs (a single one next to
    /// an ASCII letter is an accent inside a Latin word).
    struct Shape {
        var runs = 0, latinRuns = 0, validUTF8 = 0, invalidUTF8 = 0

        init(_ b: [UInt8]) {
            b.withUnsafeBufferPointer { p in
                var i = 0
                while i < p.count {
                    guard p[i] >= 0x80 else { i += 1; continue }
                    var end = i
                    while end < p.count, p[end] >= 0x80 {
                        let length = UTF8Profile.sequenceLength(p, at: end)
                        if length > 0 { validUTF8 += 1 } else { invalidUTF8 += 1 }
                        end += max(length, 1)
                    }
                    runs += 1
                    if end - i == 1, (i > 0 && Self.isASCIILetter(p[i - 1])) || (end < p.count && Self.isASCIILetter(p[end])) {
                        latinRuns += 1
                    }
                    i = end
                }
            }
        }

        private static func isASCIILetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    }

    /// The share of non-ASCII characters that look like right text of the script.
    static func plausibility(_ utf8: [UInt8], _ script: Script) -> Double {
        var total = 0, good = 0
        for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars where scalar.value >= 0x80 {
            total += 1
            if looksRight(scalar, script) { good += 1 }
        }
        return total == 0 ? 0 : Double(good) / Double(total)
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
        }
    }

    /// About 600 of the most frequent Chinese characters, simplified and the traditional forms
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

    /// About 200 of the most frequent Hangul syllables.
    private static let commonHangul = Set(("""
        이다는의에하고을를가지기사서한로자리도수정어대나시아있인게으해일적라것전부보들주상국우만구장제오성비과면니신화공동경\
        연원방미문여내위등년무중발요회소관진없세실결조영때분계된간것들및후개용업선물생각통모금속단까합교당학점말음했지만본\
        데입체최명산현안행식차트코인블록체인투자시장가격거래상승하락비트이더리움인공지능디파이규제채굴
        """).unicodeScalars.filter { $0.value >= 0xAC00 && $0.value <= 0xD7A3 })
}
