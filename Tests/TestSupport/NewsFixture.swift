import Foundation

/// Two weeks of ordinary crypto news in three feeds — English RSS, Arabic Atom, Chinese
/// JSON Feed — with a burst of AI stories in the last two hours, and what a correct
/// ingest must count from them.
public struct NewsFixture: Sendable {
    public struct Story: Sendable {
        public let id: String
        /// Seconds since 1970.
        public let published: Int64
        public let title: String
        public let body: String
        public let mentionsAI: Bool

        public init(id: String, published: Int64, title: String, body: String, mentionsAI: Bool) {
            self.id = id
            self.published = published
            self.title = title
            self.body = body
            self.mentionsAI = mentionsAI
        }
    }

    public let now: Int64
    public var english: [Story] = []
    public var arabic: [Story] = []
    public var chinese: [Story] = []
    public var all: [Story] { english + arabic + chinese }

    private static let englishOrdinary = [
        "Analysts said Bitcoin could retest its highs", "Air traffic of stablecoin transfers hits a record",
        "Thailand approves a new exchange licence", "DeFi lending volumes climb on Aave", "Ethereum fees fall to a yearly low",
    ]
    private static let arabicOrdinary = ["قال المحللون إن البيتكوين قد يرتفع", "التمويل اللامركزي ينمو في المنطقة", "هيئة السوق تصدر ترخيصا جديدا"]
    private static let chineseOrdinary = ["比特币价格今日上涨", "去中心化金融协议锁仓量增长", "交易所发布新的上币公告"]

    /// - Parameter burst: AI stories per feed in the last two hours (English gets two more).
    public static func twoWeeksWithAIBurst(now: Int64, burst: Int = 10) -> NewsFixture {
        var f = NewsFixture(now: now)
        let start = now - 14 * 86_400
        let lastOrdinary = now - 3 * 3600
        var k = 0
        var t = start
        while t < lastOrdinary {
            let ai = k % 6 == 5
            f.english.append(Story(id: "en-\(k)", published: t,
                                   title: (ai ? "AI agents trade memecoins on Solana" : englishOrdinary[k % englishOrdinary.count]) + ", report \(k)",
                                   body: ai ? "<p>Artificial intelligence bots <b>said</b> to move markets.</p>" : "<p>Markets were calm; traders said little.</p>",
                                   mentionsAI: ai))
            f.arabic.append(Story(id: "ar-\(k)", published: t + 3600,
                                  title: (ai ? "مشاريع بالذكاء الاصطناعي تجذب المستثمرين" : arabicOrdinary[k % arabicOrdinary.count]) + " \(k)",
                                  body: "<p>تقرير السوق اليومي</p>", mentionsAI: ai))
            f.chinese.append(Story(id: "zh-\(k)", published: t + 7200,
                                   title: (ai ? "人工智能代币今日大涨" : chineseOrdinary[k % chineseOrdinary.count]) + "（\(k)）",
                                   body: "<p>市场日报</p>", mentionsAI: ai))
            k += 1
            t += 3 * 3600
        }
        // The burst: between 110 and 65 minutes ago, so it lies in buckets already closed.
        for n in 0..<(burst + 2) {
            let when = now - 110 * 60 + Int64(n) * 45 * 60 / Int64(burst + 2)
            f.english.append(Story(id: "en-burst-\(n)", published: when, title: "AI token frenzy, part \(n)",
                                   body: "<p>Traders pile into AI coins as the AI narrative returns.</p>", mentionsAI: true))
        }
        for n in 0..<burst {
            let when = now - 108 * 60 + Int64(n) * 40 * 60 / Int64(burst)
            f.arabic.append(Story(id: "ar-burst-\(n)", published: when, title: "موجة جديدة وبالذكاء الاصطناعي \(n)",
                                  body: "<p>المستثمرون يتجهون إلى عملات الذكاء الاصطناعي</p>", mentionsAI: true))
            f.chinese.append(Story(id: "zh-burst-\(n)", published: when + 60, title: "人工智能概念币第\(n)轮上涨",
                                   body: "<p>人工智能叙事回归</p>", mentionsAI: true))
        }
        return f
    }

    /// Items per bucket start, all stories.
    public func itemsPerBucket(width: Int64) -> [Int64: Int] {
        Dictionary(grouping: all) { $0.published - $0.published % width }.mapValues(\.count)
    }

    /// AI-mentioning items per bucket start.
    public func aiPerBucket(width: Int64) -> [Int64: Int] {
        Dictionary(grouping: all.filter(\.mentionsAI)) { $0.published - $0.published % width }.mapValues(\.count)
    }

    // MARK: Documents

    public static func rss(_ stories: [Story], title: String, base: String) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel><title>\(title)</title><link>\(base)</link><language>en</language>

            """
        for s in stories {
            xml += """
                <item><title>\(escape(s.title))</title><link>\(base)/\(s.id)</link><guid isPermaLink="false">\(s.id)</guid>
                <pubDate>\(rfc822(s.published))</pubDate><dc:creator>Desk</dc:creator>
                <description><![CDATA[\(s.body)]]></description></item>

                """
        }
        return xml + "</channel></rss>\n"
    }

    public static func atom(_ stories: [Story], title: String, base: String) -> String {
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar"><title>\(title)</title><id>\(base)/</id>
            <link href="\(base)/"/><updated>\(iso(stories.map(\.published).max() ?? 0))</updated>

            """
        for s in stories {
            xml += """
                <entry><id>tag:example.test,2026:\(s.id)</id><title>\(escape(s.title))</title><link href="\(base)/\(s.id)"/>
                <published>\(iso(s.published))</published><updated>\(iso(s.published))</updated>
                <author><name>المحرر</name></author><summary type="html">\(escape(s.body))</summary></entry>

                """
        }
        return xml + "</feed>\n"
    }

    public static func jsonFeed(_ stories: [Story], title: String, base: String) -> String {
        let items: [[String: Any]] = stories.map {
            ["id": $0.id, "url": "\(base)/\($0.id)", "title": $0.title, "content_html": $0.body, "date_published": iso($0.published)]
        }
        let object: [String: Any] = ["version": "https://jsonfeed.org/version/1.1", "title": title, "home_page_url": base, "language": "zh", "items": items]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    public static func iso(_ t: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }

    public static func rfc822(_ t: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }
}
