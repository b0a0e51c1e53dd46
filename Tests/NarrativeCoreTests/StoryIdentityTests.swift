import NarrativeCore
import Testing

struct StoryIdentityTests {
    @Test(arguments: [
        ("https://www.coindesk.com/markets/2026/11/28/ai-tokens/?utm_source=rss&utm_medium=feed", "coindesk.com/markets/2026/11/28/ai-tokens"),
        ("http://coindesk.com/markets/2026/11/28/ai-tokens#comments", "coindesk.com/markets/2026/11/28/ai-tokens"),
        ("https://CoinDesk.com:443/markets/2026/11/28/ai-tokens?fbclid=x&id=7&b=2", "coindesk.com/markets/2026/11/28/ai-tokens?b=2&id=7"),
        ("https://example.test/", "example.test"),
        ("ftp://example.test/x", nil),
        ("not a link", nil),
    ])
    func canonicalLinksDropTrackingAndCosmetics(link: String, canonical: String?) {
        #expect(StoryIdentity.canonicalLink(link) == canonical)
    }

    @Test func onlyGuidsThatNameAStoryEverywhereAreGlobal() {
        #expect(StoryIdentity(guid: "1234", link: nil, title: nil).guid == nil)
        #expect(StoryIdentity(guid: "tag:news.test,2026:1", link: nil, title: nil).guid == "tag:news.test,2026:1")
        #expect(StoryIdentity(guid: "https://news.test/a?utm_source=x", link: nil, title: nil).guid == "news.test/a")
    }

    @Test func shortTitlesDoNotIdentifyAStory() {
        #expect(StoryIdentity(guid: nil, link: nil, title: "Daily update").titleKey == nil)
        #expect(StoryIdentity(guid: nil, link: nil, title: "AI Tokens Rally as Agents Trade On-Chain!").titleKey == "ai tokens rally as agents trade on chain")
    }
}
