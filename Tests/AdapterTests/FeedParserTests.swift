@testable import FeedParse
import Foundation
import Glibc
import NarrativeCore
import Testing

struct FeedParserTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return Array(try Data(contentsOf: url))
    }

    static func iso(_ t: Int64?) -> String? { t.map(Timestamp.iso8601) }

    @Test func rss2ItemsCarryEveryField() throws {
        let feed = try FeedParser.parse(try Self.fixture("rss2-news.xml"))
        #expect(feed.format == .rss2)
        #expect(!feed.bozo)
        #expect(feed.title == "Chain Ledger")
        #expect(feed.link == "https://news.example.test/")
        #expect(feed.language == "en-us")
        #expect(Self.iso(feed.updated) == "2026-11-28T10:15:00Z")
        #expect(feed.items.count == 2)
        let first = feed.items[0]
        #expect(first.id == "cl-1001")
        #expect(first.title == "AI tokens rally as agents trade on-chain")
        #expect(first.link == "https://news.example.test/ai-tokens-rally")
        #expect(Self.iso(first.published) == "2026-11-28T10:00:00Z")
        #expect(first.author == "Jane Doe")
        #expect(first.categories == ["AI", "Markets"])
        #expect(first.summary == "<p>Traders <b>said</b> the AI trade is back.</p>")
        #expect(first.content?.contains("<img src=\"x.png\" alt=\"AI chart\">") == true)
        let second = feed.items[1]
        #expect(second.title == "Ethereum fees fall & DeFi volumes climb")
        #expect(second.link == "https://news.example.test/defi-volumes", "relative links resolve against the feed's link")
        #expect(Self.iso(second.published) == "2026-11-28T04:30:00Z")
        #expect(second.summary == "Lending on Aave <b>grew</b> 4%.")
        #expect(second.author == "desk@news.example.test (Desk)")
    }

    @Test func atomEntriesWithArabicText() throws {
        let feed = try FeedParser.parse(try Self.fixture("atom-arabic.xml"))
        #expect(feed.format == .atom1)
        #expect(feed.title == "أخبار السلسلة")
        #expect(feed.link == "https://ar.example.test/")
        #expect(feed.language == "ar")
        #expect(Self.iso(feed.updated) == "2026-11-28T06:00:00Z")
        let entry = try #require(feed.items.first)
        #expect(entry.id == "tag:ar.example.test,2026:1")
        #expect(entry.title == "مشاريع بالذكاء الاصطناعي تجذب المستثمرين")
        #expect(entry.link == "https://ar.example.test/posts/1")
        #expect(Self.iso(entry.published) == "2026-11-28T05:30:00Z")
        #expect(Self.iso(entry.updated) == "2026-11-28T08:45:00Z")
        #expect(entry.author == "المحرر")
        #expect(entry.categories == ["ذكاء"])
        #expect(entry.summary == "<p>الثورة القادمة</p>")
        #expect(entry.content == "<p>نص <b>كامل</b> &amp; المزيد</p>", "the xhtml wrapper div is not content (RFC 4287 3.1.1.3)")
    }

    @Test func jsonFeedFieldsOfUnexpectedTypesAreReadOneByOne() throws {
        let json = """
        {"version": "https://jsonfeed.org/version/1.1", "title": ["not", "text"],
         "items": [{"id": 7, "title": 12, "url": "https://example.com/a", "tags": ["ai", 3, null, "defi"], "author": {"name": "Desk"}},
                   "a stray string", null,
                   {"id": "b", "title": "Second", "authors": [{"name": "Wire"}, 5]}]}
        """
        let feed = try FeedParser.parse(Array(json.utf8))
        #expect(feed.title == nil)
        #expect(feed.items.count == 2, "entries that are not objects are skipped, the others kept")
        #expect(feed.items[0].id == "7")
        #expect(feed.items[0].title == nil)
        #expect(feed.items[0].categories == ["ai", "defi"])
        #expect(feed.items[0].author == "Desk")
        #expect(feed.items[1].author == "Wire")
    }

    /// Blank JSON strings are absent, as empty XML elements are: an empty `url` must not become
    /// a link nor an empty `id` a key the ingester deduplicates on.
    @Test func jsonFeedBlankStringsAreAbsent() throws {
        let json = """
        {"version": "https://jsonfeed.org/version/1.1", "title": "  Chain Wire ", "home_page_url": "",
         "items": [{"id": "", "url": " ", "external_url": "https://example.com/x", "title": "\\tAI rally\\n",
                    "summary": "   ", "content_html": "", "content_text": "plain", "tags": ["", "ai"], "authors": [{"name": ""}, {"name": "Desk"}]}]}
        """
        let feed = try FeedParser.parse(Array(json.utf8))
        #expect(feed.title == "Chain Wire")
        #expect(feed.link == nil)
        let item = try #require(feed.items.first)
        #expect(item.id == nil)
        #expect(item.link == "https://example.com/x")
        #expect(item.title == "AI rally")
        #expect(item.summary == nil)
        #expect(item.content == "plain")
        #expect(item.categories == ["ai"])
        #expect(item.author == "Desk")
    }

    @Test func jsonFeedItems() throws {
        let feed = try FeedParser.parse(try Self.fixture("jsonfeed-chinese.json"))
        #expect(feed.format == .jsonfeed)
        #expect(feed.title == "链闻")
        #expect(feed.items.count == 2)
        let first = feed.items[0]
        #expect(first.title == "人工智能代币今日大涨")
        #expect(Self.iso(first.published) == "2026-11-28T02:00:00Z")
        #expect(first.author == "编辑部")
        #expect(first.categories == ["人工智能", "代币"])
        #expect(first.content == "<p>AI代币领涨</p>")
        #expect(feed.items[1].id == "42")
        #expect(feed.items[1].content == "去中心化金融")
        #expect(Self.iso(feed.items[1].updated) == "2026-11-28T03:00:00Z")
    }

    @Test func rss1RDF() throws {
        let feed = try FeedParser.parse(try Self.fixture("rss1-rdf.xml"))
        #expect(feed.format == .rss1)
        #expect(feed.title == "RDF News")
        #expect(feed.items.first?.title == "Public chains compete")
        #expect(feed.items.first?.categories == ["layer 1"])
        #expect(Self.iso(feed.items.first?.published) == "2026-11-28T09:00:00Z")
    }

    @Test func htmlEntitiesAndBareAmpersandsAreRecovered() throws {
        let feed = try FeedParser.parse(try Self.fixture("html-entities.xml"))
        #expect(feed.bozo)
        #expect(feed.title == "Café & Crypto")
        #expect(feed.items.first?.title == "AT&T\u{A0}backs AI — “revolution”")
        #expect(feed.items.first?.summary == "Caf&eacute; AT&T", "CDATA is kept as given")
    }

    @Test func declaredLegacyEncodingIsDecoded() throws {
        let feed = try FeedParser.parse(try Self.fixture("windows-1252.xml"))
        #expect(feed.items.first?.title == "“Café” – AI")
    }

    @Test func truncatedDocumentKeepsTheItemsItCouldRead() throws {
        let feed = try FeedParser.parse(try Self.fixture("truncated.xml"))
        #expect(feed.bozo)
        #expect(feed.bozoMessage != nil)
        #expect(feed.items.first?.title == "AI tokens rally as agents trade on-chain")
    }

    @Test func anHTMLPageIsNotAFeed() throws {
        #expect(throws: FeedParseError.notAFeed("the root element is <html>, not rss, RDF or feed")) {
            try FeedParser.parse(try Self.fixture("not-a-feed.html"))
        }
    }

    @Test(arguments: ["", "   \n\t", "\u{FEFF}"])
    func emptyDocumentsAreEmpty(text: String) {
        #expect(throws: FeedParseError.empty) { try FeedParser.parse(Array(text.utf8)) }
    }

    @Test func garbageIsUnreadable() {
        #expect(throws: FeedParseError.self) { try FeedParser.parse(Array("this is not xml at all".utf8)) }
        #expect(throws: FeedParseError.notAFeed("JSON without a jsonfeed.org version")) { try FeedParser.parse(Array("{\"a\": 1}".utf8)) }
    }

    @Test func feedsSayHowOftenTheyChange() throws {
        let ttl = #"<rss version="2.0"><channel><title>t</title><ttl>45</ttl></channel></rss>"#
        #expect(try FeedParser.parse(Array(ttl.utf8)).refreshPeriod == 2700)
        let sy = #"<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>t</title><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>"#
        #expect(try FeedParser.parse(Array(sy.utf8)).refreshPeriod == 1800)
        #expect(try FeedParser.parse(Array(#"<rss version="2.0"><channel><title>t</title></channel></rss>"#.utf8)).refreshPeriod == nil)
    }

    @Test func ampersandsInAttributesAreDecoded() throws {
        let atom = #"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><link href="https://n.test/a?x=1&amp;y=2"/><category term="R&amp;D"/></entry></feed>"#
        let feed = try FeedParser.parse(Array(atom.utf8))
        #expect(feed.items.first?.link == "https://n.test/a?x=1&y=2")
        #expect(feed.items.first?.categories == ["R&D"])
    }

    @Test func externalEntitiesAreNotLoaded() throws {
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
            <rss version="2.0"><channel><title>x</title><item><title>a&secret;b</title><guid>1</guid></item></channel></rss>
            """
        let feed = try FeedParser.parse(Array(xxe.utf8))
        let hostname = (try? String(contentsOfFile: "/etc/hostname", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "\u{0}"
        #expect(feed.items.first?.title?.contains(hostname) == false)
    }
}

struct FeedEncodingTests {
    /// Text in a legacy encoding, made with iconv.
    static func encode(_ text: String, to encoding: String) throws -> [UInt8] {
        let cd = iconv_open(encoding, "UTF-8")
        try #require(cd != iconv_t(bitPattern: -1), "iconv knows \(encoding)")
        defer { iconv_close(cd) }
        var input = Array(text.utf8).map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: input.count * 4 + 16)
        let written = input.withUnsafeMutableBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                var inPtr = inp.baseAddress, inLeft = inp.count
                var outPtr = out.baseAddress, outLeft = out.count
                _ = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                return out.count - outLeft
            }
        }
        return output[..<written].map { UInt8(bitPattern: $0) }
    }

    /// No BOM, no declaration, no HTTP charset, and not UTF-8: the encoding is sniffed.
    @Test(arguments: [
        ("GB18030", "人工智能代币今日大涨，比特币突破新高"),
        ("BIG5", "人工智慧代幣今日大漲，比特幣突破新高"),
        ("SHIFT_JIS", "人工知能トークンが急騰、ビットコインも上昇"),
        ("EUC-JP", "人工知能トークンが急騰、ビットコインも上昇"),
        ("EUC-KR", "인공지능 토큰 급등, 비트코인 상승"),
        ("KOI8-R", "Искусственный интеллект и блокчейн: биткоин растёт"),
        ("WINDOWS-1251", "Искусственный интеллект и блокчейн: биткоин растёт"),
        ("WINDOWS-1256", "الذكاء الاصطناعي يقود السوق والبيتكوين يرتفع"),
        ("WINDOWS-1255", "הבינה המלאכותית מובילה את השוק והביטקוין עולה"),
        ("TIS-620", "ปัญญาประดิษฐ์นำตลาด บิตคอยน์พุ่งขึ้น"),
    ])
    func undeclaredLegacyEncodingsAreSniffed(encoding: String, title: String) throws {
        let bytes = Array("<rss version=\"2.0\"><channel><title>Desk</title><item><guid>1</guid><title>".utf8)
            + (try Self.encode(title, to: encoding)) + Array("</title><description>".utf8)
            + (try Self.encode(title, to: encoding)) + Array("</description></item></channel></rss>".utf8)
        let feed = try FeedParser.parse(bytes)
        #expect(feed.items.first?.title == title, "\(encoding)")
        #expect(feed.items.first?.summary == title)
    }

    @Test(arguments: [
        ("koi8-r.xml", "Криптоновости", "Искусственный интеллект и блокчейн"),
        ("windows-1251.xml", "Криптоновости", "Революция DeFi продолжается"),
        ("gb2312.xml", "链闻快讯", "人工智能代币大涨"),
        ("big5.xml", "鏈聞快訊", "人工智慧代幣大漲"),
        ("shift_jis.xml", "暗号資産ニュース", "人工知能トークンが急騰"),
        ("euc-kr.xml", "암호화폐 뉴스", "인공지능 토큰 급등"),
        ("utf-16le-bom.xml", "أخبار", "الذكاء الاصطناعي يقود السوق"),
    ])
    func declaredEncodingsAreConvertedToUnicode(file: String, title: String, itemTitle: String) throws {
        let feed = try FeedParser.parse(try FeedParserTests.fixture(file))
        #expect(!feed.bozo)
        #expect(feed.title == title)
        #expect(feed.items.first?.title == itemTitle)
    }

    @Test func undeclaredWindows1252IsSniffedWithItsSmartQuotes() throws {
        let feed = try FeedParser.parse(try FeedParserTests.fixture("undeclared-windows-1252.xml"))
        #expect(feed.title == "Crypto € Daily")
        #expect(feed.items.first?.title == "“AI” tokens don’t sleep")
        #expect(!feed.bozo, "no declaration: the encoding is sniffed, not wrong")
    }

    @Test func utf8DeclaredAsLatin1IsReadAsUTF8() throws {
        let feed = try FeedParser.parse(try FeedParserTests.fixture("iso-8859-1-declared-but-utf8.xml"))
        #expect(feed.items.first?.title == "Ünïcödé “quotes” — fine")
        #expect(feed.bozo, "the declaration was wrong")
    }

    @Test func strayLatin1BytesInUTF8AreRepairedAlone() throws {
        let feed = try FeedParser.parse(try FeedParserTests.fixture("utf8-with-stray-latin1.xml"))
        #expect(feed.title == "Café")
        #expect(feed.items.first?.title == "Zürich café — “AI”", "the UTF-8 around the stray byte is not garbled")
        #expect(feed.bozo)
    }

    @Test func invalidUTF8InsideCDATAIsRepairedToo() throws {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><item><description><![CDATA[ ’ ".utf8)
        bytes += [0xA9] + Array(" 2026 ]]></description></item></channel></rss>".utf8)
        let feed = try FeedParser.parse(bytes)
        #expect(feed.items.first?.summary == "’ © 2026")
        #expect(feed.bozo)
    }

    @Test func httpCharsetOverridesTheDeclaration() throws {
        let bytes = try FeedParserTests.fixture("http-charset.xml")
        let feed = try FeedParser.parse(bytes, charset: "windows-1251")
        #expect(feed.title == "Новости")
        #expect(feed.items.first?.title == "Блокчейн")
        #expect(!feed.bozo)
    }

    @Test(arguments: [
        ("text/xml; charset=\"ISO-8859-1\"", "ISO-8859-1"), ("application/rss+xml;charset=utf-8", "utf-8"),
        ("application/atom+xml; type=feed; Charset=windows-1251", "windows-1251"), ("text/xml", nil), ("text/xml; charset=", nil),
    ] as [(String, String?)])
    func charsetComesFromTheContentType(header: String, charset: String?) {
        #expect(FeedParser.charset(fromContentType: header) == charset)
    }

    @Test func unknownDeclaredEncodingIsBozo() throws {
        let xml = #"<?xml version="1.0" encoding="x-no-such-charset"?><rss version="2.0"><channel><title>t</title></channel></rss>"#
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.bozo)
        #expect(feed.title == "t")
    }

    @Test func windows1252ReferencesAndC1ControlsAreDemoronized() throws {
        let xml = "<rss version=\"2.0\"><channel><item><title>don&#146;t \u{0093}stop\u{0094}</title>"
            + "<description>it&amp;#146;s &#226;&#128;&#166;</description></item></channel></rss>"
        let item = try #require(try FeedParser.parse(Array(xml.utf8)).items.first)
        #expect(item.title == "don’t “stop”")
        #expect(item.summary == "it&#x2019;s …", "references inside HTML are mended; UTF-8 written as Latin-1 references is decoded")
    }

    /// Latin text without a declaration stays Windows-1252: its accents are few among ASCII
    /// letters (read as Windows-1251 they would all be lower-case Cyrillic), and one `©` is
    /// too little to tell an encoding by.
    @Test(arguments: ["La temperatura è destinata a salire: è così, è già più alta, perché è estate e la città è calda",
                      "A situação não é boa; as ações caíram e a inflação não cedeu, então a população está à espera",
                      "Die Größe der Übernahme überrascht: Börsen fürchten Verzögerungen und höhere Gebühren für Käufer",
                      "©Reuters", "Kraków: £5m ×2"])
    func latinTextWithoutADeclarationStaysWindows1252(text: String) throws {
        let bytes = Array("<rss version=\"2.0\"><channel><title>Desk</title><item><guid>1</guid><title>".utf8)
            + (try Self.encode(text, to: "WINDOWS-1252")) + Array("</title></item></channel></rss>".utf8)
        #expect(try FeedParser.parse(bytes).items.first?.title == text)
    }

    /// UTF-32 with its byte-order mark (little-endian) and without (big-endian, told by the
    /// zero bytes around `<?xml`).
    @Test(arguments: [true, false])
    func utf32IsReadWithAndWithoutItsBOM(littleEndian: Bool) throws {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-32\"?><rss version=\"2.0\"><channel><title>人工智能 ₿</title></channel></rss>"
        var bytes: [UInt8] = littleEndian ? [0xFF, 0xFE, 0, 0] : []
        for scalar in xml.unicodeScalars {
            withUnsafeBytes(of: littleEndian ? scalar.value.littleEndian : scalar.value.bigEndian) { bytes += $0 }
        }
        let feed = try FeedParser.parse(bytes)
        #expect(feed.title == "人工智能 ₿")
        #expect(!feed.bozo)
    }

    /// More of the legacy encodings: ISO-8859-2 (Polish), ISO-8859-15 (€ at 0xA4, Œ at 0xBC),
    /// GB18030 (₿ is one of its four-byte sequences).
    @Test(arguments: [
        ("ISO-8859-2", [0x5A, 0x61, 0xBF, 0xF3, 0xB3, 0xE6], "Zażółć"),
        ("ISO-8859-15", [0x35, 0x20, 0xA4, 0x20, 0xBC], "5 € Œ"),
        ("GB18030", [0xB1, 0xC8, 0xCC, 0xD8, 0xB1, 0xD2, 0x20, 0x81, 0x36, 0xB5, 0x30], "比特币 ₿"),
    ] as [(String, [UInt8], String)])
    func moreDeclaredEncodings(encoding: String, title: [UInt8], expected: String) throws {
        let bytes = Array("<?xml version=\"1.0\" encoding=\"\(encoding)\"?><rss version=\"2.0\"><channel><title>".utf8)
            + title + Array("</title></channel></rss>".utf8)
        let feed = try FeedParser.parse(bytes)
        #expect(feed.title == expected)
        #expect(!feed.bozo)
    }
}

struct FeedStructureTests {
    @Test func atom03ContentModes() throws {
        let feed = try FeedParser.parse(try FeedParserTests.fixture("atom03-modes.xml"))
        #expect(feed.format == .atom03)
        #expect(feed.title == "Chain Notes", "escaped HTML titles become plain text")
        #expect(feed.language == "en-US")
        #expect(FeedParserTests.iso(feed.updated) == "2026-11-28T09:00:00Z")
        let entry = try #require(feed.items.first)
        #expect(entry.title == "Layer 2 fees fall", "mode=base64")
        #expect(entry.link == "https://notes.example.test/l2-fees", "the alternate link wins over the enclosure")
        #expect(FeedParserTests.iso(entry.published) == "2026-11-28T08:00:00Z")
        #expect(FeedParserTests.iso(entry.updated) == "2026-11-28T08:30:00Z")
        #expect(entry.author == "Ada (ada@notes.example.test)")
        #expect(entry.summary == "<p>Stablecoins <b>grow</b></p>")
        #expect(entry.content == "<div>Rollups <em>settle</em> &lt;faster&gt;<br /></div>", "mode=xml keeps its markup")
    }

    @Test func atom10TextConstructsAndXMLBase() throws {
        let feed = try FeedParser.parse(try FeedParserTests.fixture("atom10-text-constructs.xml"))
        #expect(feed.title == "Base Layer")
        #expect(feed.link == "https://base.example.test/news/index.html")
        let first = feed.items[0]
        #expect(first.title == "AI agents & DeFi")
        #expect(first.link == "https://base.example.test/news/2026/ai-agents.html", "xml:base nests and ../ resolves")
        #expect(FeedParserTests.iso(first.updated) == "2026-11-28T07:00:00Z", "the later of two values wins")
        #expect(first.categories == ["ai", "Markets"])
        #expect(first.summary == "<p>Agents <em>trade</em></p>")
        #expect(first.content == "<p>Agents <a href=\"x.html\">trade</a> &amp; settle</p>")
        let second = feed.items[1]
        #expect(second.title == "<script> is text here", "type=text is not HTML")
        #expect(second.link == "https://base.example.test/absolute/path")
    }

    @Test func relativeLinksResolveAgainstTheDocumentURL() throws {
        let xml = #"<rss version="2.0"><channel><title>t</title><item><title>a</title><link>../b/c?x=1#y</link></item></channel></rss>"#
        let feed = try FeedParser.parse(Array(xml.utf8), baseURL: "https://redirected.example.test/feeds/main/rss")
        #expect(feed.items.first?.link == "https://redirected.example.test/feeds/b/c?x=1#y")
    }

    @Test func rss091WithTheNetscapeDTDKeepsItsHTMLEntities() throws {
        let feed = try FeedParser.parse(try FeedParserTests.fixture("rss091-netscape.xml"))
        #expect(feed.format == .rss09)
        #expect(!feed.bozo, "the external DTD declares the HTML entities")
        #expect(feed.title == "Café Markets")
        #expect(feed.items.first?.title == "Bitcoin à 100\u{A0}000 €…")
        #expect(feed.items.first?.summary == "Les marchés «\u{A0}respirent\u{A0}»")
    }

    @Test func internalEntitiesExpandButExternalOnesNeverLoad() throws {
        let feed = try FeedParser.parse(try FeedParserTests.fixture("doctype-entities.xml"))
        #expect(feed.title == "Chain & Ledger")
        #expect(feed.link == "https://ent.example.test/")
        let item = try #require(feed.items.first)
        #expect(item.link == "https://ent.example.test/post/1")
        #expect(item.id == "https://ent.example.test/p1")
        #expect(item.title == "From Chain & Ledger: &local;done", "the SYSTEM entity stays unresolved text")
        #expect(item.title?.contains("root:") == false)
        #expect(feed.bozo)
    }

    @Test func nakedMarkupNamespacesAndFallbacks() throws {
        let feed = try FeedParser.parse(try FeedParserTests.fixture("rss-naked-markup.xml"))
        #expect(feed.title == "Naked Markup Daily", "dc:title stands in for a missing title")
        let first = feed.items[0]
        #expect(first.title == "Ethereum upgrade ships", "markup in a title is reduced to its text")
        #expect(first.summary == "Gas <i>fell</i><br />sharply", "markup in a description is kept as markup")
        #expect(first.link == "https://naked.example.test/eth-upgrade", "a permalink guid is the link")
        #expect(FeedParserTests.iso(first.published) == "2026-11-27T22:00:00Z")
        #expect(first.categories == ["ethereum", "upgrades", "L1"])
        let second = feed.items[1]
        #expect(second.link == nil, "isPermaLink=false is not a link")
    }

    /// Unescaped HTML in a description, with tags left open and stray end tags, ended the
    /// reading at the first item (libxml2 closes one element per end tag, whatever it names).
    @Test func unclosedAndStrayTagsKeepEveryItem() throws {
        let xml = "<rss version=\"2.0\"><channel><title>Desk</title>"
            + "<item><title>One</title><guid>g1</guid><description>Intro<br><p>para<img src=\"x.png\" alt=\"a > b\"></description></item>"
            + "<item><title>Two &amp; a < b</title><guid>g2</guid><description>text</b> more</p></description></item>"
            + "<item><title>Three</title><guid>g3</guid></item></channel></rss>"
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.bozo)
        #expect(feed.items.map(\.id) == ["g1", "g2", "g3"])
        #expect(feed.items[0].summary?.hasPrefix("Intro<br><p>para<img src=\"x.png\"") == true)
        #expect(feed.items[1].title == "Two & a < b")
        #expect(feed.items[1].summary == "text more")
        // HTML has no `</br>`: a naked `<br>` the parser held open gets no end tag.
        let br = "<rss version=\"2.0\"><channel><item><guid>b</guid><description><p>Hello<br>world <img src=\"a.png\"></p></description></item></channel></rss>"
        #expect(try FeedParser.parse(Array(br.utf8)).items.first?.summary == "<p>Hello<br>world <img src=\"a.png\" /></p>")
    }

    /// A PHP warning printed ahead of the XML, or any text before it: the feed is read from
    /// where it starts, with bozo.
    @Test(arguments: ["<br />\n<b>Warning</b>:  Cannot modify header information in <b>/var/www/feed.php</b> on line <b>12</b><br />\n",
                      "Notice: Undefined index: page in /var/www/feed.php on line 3\n",
                      "PHP Warning: see the <rss> docs about <feed> tags\n"])
    func textBeforeTheFeedIsPassedOver(prefix: String) throws {
        let xml = prefix + "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Chain Wire</title>"
            + "<item><title>One</title><guid>1</guid></item><item><title>Two</title><guid>2</guid></item></channel></rss>"
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.bozo)
        #expect(feed.bozoMessage == "\(prefix.utf8.count) bytes of text before the feed were passed over")
        #expect(feed.title == "Chain Wire")
        #expect(feed.items.map(\.id) == ["1", "2"])
        // Without a feed after the text, the document stays what it was.
        #expect(throws: FeedParseError.self) { try FeedParser.parse(Array((prefix + "<html><body>down</body></html>").utf8)) }
    }

    /// An HTML page (a 502 from a proxy) that shows a feed in its body is still a page.
    @Test func anHTMLPageQuotingAFeedIsNotAFeed() {
        let page = "<html><body><h1>502</h1><rss version=\"2.0\"><channel><title>T</title></channel></rss></body></html>"
        #expect(throws: FeedParseError.notAFeed("the root element is <html>, not rss, RDF or feed")) { try FeedParser.parse(Array(page.utf8)) }
    }

    /// content:, dc: and atom: used without a declaration are read as the prefixes always
    /// mean in feeds (with bozo), and small misspellings of the URIs are read past.
    @Test func undeclaredAndMisspelledNamespacesAreReadByTheirUsualPrefix() throws {
        let undeclared = "<rss version=\"2.0\"><channel><title>T</title><item><title>A</title><dc:creator>Jane</dc:creator>"
            + "<atom:link rel=\"alternate\" href=\"https://wire.example.test/a\"/><foo:title>Not a title</foo:title>"
            + "<content:encoded><![CDATA[<p>Full text</p>]]></content:encoded></item></channel></rss>"
        let feed = try FeedParser.parse(Array(undeclared.utf8))
        #expect(feed.bozo)
        #expect(feed.bozoMessage == "the namespace prefix dc is used without being declared")
        let item = try #require(feed.items.first)
        #expect(item.title == "A")
        #expect(item.author == "Jane")
        #expect(item.link == "https://wire.example.test/a")
        #expect(item.content == "<p>Full text</p>")
        let misspelled = "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1\" xmlns:content=\"https://purl.org/rss/1.0/modules/content/\">"
            + "<channel><item><guid>x</guid><dc:creator>Jane</dc:creator><dc:date>2025-12-12T10:00:00Z</dc:date>"
            + "<content:encoded>&lt;p&gt;Full&lt;/p&gt;</content:encoded></item></channel></rss>"
        let read = try FeedParser.parse(Array(misspelled.utf8))
        #expect(!read.bozo)
        #expect(read.items.first?.author == "Jane")
        #expect(FeedParserTests.iso(read.items.first?.published) == "2025-12-12T10:00:00Z")
        #expect(read.items.first?.content == "<p>Full</p>")
    }

    /// A title is one line of text: line breaks and tabs in the XML fold to spaces, and inline
    /// markup in an HTML title does not split words.
    @Test func titlesAreOneLineOfText() throws {
        let rss = "<rss version=\"2.0\"><channel><title>\n  Chain\n  Wire\n</title><item><title>\n Bitcoin\n rallies\t again\n</title><guid>1</guid></item></channel></rss>"
        let feed = try FeedParser.parse(Array(rss.utf8))
        #expect(feed.title == "Chain Wire")
        #expect(feed.items.first?.title == "Bitcoin rallies again")
        let atom = #"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><title type="html">&lt;a href="/b"&gt;Bitcoin&lt;/a&gt;'s 10&lt;sup&gt;th&lt;/sup&gt; halving:&lt;br&gt;$100K</title></entry></feed>"#
        #expect(try FeedParser.parse(Array(atom.utf8)).items.first?.title == "Bitcoin's 10th halving: $100K")
        let json = #"{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", "title": "Two\nlines"}]}"#
        #expect(try FeedParser.parse(Array(json.utf8)).items.first?.title == "Two lines")
    }

    /// An RSS title has no type; HTML escaped once more than XML needs, or put in CDATA, is
    /// still HTML, and the title is its text. Text that merely shows a `<` stays as it is.
    @Test func rssTitlesThatReadAsEscapedHTMLBecomeText() throws {
        let rss = """
            <rss version="2.0"><channel><title><![CDATA[<b>Chain</b> &amp; Co]]></title>
            <item><guid>1</guid><title><![CDATA[Bitcoin&#8217;s rally &amp; AI]]></title></item>
            <item><guid>2</guid><title>Caf&amp;eacute; &amp;amp; &amp;lt;b&amp;gt;AI&amp;lt;/b&amp;gt;</title></item>
            <item><guid>3</guid><title>&lt;p&gt;Ether &lt;em&gt;ETF&lt;/em&gt; flows&lt;/p&gt;</title></item>
            <item><guid>4</guid><title>Why a &lt;blink&gt; tag, R&amp;D and 3 &lt; 4 stay</title></item>
            <item><guid>5</guid><title>AT&amp;T; &lt;Verizon&gt; deal: &amp;; &amp;#; &amp;#0; are no references</title></item>
            <item><guid>6</guid><title><b>Tom</b> &lt;tom@example.org&gt;</title></item>
            </channel></rss>
            """
        let feed = try FeedParser.parse(Array(rss.utf8))
        #expect(feed.title == "Chain & Co")
        #expect(feed.items.map(\.title) == ["Bitcoin\u{2019}s rally & AI", "Café & <b>AI</b>", "Ether ETF flows",
                                            "Why a <blink> tag, R&D and 3 < 4 stay", "AT&T; <Verizon> deal: &; &#; &#0; are no references",
                                            "Tom <tom@example.org>"])
        // Atom says what its titles are: text stays text.
        let atom = #"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title type="text">AT&amp;amp;T &amp;lt;/b&amp;gt;</title></entry></feed>"#
        #expect(try FeedParser.parse(Array(atom.utf8)).items.first?.title == "AT&amp;T &lt;/b&gt;")
    }

    /// When an item was written (Atom 0.3's and Dublin Core's `created`) stands in for its
    /// publication date only when it has none.
    @Test func aCreationDateOnlyStandsInForAMissingPublicationDate() throws {
        let rss = "<rss version=\"2.0\" xmlns:dcterms=\"http://purl.org/dc/terms/\"><channel>"
            + "<item><guid>1</guid><pubDate>Fri, 12 Dec 2025 10:00:00 +0000</pubDate><dcterms:created>2025-12-01T10:00:00Z</dcterms:created></item>"
            + "<item><guid>2</guid><dcterms:created>2025-12-01T10:00:00Z</dcterms:created></item></channel></rss>"
        #expect(try FeedParser.parse(Array(rss.utf8)).items.map { FeedParserTests.iso($0.published) } == ["2025-12-12T10:00:00Z", "2025-12-01T10:00:00Z"])
        let atom03 = #"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><id>e</id><issued>2004-01-02T10:00:00Z</issued><created>2004-01-01T10:00:00Z</created></entry></feed>"#
        #expect(FeedParserTests.iso(try FeedParser.parse(Array(atom03.utf8)).items.first?.published) == "2004-01-02T10:00:00Z")
    }

    /// Entries without an author have the feed's (RFC 4287 4.2.1, JSON Feed 1.1); co-authors,
    /// one dc:creator each, are all named.
    @Test func authorsAreInheritedAndCoAuthorsJoined() throws {
        let atom = #"<feed xmlns="http://www.w3.org/2005/Atom"><author><name>Desk</name></author><entry><id>1</id></entry><entry><id>2</id><author><name>Jane</name></author></entry>"#
            + #"<entry><id>3</id><source><id>s</id><author><name>Origin</name></author></source></entry></feed>"#
        #expect(try FeedParser.parse(Array(atom.utf8)).items.map(\.author) == ["Desk", "Jane", "Origin"], "a copied entry's source names its author first")
        let json = #"{"version": "https://jsonfeed.org/version/1.1", "authors": [{"name": "Desk"}], "items": [{"id": "1"}, {"id": "2", "authors": [{"name": "Jane"}]}]}"#
        #expect(try FeedParser.parse(Array(json.utf8)).items.map(\.author) == ["Desk", "Jane"])
        let rss = "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><managingEditor>ed@wire.example.test</managingEditor>"
            + "<item><guid>1</guid><dc:creator>Helene Braun</dc:creator><dc:creator>James Van Straten</dc:creator></item><item><guid>2</guid></item></channel></rss>"
        #expect(try FeedParser.parse(Array(rss.utf8)).items.map(\.author) == ["Helene Braun, James Van Straten", nil], "RSS's channel editor is not the items' author")
    }

    /// The link to the article wins: an alternate link to a page over one to another kind of
    /// document, whatever the order, and FeedBurner's original link over its redirect.
    @Test func theArticleLinkWinsOverJSONAudioAndRedirects() throws {
        let atom = #"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><link rel="alternate" type="application/json" href="https://wire.example.test/1.json"/><link rel="alternate" type="text/html" href="https://wire.example.test/1.html"/></entry>"#
            + #"<entry><id>2</id><link rel="alternate" type="application/json" href="https://wire.example.test/2.json"/></entry></feed>"#
        #expect(try FeedParser.parse(Array(atom.utf8)).items.map(\.link) == ["https://wire.example.test/1.html", "https://wire.example.test/2.json"])
        let rss = "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><item><guid>1</guid>"
            + "<atom:link href=\"https://wire.example.test/1.json\" rel=\"alternate\" type=\"application/json\"/><link>https://wire.example.test/1</link></item></channel></rss>"
        #expect(try FeedParser.parse(Array(rss.utf8)).items.first?.link == "https://wire.example.test/1")
        // FeedBurner's origLink is the article; its <link> only redirects there.
        let burned = "<rss version=\"2.0\" xmlns:feedburner=\"http://rssnamespace.org/feedburner/ext/1.0\"><channel><item><guid>1</guid>"
            + "<link>http://feeds.feedburner.com/~r/wire/~3/abc/</link><feedburner:origLink>https://wire.example.test/story</feedburner:origLink></item></channel></rss>"
        #expect(try FeedParser.parse(Array(burned.utf8)).items.first?.link == "https://wire.example.test/story")
    }

    @Test(arguments: [
        // An end tag closes what is open inside the element it names.
        ("<a><b><c>x</a>", "<a><b><c>x</c></b></a>"),
        // One that names no open element goes; a `<` that starts no tag is escaped.
        ("<a>1 < 2</z></a>", "<a>1 &lt; 2</a>"),
        ("<d>He said <it's> ok</b></d>", "<d>He said &lt;it's> ok</d>"),
        // A near miss or another case closes the element it was meant for.
        ("<item><title>One</titel><guid>1</guid></item>", "<item><title>One</title><guid>1</guid></item>"),
        ("<item><pubDate>x</pubdate><b>y</item>", "<item><pubDate>x</pubDate><b>y</b></item>"),
        // Attribute values may hold `>` and quotes; self-closing tags and declarations open nothing.
        ("<?xml version=\"1.0\"?><a t=\"x>y\" u = 'it\"s'><br/><!-- <b> --><![CDATA[</a>]]></a>", nil),
        // Cut off: the CDATA section is closed before the elements are.
        ("<a><b><![CDATA[par", "<a><b><![CDATA[par]]></b></a>"),
        // Cut off inside a tag: the fragment goes.
        ("<a><b>x</b><c hr", "<a><b>x</b></a>"),
        ("<a><b>x</b><c", "<a><b>x</b></a>"),
    ] as [(String, String?)])
    func tagBalancerMendsNesting(document: String, mended: String?) {
        let out = Array(document.utf8).withUnsafeBufferPointer(TagBalancer.balance)
        #expect(out.map { String(decoding: $0, as: UTF8.self) } == mended)
    }

    /// An empty element is an absent field, as in JSON Feed.
    @Test func emptyTextFieldsAreAbsent() throws {
        let xml = "<rss version=\"2.0\"><channel><title></title><item><title> </title><guid>x</guid><category></category><category>AI</category></item></channel></rss>"
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.title == nil)
        #expect(feed.items.first?.title == nil)
        #expect(feed.items.first?.categories == ["AI"])
    }

    /// An author is a name, never markup, however the feed wrote it: Atom's name and email
    /// (atom:author in RSS too), else the element's own text; a blank one gives way to the next.
    @Test func authorsAreNamesNotMarkup() throws {
        let xml = """
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
            <item><guid>a</guid><atom:author><atom:name>Jane Roe</atom:name><atom:email>jane@wire.example.test</atom:email></atom:author></item>
            <item><guid>b</guid><author><b>Desk</b>  editor</author></item>
            <item><guid>c</guid><dc:creator><span>Market Desk</span></dc:creator></item>
            <item><guid>d</guid><atom:author>Jane Roe</atom:author></item>
            <item><guid>e</guid><author><b>Tom</b> &lt;tom@wire.example.test&gt;</author></item>
            <item><guid>f</guid><atom:author><atom:name><b>AT&amp;amp;T</b> desk</atom:name></atom:author></item>
            <item><guid>g</guid><atom:author><atom:name> </atom:name><atom:uri>https://wire.example.test/</atom:uri></atom:author><dc:creator>Bob</dc:creator></item>
            <item><guid>h</guid><author>&#160;</author><dc:creator>Ann</dc:creator></item>
            <item><guid>i</guid><author>jane@wire.example.test (Jane Roe)</author></item>
            </channel></rss>
            """
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.items.map(\.author) == ["Jane Roe (jane@wire.example.test)", "Desk editor", "Market Desk", "Jane Roe",
                                             "Tom <tom@wire.example.test>", "AT&amp;T desk", "Bob", "Ann",
                                             "jane@wire.example.test (Jane Roe)"])
        let atom = """
            <feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><author>Wire Desk</author></entry>
            <entry><id>y</id><author><name>Jane</name><uri>https://wire.example.test/</uri></author></entry></feed>
            """
        #expect(try FeedParser.parse(Array(atom.utf8)).items.map(\.author) == ["Wire Desk", "Jane"])
    }

    /// Elements inside a text field give their text; inside a summary they stay HTML, with the
    /// text around them escaped so it reads as it did.
    @Test func elementsInTextFieldsGiveTheirTextAndStayHTMLInSummaries() throws {
        let xml = """
            <rss version="2.0"><channel><item><title>Fed &amp; <b>ETF</b> flows</title><guid><p>w-1</p></guid>
            <category><em>AI</em> &lt;agents&gt;</category></item></channel></rss>
            """
        let item = try #require(try FeedParser.parse(Array(xml.utf8)).items.first)
        #expect(item.title == "Fed & ETF flows")
        #expect(item.id == "w-1")
        #expect(item.categories == ["AI <agents>"])
        let atom = #"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><summary>a &lt; b <b>c</b></summary></entry></feed>"#
        #expect(try FeedParser.parse(Array(atom.utf8)).items.first?.summary == "a &lt; b <b>c</b>")
    }

    /// A podcast's itunes:summary stands in for a missing description.
    @Test func itunesSummaryStandsInForAMissingDescription() throws {
        let xml = "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>"
            + "<item><guid>1</guid><itunes:summary>Episode about AI</itunes:summary></item>"
            + "<item><guid>2</guid><description>Own</description><itunes:summary>Not this</itunes:summary></item></channel></rss>"
        #expect(try FeedParser.parse(Array(xml.utf8)).items.map(\.summary) == ["Episode about AI", "Own"])
    }

    /// Summaries keep their HTML, but an empty one is none, so a later or weaker one fills it.
    @Test func emptySummaryAndContentAreAbsent() throws {
        let xml = """
            <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
            <item><guid>a</guid><description>  </description><content:encoded>
            </content:encoded></item>
            <item><guid>b</guid><description></description><media:description>From the media group</media:description></item>
            </channel></rss>
            """
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.items.count == 2)
        #expect(feed.items[0].summary == nil)
        #expect(feed.items[0].content == nil)
        #expect(feed.items[1].summary == "From the media group")
    }

    /// The namespaces news feeds use inside RSS: atom:link for the links, media:title and
    /// media:description when the item has no title or description, dc:subject as categories.
    @Test func mediaDublinCoreAndAtomLinksInRSS() throws {
        let xml = """
            <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
            <channel><title>Media Wire</title><atom:link href="https://wire.example.test/" rel="alternate"/>
            <item><media:title>Bitcoin ETF flows turn positive</media:title><media:description>Inflows of $1bn</media:description>
            <atom:link href="/etf" rel="alternate"/><dc:subject>ETF</dc:subject><dc:subject>Bitcoin</dc:subject><guid isPermaLink="false">w-1</guid></item>
            <item><title>Own title</title><description>Own text</description><media:title>Not this</media:title><media:description>Nor this</media:description><guid isPermaLink="false">w-2</guid></item>
            <item><dc:title>Real headline</dc:title><media:description>Real summary</media:description><guid isPermaLink="false">w-3</guid>
            <media:content url="https://wire.example.test/p.jpg"><media:title>Photo: AP</media:title><media:description>A caption</media:description></media:content></item>
            </channel></rss>
            """
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.link == "https://wire.example.test/")
        let first = try #require(feed.items.first)
        #expect(first.title == "Bitcoin ETF flows turn positive")
        #expect(first.summary == "Inflows of $1bn")
        #expect(first.link == "https://wire.example.test/etf")
        #expect(first.categories == ["ETF", "Bitcoin"])
        #expect(feed.items[1].title == "Own title")
        #expect(feed.items[1].summary == "Own text")
        #expect(feed.items[2].title == "Real headline", "a photo's caption is no headline")
        #expect(feed.items[2].summary == "Real summary")
    }

    /// Video feeds (YouTube's Atom among them) keep an entry's description in media:group.
    @Test func mediaGroupGivesAVideoEntryItsDescription() throws {
        let atom = """
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
            <title>Chain Talk</title><entry><id>yt:video:abc</id><title>Is the AI token rally real?</title>
            <link rel="alternate" href="https://video.example.test/watch?v=abc"/>
            <media:group><media:title>Is the AI token rally real?</media:title><media:description>We look at AI agents and DeFi.</media:description></media:group>
            </entry></feed>
            """
        let entry = try #require(try FeedParser.parse(Array(atom.utf8)).items.first)
        #expect(entry.title == "Is the AI token rally real?")
        #expect(entry.summary == "We look at AI agents and DeFi.")
        #expect(entry.link == "https://video.example.test/watch?v=abc")
    }
}

struct FeedSafetyTests {
    @Test func billionLaughsIsCutAtTheExpansionBudget() throws {
        var dtd = "<!ENTITY lol0 \"lollollollollollollollollollol\">"
        for level in 1...10 {
            dtd += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE rss [\(dtd)]><rss version=\"2.0\"><channel><title>&lol10;</title>"
            + "<item><title>still here</title></item></channel></rss>"
        let clock = ContinuousClock()
        let started = clock.now
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(clock.now - started < .seconds(5))
        #expect((feed.title?.utf8.count ?? 0) <= 2 << 20, "10^10 bytes were asked for; at most the budget is produced")
        #expect(feed.bozo)
        #expect(feed.items.first?.title == "still here")
    }

    @Test func externalSubsetsAndParameterEntitiesAreNotFetched() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE rss SYSTEM "file:///etc/passwd" [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p; <!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>
            <rss version="2.0"><channel><title>x&e;</title><item><title>a</title></item></channel></rss>
            """
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.title?.contains("root") == false)
        #expect(feed.items.count == 1)
    }

    @Test func deepNestingIsBoundedAndKeepsWhatCameBefore() throws {
        let depth = 100_000
        let xml = "<rss version=\"2.0\"><channel><item><title>before</title></item><item><description>"
            + String(repeating: "<div>", count: depth) + "deep" + String(repeating: "</div>", count: depth)
            + "</description></item></channel></rss>"
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.items.first?.title == "before")
        #expect(feed.bozo, "nesting past the limit is passed over and the document marked recovered")
        let summary = try #require(feed.items.last?.summary)
        #expect(summary.contains("deep"), "the text inside is kept")
        #expect(summary.utf8.count < 20_000, "the markup of the passed-over levels is not")
    }

    @Test func oversizedDocumentsAreRefused() {
        let bytes = [UInt8](repeating: UInt8(ascii: " "), count: FeedParser.maximumDocumentSize + 1)
        #expect(throws: FeedParseError.unreadable("the document is larger than \(FeedParser.maximumDocumentSize >> 20) MB")) {
            try FeedParser.parse(bytes)
        }
    }

    @Test func controlCharactersAndBrokenReferencesAreRepaired() throws {
        let xml = "<rss version=\"2.0\"><channel><title>a\u{01}b &#0; &#xD800; &#X41; &bogus; AT&T</title></channel></rss>"
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.title == "ab A &bogus; AT&T")
        #expect(feed.bozo)
    }

    /// Editors paste vertical tabs and backspaces into CDATA too; libxml2 ended the document at
    /// the first, losing the description and every item after it.
    @Test func controlCharactersInsideCDATAAndCommentsAreDropped() throws {
        let xml = "<rss version=\"2.0\"><channel><title>Desk</title><!-- a\u{0B}b --><item><title>One</title><guid>g1</guid>"
            + "<description><![CDATA[<p>copy\u{0B}paste\u{08}</p>]]></description></item><item><title>Two</title><guid>g2</guid></item></channel></rss>"
        let feed = try FeedParser.parse(Array(xml.utf8))
        #expect(feed.items.map(\.title) == ["One", "Two"])
        #expect(feed.items.first?.summary == "<p>copypaste</p>")
        #expect(feed.bozo)
        // Wherever the control falls in a long section (the scan reads it in steps of 32 and 8 bytes).
        for offset in 0..<80 {
            let text = String(repeating: "a", count: offset) + "\u{0C}" + String(repeating: "b", count: 79 - offset)
            let doc = "<rss version=\"2.0\"><channel><item><guid>g</guid><description><![CDATA[\(text)]]></description></item></channel></rss>"
            #expect(try FeedParser.parse(Array(doc.utf8)).items.first?.summary == String(repeating: "a", count: offset) + String(repeating: "b", count: 79 - offset))
        }
    }

    /// However a feed writes ESC (a reference in an HTML title, raw in CDATA, escaped in JSON),
    /// it does not reach the terminal that shows the title.
    @Test(arguments: [
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>x</id><title type=\"html\">AI &amp;#27;]0;owned&amp;#7; rally</title></entry></feed>",
        "<rss version=\"2.0\"><channel><item><guid>x</guid><title><![CDATA[AI \u{1B}]0;owned\u{07} rally]]></title></item></channel></rss>",
        "{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [{\"id\": \"x\", \"title\": \"AI \\u001b]0;owned\\u0007\\u009d rally\"}]}",
    ])
    func controlCharactersNeverReachATitle(document: String) throws {
        let feed = try FeedParser.parse(Array(document.utf8))
        #expect(feed.items.first?.title?.split(separator: " ") == ["AI", "]0;owned", "rally"])
    }
}

struct FeedDateTests {
    @Test(arguments: [
        ("Sat, 28 Nov 2026 10:00:00 GMT", "2026-11-28T10:00:00Z"),
        ("Sat, 28 Nov 2026 10:00:00 +0000", "2026-11-28T10:00:00Z"),
        ("28 Nov 2026 10:00 -0500", "2026-11-28T15:00:00Z"),
        ("Sat,28 Nov 2026 10:00:00 EST", "2026-11-28T15:00:00Z"),
        ("Saturday, 28 November 2026 10:00:00 UTC", "2026-11-28T10:00:00Z"),
        ("Sat, 28 Nov 26 10:00:00 GMT", "2026-11-28T10:00:00Z"),
        ("2026-11-28T10:00:00Z", "2026-11-28T10:00:00Z"),
        ("2026-11-28T10:00:00.123+08:00", "2026-11-28T02:00:00Z"),
        ("2026-11-28 10:00:00", "2026-11-28T10:00:00Z"),
        ("2026-11-28", "2026-11-28T00:00:00Z"),
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"),
        ("Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z"),
        ("Sun Jul 15 01:16:00 +0000 2012", "2012-07-15T01:16:00Z"),
        ("Thu Aug 30 2012 17:26:16 +0200", "2012-08-30T15:26:16Z"),
        ("Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z"),
        ("Thu,  5 Apr 2012 10:00:00 GMT", "2012-04-05T10:00:00Z"),
        ("Mon, 13 Feb, 2012 06:28:00 UTC", "2012-02-13T06:28:00Z"),
        ("Fri,24 Nov 2023 18:28:36 -0000", "2023-11-24T18:28:36Z"),
        ("Wed, 19 Feb 2012 22:40:00 GMT-01:01", "2012-02-19T23:41:00Z"),
        ("Mon, 26 January 2004 16:31:00 ET", "2004-01-26T21:31:00Z"),
        ("Thu, 30 Apr 2015 08:57:00 MEST", "2015-04-30T06:57:00Z"),
        ("Sat, 28 Nov 2026 10:00:00 Z", "2026-11-28T10:00:00Z"),
        ("Sat, 28 Nov 2026 10:00:00 A", "2026-11-28T11:00:00Z"),
        ("Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00Z"),
        ("Fri, 31 Mar 2023 20:19:00 America/Los_Angeles", "2023-04-01T03:19:00Z"),
        ("Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"),
        ("Thu, 01 Jan 2004", "2004-01-01T00:00:00Z"),
        ("Κυρ, 11 Ιούλ 2004 12:00:00 EST", "2004-07-11T17:00:00Z"),
        ("2004-július-13T9:15-05:00", "2004-07-13T14:15:00Z"),
        ("2004-05-25 오후 11:23:17", "2004-05-25T14:23:17Z"),
        ("2004년 05월 28일  01:31:15", "2004-05-27T16:31:15Z"),
        ("2003-12", "2003-12-01T00:00:00Z"),
        ("2003", "2003-01-01T00:00:00Z"),
        ("031231", "2003-12-31T00:00:00Z"),
        ("-03-12", "2003-12-01T00:00:00Z"),
        ("2003-012-31T10:14:55+00:00", "2003-12-31T10:14:55Z"),
        ("2004-07-08 23:56:58 -00:20", "2004-07-09T00:16:58Z"),
        ("2006-01-02T15:04:05.500Z", "2006-01-02T15:04:05Z"),
        ("Thu, 01 Jan 0100 00:00:01 +0100", "0099-12-31T23:00:01Z"),
        ("Sun, 17 Dec 2017 1:55 PM EST", "2017-12-17T18:55:00Z"),
        ("Sun, 17 Dec 2017 12:05 am GMT", "2017-12-17T00:05:00Z"),
        ("Thu, June 22, 2023 at 12:11 p.m. EDT", "2023-06-22T16:11:00Z"),
        ("Mon, November 16, 2020, 11:12 PM EST", "2020-11-17T04:12:00Z"),
        ("Mon, 16th Nov 2020 13:16:28 GMT", "2020-11-16T13:16:28Z"),
        ("Fri, 23rd Jun 2023 09:32:20 GMT", "2023-06-23T09:32:20Z"),
        ("Thu Nov 12 2020 17:00:00 GMT+0000 (Coordinated Universal Time)", "2020-11-12T17:00:00Z"),
        ("Thu, 12 Nov 2020 17:00:00 (a comment (nested)) GMT", "2020-11-12T17:00:00Z"),
        ("Sat, 28 Nov 2026 10:00:00 z", "2026-11-28T10:00:00Z"),
        ("Sat, 28 Nov 2026 10:00:00 Y", "2026-11-27T22:00:00Z"),
        ("17 Dec 2017 AT", "2017-12-17T04:00:00Z"),
        ("Mon, 16 Nov 2020 10:00 UTC+0100", "2020-11-16T09:00:00Z"),
        ("Di, 23 Jan 2018 00:00:00 +0100", "2018-01-22T23:00:00Z"),
        ("Do, 29 Mär 2018 00:00:00 +0200", "2018-03-28T22:00:00Z"),
        ("Montag, 16. November 2020 15:54 +0100", "2020-11-16T14:54:00Z"),
        ("mer, 9 avr 2018 00:00:00 +0200", "2018-04-08T22:00:00Z"),
        ("ven., 03 juil. 2020 15:09:58 +0000", "2020-07-03T15:09:58Z"),
        ("mar., 01 déc. 2020 16:11:02 +0000", "2020-12-01T16:11:02Z"),
        ("jeu., 1er août 2024 08:00:00 +0200", "2024-08-01T06:00:00Z"),
        ("mar, 23 de enero de 2018 10:00:00 +0100", "2018-01-23T09:00:00Z"),
        ("sab, 14 set 2024 08:00:00 +0200", "2024-09-14T06:00:00Z"),
        ("qui, 10 out 2024 08:00:00 -0300", "2024-10-10T11:00:00Z"),
        ("vr, 12 mrt 2021 09:00:00 +0100", "2021-03-12T08:00:00Z"),
        // A zone's name after an offset labels it; the offset tells which CST is meant.
        ("Fri, 12 Dec 2025 10:00:00 +0800 CST", "2025-12-12T02:00:00Z"),
        ("Fri, 12 Dec 2025 10:00:00 +0000 GMT", "2025-12-12T10:00:00Z"),
        ("2025-12-12 10:00:00 +0000 UTC", "2025-12-12T10:00:00Z"),
        ("2025-12-12 10:00:00.123456 -0700 MST", "2025-12-12T17:00:00Z"),
    ])
    func parsesRealWorldDates(text: String, expected: String) {
        #expect(FeedDate.parse(text).map(Timestamp.iso8601) == expected)
    }

    @Test(arguments: ["", "yesterday", "2026-13-01T00:00:00Z", "2025-02-29", "Sat, 31 Nov 2026 10:00:00 GMT", "2026-11-28T25:00:00Z",
                      "Sat, 28 Nov 2026 10:61:00 GMT", "Sun, 16 Dec 2012 1:2:3:4 GMT", "Sun, 16 zzz 2012 11:47:32 GMT",
                      "Sun, 16 Dec 2012 11:47:32 +zz:00", "Sun, 16 Dec 2012 11:47:32 +00:zz", "9999-12-31T23:59:59-99:99",
                      "Sun, 31 Dec 9999 23:59:59 -9999", "2013-01-28T11:30:00-06:00Textra", "2013-01-27-01", "22013",
                      "Mon, 09 Apr 2018, 16:04", "03/04/2020 10:00 GMT", "1520932969", "30.10.23", "Sat, 11 04 2020 08:51:49 +0100",
                      "Sat, Oct 28 2023 08:28:28 PM", "Sun, 17 Dec 2017 13:55 PM EST", "Sun, 17 Dec 2017 0:55 AM EST",
                      "Sun, 17 Dec 2017 1:55 PM PM EST", "Sun, 17 PM Dec 2017 1:55 EST", "Jan, 17 Feb 2017 10:00 GMT",
                      "Mon, 16xy Nov 2020 13:16:28 GMT", "Mon, 16thx Nov 2020 13:16:28 GMT",
                      // A small letter after the time is a word, not a military zone.
                      "lun, 23 de enero de 2018 10:30 h", "ma 16 nov 2020 om 10:30 u", "Sun, 17 Dec 2017 1:55p",
                      "Mon, 16 Nov 2020 10:00 a.mm",
                      // A comment left open, or holding digits, may hide the time or the zone.
                      "Mon, 16 Nov 2020 (10:00 GMT)", "Mon, 16 Nov 2020 (10:00 GMT", "16 Nov 20(21) 10:00 GMT",
                      "Sun Jan  4 16:29:06 2004 (EST)",
                      // Two months, or two zones.
                      "set 4 mar 2017 5:36 AM GMT", "17 Dec 2017 Mar 10:00 GMT", "16 Mar 2020 Dec 10:00 GMT",
                      "Mar 16 2020 Dec 10:00 GMT", "Mon, 16 Nov 2020 10:00 +0100 -0500",
                      "Mon, 16 Nov 2020 10:00 EST +0100", "Mon, 16 Nov 2020 10:00 Z +0100", "2025-12-12 10:00:00 +0000 XYZ",
                      // A translated asctime is some program's local time.
                      "Di Dez 17 01:55:00 2017",
                      // An hour before year 1 begins: outside the years reported.
                      "Mon, 01 Jan 0001 00:30:00 +0100"])
    func rejectsImpossibleDates(text: String) {
        #expect(FeedDate.parse(text) == nil)
    }

    /// Runs of digits longer than any field once overflowed the tokenizer and trapped.
    @Test(arguments: ["Sun, 16 Dec 2012 11:47:32 +0000 123456789012345678901234567890",
                      "Sun, 16 Dec 2012 11:123456789012345678901234567890 GMT",
                      "2004년 05월 28일 01:31:123456789012345678901234567890"])
    func overlongDigitRunsAreRejected(text: String) {
        #expect(FeedDate.parse(text) == nil)
    }
}

/// Zones named in dates, read from the tz database without ICU.
struct ZoneInfoTests {
    @Test func brusselsIsOneHourAheadInWinterAndTwoInSummer() throws {
        let zone = try #require(ZoneInfo.named("Europe/Brussels"), "tzdata is installed (make test-deps)")
        #expect(zone.offset(at: 1_456_358_400) == 3_600) // 2016-02-25T00:00Z
        #expect(zone.offset(at: 1_467_331_200) == 7_200) // 2016-07-01T00:00Z
        // The spring change: 2016-03-27T01:00Z.
        #expect(zone.offset(at: 1_459_040_399) == 3_600)
        #expect(zone.offset(at: 1_459_040_400) == 7_200)
    }

    @Test(arguments: ["Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "Europe/../../../etc/passwd", ""])
    func unknownOrEscapingNamesAreNoZone(name: String) {
        #expect(ZoneInfo.named(name) == nil)
    }

    /// A version 1 file with two transitions: +1 h until the first, +2 h between, +1 h after.
    static func tzif(truncatedTo length: Int? = nil) -> [UInt8] {
        func be32(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
        var b = Array("TZif".utf8) + [0] + [UInt8](repeating: 0, count: 15)
        b += be32(0) + be32(0) + be32(0) + be32(2) + be32(2) + be32(8) // isut, isstd, leap, time, type, char
        b += be32(1_000) + be32(2_000) + [1, 0]
        b += be32(3_600) + [0, 0] + be32(7_200) + [1, 4]
        b += Array("CET\0CEST".utf8)
        return length.map { Array(b.prefix($0)) } ?? b
    }

    @Test func versionOneFileGivesTheOffsetOfEachPeriod() throws {
        let zone = try #require(ZoneInfo.parse(Self.tzif()))
        #expect(zone.offset(at: 999) == 3_600)
        #expect(zone.offset(at: 1_000) == 7_200)
        #expect(zone.offset(at: 1_999) == 7_200)
        #expect(zone.offset(at: 2_000) == 3_600)
    }

    @Test(arguments: [0, 4, 43, 44, 52, 60])
    func truncatedFilesAreNoZone(length: Int) {
        #expect(ZoneInfo.parse(Self.tzif(truncatedTo: length)) == nil)
    }
}
