import Glibc

/// glibc's malloc knobs, looked up at run time: `malloc.h` is not in Swift's Glibc module.
public enum Heap {
    private typealias Trim = @convention(c) (Int) -> Int32
    private typealias Option = @convention(c) (Int32, Int32) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: type) }
    }
    private static let trim = symbol("malloc_trim", as: Trim.self)
    private static let option = symbol("mallopt", as: Option.self)

    /// Gives the memory freed by a poll cycle back to the system, from every arena.
    static func releaseFreed() { _ = trim?(0) }

    /// Caps the number of malloc arenas. glibc gives every thread that finds an arena busy one
    /// of its own (up to 8 per core), and each keeps the memory it once held; the daemon's few
    /// threads take turns, so two arenas serve them (`M_ARENA_MAX`). Call before threads start.
    public static func limitArenas(to count: Int32) {
        let arenaMax: Int32 = -8 // M_ARENA_MAX
        _ = option?(arenaMax, count)
    }

    /// Serves blocks of `bytes` and more straight from mmap, returned whole when freed
    /// (`M_MMAP_THRESHOLD`). glibc otherwise raises that threshold to the largest such block
    /// freed (up to 32 MB), after which feed bodies and parse buffers are carved from the arenas
    /// and leave them fragmented between cycles.
    public static func mapBlocks(from bytes: Int32) {
        let mmapThreshold: Int32 = -3 // M_MMAP_THRESHOLD
        _ = option?(mmapThreshold, bytes)
    }
}
