import FoundationEssentials
import Glibc
import Synchronization

/// A time zone read from the system's tz database (`/usr/share/zoneinfo`, or `$TZDIR`), for
/// the dates that name their zone (`Thu, 25 Feb 2016 00:00:00 Europe/Brussels`).
/// FoundationEssentials knows only fixed offsets, and the full Foundation would load ICU into
/// the daemon for this one rare case; a TZif file is a list of transitions and offsets.
struct ZoneInfo: Sendable {
    /// Transition instants (seconds since 1970, ascending) and the UTC offset from each one on.
    let transitions: [Int64]
    let offsets: [Int32]
    /// The offset before the first transition.
    let initialOffset: Int32

    /// The zone's offset from UTC at `instant` (seconds since 1970). Past the last transition
    /// in the file (2037 in Debian's data) the last offset holds.
    func offset(at instant: Int64) -> Int {
        var low = 0, high = transitions.count
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= instant { low = mid + 1 } else { high = mid }
        }
        return Int(low == 0 ? initialOffset : offsets[low - 1])
    }

    /// Zones read so far. Only zones that exist are kept, so the cache is bounded by the tz
    /// database, whatever names hostile feeds make up.
    private static let cache = Mutex<[String: ZoneInfo]>([:])

    /// The zone called `name` (`Europe/Brussels`), or nil when there is no such zone.
    static func named(_ name: String) -> ZoneInfo? {
        // A zone name is a path inside the database, never outside it.
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("/"), !name.contains(".."),
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_+-".contains($0)) }) else { return nil }
        if let known = cache.withLock({ $0[name] }) { return known }
        let directory = ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"
        guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)), bytes.count <= 1 << 20,
              let zone = parse(Array(bytes)) else { return nil }
        cache.withLock { $0[name] = zone }
        return zone
    }

    /// Reads a TZif file (RFC 8536): the 64-bit block of version 2 and later, else the 32-bit one.
    static func parse(_ bytes: [UInt8]) -> ZoneInfo? {
        func int32(_ at: Int) -> Int32? {
            guard at >= 0, at + 4 <= bytes.count else { return nil }
            return Int32(bitPattern: UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3]))
        }
        func int64(_ at: Int) -> Int64? {
            guard let high = int32(at), let low = int32(at + 4) else { return nil }
            return Int64(high) << 32 | Int64(UInt32(bitPattern: low))
        }
        /// The counts of the block whose header starts at `at`, and where its data starts.
        func header(_ at: Int) -> (isut: Int, isstd: Int, leap: Int, time: Int, type: Int, char: Int, data: Int)? {
            guard at + 44 <= bytes.count, bytes[at..<at + 4].elementsEqual("TZif".utf8) else { return nil }
            var counts: [Int] = []
            for k in 0..<6 {
                guard let n = int32(at + 20 + 4 * k), n >= 0, n < 100_000 else { return nil }
                counts.append(Int(n))
            }
            return (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], at + 44)
        }
        guard var block = header(0), block.type > 0 else { return nil }
        var timeSize = 4
        if bytes[4] >= 0x32 { // version '2' or later: skip the 32-bit block
            let v1Length = block.time * 5 + block.type * 6 + block.char + block.leap * 8 + block.isstd + block.isut
            guard let v2 = header(block.data + v1Length), v2.type > 0 else { return nil }
            block = v2
            timeSize = 8
        }
        let indicesAt = block.data + block.time * timeSize
        let typesAt = indicesAt + block.time
        guard typesAt + block.type * 6 <= bytes.count else { return nil }
        var typeOffsets: [Int32] = []
        var typeIsDST: [Bool] = []
        for k in 0..<block.type {
            guard let offset = int32(typesAt + 6 * k) else { return nil }
            typeOffsets.append(offset)
            typeIsDST.append(bytes[typesAt + 6 * k + 4] != 0)
        }
        var transitions: [Int64] = []
        var offsets: [Int32] = []
        for k in 0..<block.time {
            let at = block.data + k * timeSize
            guard let instant = timeSize == 8 ? int64(at) : int32(at).map(Int64.init) else { return nil }
            let type = Int(bytes[indicesAt + k])
            guard type < typeOffsets.count, transitions.last.map({ $0 < instant }) ?? true else { return nil }
            transitions.append(instant)
            offsets.append(typeOffsets[type])
        }
        // Before the first transition: the first standard-time type (RFC 8536, 3.2).
        let initial = typeIsDST.firstIndex(of: false).map { typeOffsets[$0] } ?? typeOffsets[0]
        return ZoneInfo(transitions: transitions, offsets: offsets, initialOffset: initial)
    }
}
