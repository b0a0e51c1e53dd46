import NarrativeCore

/// libFuzzer's entry for the configuration: one input read as narrative-watch.toml. A wrong
/// file must come back as problems with line numbers (exit 78), never as a crash (`scripts/fuzz config`).
@_cdecl("LLVMFuzzerTestOneInput")
public func readOneConfiguration(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    do {
        _ = try Configuration.parse(text, file: "fuzz.toml")
    } catch {
        if error.problems.isEmpty { fatalError("a configuration was refused without saying why") }
    }
    return 0
}
