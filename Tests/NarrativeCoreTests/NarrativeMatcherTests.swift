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
        // Hits and exclusions interleaved, one exclusion inside another's reach.
        #expect(ai("EU AI Act, AI, EU AI Act EU AI Act AI; EU AI Act") == 2)
    }

    /// A hostile text of nothing but hits is counted up to a bound, so its memory stays small.
    @Test func hitsOfOneTextAreBounded() {
        #expect(ai(String(repeating: "AI ", count: NarrativeMatcher.mostHits + 10)) == NarrativeMatcher.mostHits)
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

    /// Inline elements and comments sit inside a word; blocks, line breaks and images part words.
    @Test func inlineTagsDoNotSplitWords() {
        #expect(HTMLText.plainText("<em>Eth</em>ereum's 10<sup>th</sup> upgrade: <span>$</span>100K") == "Ethereum's 10th upgrade: $100K")
        #expect(HTMLText.plainText("Bit<!-- -->coin<br>rallies<p>again</p><img src=x>today") == "Bitcoin rallies again today")
    }

    @Test func whitespaceCollapses() {
        #expect(HTMLText.plainText("  a\n\n  b\t<br/>c  ") == "a b c")
    }
}

/// One row per rule, in all three scripts.
struct MatchingRuleTests {
    static let matcher = NarrativeMatcher(narratives: [
        .init(id: "ai", terms: [.init("AI"), .init("artificial intelligence"), .init("large-language model"), .init("الذكاء الاصطناعي"),
                                .init("人工智能"), .init("AI代币"), .init("人工知能")],
              exclude: ["EU AI Act", "Adobe Illustrator"]),
        .init(id: "sol", terms: [.init("SOL", matchCase: true), .init("$SOL"), .init("#Solana"), .init("سولانا"), .init("索拉纳")]),
        .init(id: "revolution", kind: .hype, terms: ["revolution", "game-changer", "paradigm shift", "ثورة", "革命"]),
        .init(id: "defi", terms: ["DeFi", "café crypto", "التمويل اللامركزي"]),
    ])

    static func count(_ narrative: String, _ text: String) -> Int { matcher.mentions(in: text)[narrative, default: 0] }

    @Test(arguments: [
        // Latin whole words, case-insensitive
        ("ai", "AI tokens", 1), ("ai", "ai tokens", 1), ("ai", "Ai tokens", 1), ("ai", "said", 0), ("ai", "Thailand", 0),
        ("ai", "Air drops", 0), ("ai", "a fair price", 0), ("ai", "AIDS research", 0), ("ai", "AI-driven", 1), ("ai", "(AI)", 1),
        ("ai", "OpenAI", 0), ("ai", "AI's rise", 1), ("ai", "ＡＩ rally", 1),
        // phrases, white space and hyphen variants
        ("ai", "Artificial   Intelligence", 1), ("ai", "artificial-intelligence", 1), ("ai", "large language model", 1),
        ("ai", "large-language model", 1), ("ai", "Large-Language-Model", 1), ("ai", "large language models", 0),
        ("revolution", "a game changer", 1), ("revolution", "a game-changer", 1), ("revolution", "paradigm-shift", 1),
        // diacritics fold both ways
        ("defi", "Café Crypto opens", 1), ("defi", "cafe crypto opens", 1), ("defi", "DéFi", 1),
        // exclusions
        ("ai", "EU AI Act", 0), ("ai", "the eu ai act and AI", 1), ("ai", "Adobe Illustrator", 0),
        // case-sensitive acronym, cashtags, hashtags
        ("sol", "SOL rallies", 1), ("sol", "sol y sombra", 0), ("sol", "Sol rallies", 0), ("sol", "buy $SOL now", 1),
        ("sol", "buy $sol now", 1), ("sol", "#Solana trends", 1), ("sol", "Solana trends", 0), ("sol", "#solana", 1),
        // Arabic: normalization and attached prefixes
        ("ai", "الذكاء الاصطناعي", 1), ("ai", "بالذكاء الاصطناعي", 1), ("ai", "وبالذكاء الاصطناعي", 1), ("ai", "للذكاء الاصطناعي", 1),
        ("ai", "فالذكاء الاصطناعي", 1), ("ai", "ذكاء اصطناعي", 1), ("ai", "الذّكاء الاصطناعيّ", 1), ("ai", "الذكـــاء الاصطناعي", 1),
        ("ai", "الذكاءات", 0), ("ai", "ذكاء", 0),
        ("revolution", "الثورة", 1), ("revolution", "ثورة", 1), ("revolution", "وثورة", 1), ("revolution", "الثوره", 1),
        ("revolution", "ثَوْرَة", 1), ("revolution", "ثورات", 0), ("revolution", "كثورة", 1),
        ("defi", "التمويل اللامركزي", 1), ("defi", "والتمويل اللامركزي", 1), ("defi", "تمويل لامركزي", 1),
        ("sol", "سولانا", 1), ("sol", "وسولانا", 1), ("sol", "بسولانا", 1),
        // CJK substrings, Latin next to CJK
        ("ai", "人工智能代币大涨", 1), ("ai", "关于人工智能", 1), ("ai", "人工智能和人工智能", 2), ("ai", "智能合约", 0),
        ("ai", "AI代币今日大涨", 1), ("ai", "新的AI叙事", 1), ("ai", "人工知能の進化", 1), ("revolution", "革命性", 1),
        ("sol", "索拉纳生态", 1), ("sol", "SOL代币", 1),
    ])
    func rule(narrative: String, text: String, hits: Int) {
        #expect(Self.count(narrative, text) == hits, "\(narrative) in «\(text)»")
    }

    @Test func analyzeNamesTheTermsThatHit() {
        let matches = Self.matcher.analyze("AI and artificial intelligence, 人工智能 and AI again")
        #expect(matches == [NarrativeMatch(narrative: "ai", mentions: 4, terms: ["AI", "artificial intelligence", "人工智能"])])
    }

    @Test func normalizationIsSharedByTermsAndText() {
        #expect(TextNormalizer.normalize("  ＡＩ—Revolución, الذّكاء!  人工智能AI $SOL #tag ") == "ai revolucion الذكاء 人工智能 ai $ sol # tag")
    }
}

struct TrimmingTests {
    @Test(arguments: [("  a b \n", "a b"), ("", ""), ("   ", ""), ("\u{A0}x\u{3000}", "x"), ("é ", "é"), (" 人工智能\t", "人工智能"), ("\u{A0}", "")])
    func trimsWhiteSpaceAtBothEnds(text: String, trimmed: String) {
        #expect(text.trimmedWhitespace == trimmed)
    }
}
