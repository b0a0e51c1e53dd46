import FeedParse
import Foundation
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
    ])
    func parsesRealWorldDates(text: String, expected: String) {
        #expect(FeedDate.parse(text).map(Timestamp.iso8601) == expected)
    }

    @Test(arguments: ["", "yesterday", "2026-13-01T00:00:00Z", "2025-02-29", "Sat, 31 Nov 2026 10:00:00 GMT", "2026-11-28T25:00:00Z",
                      "Sat, 28 Nov 2026 10:61:00 GMT"])
    func rejectsImpossibleDates(text: String) {
        #expect(FeedDate.parse(text) == nil)
    }
}
