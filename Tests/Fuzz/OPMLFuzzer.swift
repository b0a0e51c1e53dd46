import FeedParse

/// libFuzzer's entry for `import-opml`: one input read as an OPML subscription list (`scripts/fuzz opml`).
@_cdecl("LLVMFuzzerTestOneInput")
public func readOneOPML(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = count == 0 ? [] : Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let subscriptions = try? OPMLReader.subscriptions(bytes) else { return 0 }
    for subscription in subscriptions where subscription.url.isEmpty {
        fatalError("a subscription came back without a URL: \(subscription)")
    }
    return 0
}
