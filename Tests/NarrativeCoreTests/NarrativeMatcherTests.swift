import NarrativeCore
import Testing

struct NarrativeMatcherTests {
    static let ai = Configuration.Narrative(id: "ai", terms: ["AI", "artificial intelligence", "AI agents", "الذكاء الاصطناعي", "人工智能", "AI代币"],
                                            exclude: ["EU AI Act", "Adobe Illustrator"])
    static let revolution = Configuration.Narrative(id: "revolution", kind: .hype, terms: ["revolution", "game-changer", "ثورة", "革命"])
    static let matcher = NarrativeMatcher(narratives: [ai, revolution])

    func ai(_ text: String) -> Int { Self.matcher.mentions(in: text)["ai", default: 0] }
    func revolution(_ text: String) -> Int { Self.matcher.mentions(in: text)["revolution", default: 0] }

    @Test(arguments: ["Analysts said so", "Air traffic rises", "Thailand approves exchange", "The AIR token", "Maid Marian", "OpenAI ships", "AIs"])
    func latinTermsMatchWholeWordsOnly(text: String) {
        #expect(ai(text) == 0)
    }

    @Test(arguments: [("AI tokens rally", 1), ("ai tokens", 1), ("The (AI) trade", 1), ("AI, AI and more AI.", 3),
                      ("Artificial Intelligence is here", 1), ("ＡＩ rally", 1), ("OpenAI's AI-driven bots", 1)])
    func latinTermsMatchCaseInsensitivelyAndCountHits(text: String, hits: Int) {
        #expect(ai(text) == hits)
    }

    @Test func longestTermWinsAtOnePosition() {
        #expect(ai("AI agents trade memecoins") == 1)
    }

    @Test func excludedPhrasesCancelTheHitsInsideThem() {
        #expect(ai("The EU AI Act passes") == 0)
        #expect(ai("The EU AI Act passes; AI tokens fall") == 1)
        #expect(ai("Adobe Illustrator update") == 0)
    }

    @Test(arguments: ["بالذكاء الاصطناعي", "وبالذكاء الاصطناعي", "الذكاء الاصطناعي", "للذكاء الاصطناعي", "والذكاء الاصطناعي", "ذكاء اصطناعي"])
    func arabicTermsMatchWithAttachedPrefixes(text: String) {
        #expect(ai("مشاريع \(text) تجذب المستثمرين") == 1)
    }

    @Test(arguments: ["الثورة", "ثورة", "وثورة", "بالثورة", "الثوره", "ثَورة"])
    func arabicNormalizationAndArticle(text: String) {
        #expect(revolution("هذه \(text) جديدة") == 1)
    }

    @Test func arabicWordsDoNotMatchInsideOtherWords() {
        #expect(revolution("ثورات") == 0)
        #expect(ai("الذكاءات") == 0)
    }

    @Test func chineseTermsMatchAsSubstrings() {
        #expect(ai("人工智能代币今日大涨") == 1)
        #expect(ai("关于人工智能和人工智能芯片") == 2)
        #expect(revolution("革命性的产品") == 1)
        #expect(ai("智能合约") == 0)
    }

    @Test func latinTermNextToChineseCountsAsAWord() {
        #expect(ai("AI代币今日大涨") == 1)
        #expect(ai("新的AI叙事") == 1)
    }

    @Test func hyphenAndSpaceVariantsMatch() {
        #expect(revolution("a game changer for DeFi") == 1)
        #expect(revolution("a game-changer for DeFi") == 1)
    }

    @Test func narrativesCountIndependently() {
        let m = Self.matcher.mentions(in: "The AI revolution: 人工智能革命")
        #expect(m == ["ai": 2, "revolution": 2])
    }

    @Test func textWithoutTermsHasNoMentions() {
        #expect(Self.matcher.mentions(in: "").isEmpty)
        #expect(Self.matcher.mentions(in: "Bitcoin rallies").isEmpty)
    }

    @Test func termsWithoutLettersAreNotMatchable() {
        #expect(!NarrativeMatcher.isMatchable("  -- "))
        #expect(NarrativeMatcher.isMatchable("人工智能"))
    }
}

struct HTMLTextTests {
    @Test func tagsScriptsAndAttributesAreNotText() {
        let html = #"<p>AI <b>rally</b></p><script>var AI = 1;</script><style>.ai{}</style><img alt="AI"><!-- AI -->end"#
        #expect(HTMLText.plainText(html) == "AI rally end")
    }

    @Test func entitiesAreDecoded() {
        #expect(HTMLText.plainText("Caf&eacute; &amp; AT&amp;T &#8217;s &#x4E2D; &nbsp;x &bogus;") == "Café & AT&T ’s 中 x &bogus;")
    }

    @Test func whitespaceCollapses() {
        #expect(HTMLText.plainText("  a\n\n  b\t<br/>c  ") == "a b c")
    }
}
