import FeedParse
import FoundationEssentials
import NarrativeCore

/// The example configuration's narratives (English, Arabic, Chinese terms), read once: the
/// fuzzer runs from the repository's top level (`scripts/fuzz feed`).
let matcher: NarrativeMatcher = {
    guard let data = try? Data(contentsOf: URL(fileURLWithPath: "Config/narrative-watch.toml")),
          let configuration = try? Configuration.parse(String(decoding: data, as: UTF8.self), file: "narrative-watch.toml") else {
        fatalError("Config/narrative-watch.toml is missing or invalid; run from the repository's top level")
    }
    return NarrativeMatcher(narratives: configuration.narratives)
}()

/// libFuzzer's entry: one input, parsed the way the daemon parses a fetched feed (with the
/// feed's URL as the base for relative links), then each item's text made plain, matched
/// against the narratives and given its story identity, as the ingester does. A crash, a memory
/// error found by the address sanitizer, an input that takes longer than libFuzzer's timeout or
/// more memory than its limit is a finding; a feed refused with an error is not.
@_cdecl("LLVMFuzzerTestOneInput")
public func parseOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = count == 0 ? [] : Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let feed = try? FeedParser.parse(bytes, baseURL: "https://news.example.org/feeds/all.xml") else { return 0 }
    for item in feed.items {
        // A present value is never empty: the ingester relies on absent meaning absent.
        if item.link?.isEmpty == true || item.id?.isEmpty == true {
            fatalError("an item came back with an empty link or id: \(item)")
        }
        let text = [item.title, item.summary.map(HTMLText.plainText), item.content.map(HTMLText.plainText)]
        _ = matcher.analyze(text.compactMap { $0 }.joined(separator: "\n"))
        _ = StoryIdentity(guid: item.id, link: item.link, title: item.title)
    }
    return 0
}
