import FeedParse
import NarrativeCore

/// libFuzzer's entry for dates as feeds write them (`scripts/fuzz date`): any text either has no
/// date or one the parser's own ISO 8601 form of it reads back as the same instant.
@_cdecl("LLVMFuzzerTestOneInput")
public func readOneDate(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = count == 0 ? [] : Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let seconds = FeedDate.parse(String(decoding: bytes, as: UTF8.self)) else { return 0 }
    let written = Timestamp.iso8601(seconds)
    guard FeedDate.parse(written) == seconds else {
        fatalError("\(seconds) was written as \(written), which does not read back")
    }
    return 0
}
