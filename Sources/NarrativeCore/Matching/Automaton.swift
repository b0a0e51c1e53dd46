/// An Aho–Corasick automaton over bytes, compiled to a full transition table so the scan
/// is one table lookup per byte whatever the number of patterns. Bytes that occur in no
/// pattern share one column, which keeps the table small enough to stay in cache.
/// Immutable after `init`, its tables live in memory it owns, so the scan loop works on
/// raw pointers held in registers.
final class Automaton: @unchecked Sendable {
    /// Column of each byte value; 0 for bytes that occur in no pattern.
    private let byteClass: UnsafeMutablePointer<UInt8>
    private let columns: Int
    /// `table[state × columns + class]` is the next state, in two bytes when the states allow
    /// (`narrow`), else in four (`wide`). States from `firstOutput` on are where patterns end.
    private let narrow: UnsafeMutablePointer<UInt16>?
    private let wide: UnsafeMutablePointer<UInt32>?
    private let firstOutput: Int
    /// Patterns ending in each state, through failure links: `outputs[outputStart[s] ..< outputStart[s + 1]]`.
    private let outputStart: [Int32]
    private let outputs: [Int32]
    /// 1 for bytes on which the root stays the root: a scan at the root skips them in a
    /// tight loop without walking the table (most of a text, since words start at spaces).
    private let rootStays: UnsafeMutablePointer<UInt8>

    /// Number of states, for benchmarks and tests.
    var stateCount: Int { outputStart.count - 1 }

    init(_ patterns: [[UInt8]]) {
        var classOf = [UInt8](repeating: 0, count: 256)
        var used = Set<UInt8>()
        for pattern in patterns { used.formUnion(pattern) }
        for (k, byte) in used.sorted().enumerated() { classOf[Int(byte)] = UInt8(k + 1) }
        let columns = used.count + 1

        var children: [[UInt8: Int32]] = [[:]]
        var own: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            var state: Int32 = 0
            for byte in pattern {
                let c = classOf[Int(byte)]
                if let next = children[Int(state)][c] {
                    state = next
                } else {
                    children.append([:])
                    own.append([])
                    let next = Int32(children.count - 1)
                    children[Int(state)][c] = next
                    state = next
                }
            }
            own[Int(state)].append(Int32(index))
        }
        let count = children.count
        var delta = [Int32](repeating: 0, count: count * columns)
        var fail = [Int32](repeating: 0, count: count)
        var merged = own
        var queue: [Int32] = []
        for (c, child) in children[0] {
            delta[Int(c)] = child
            queue.append(child)
        }
        var head = 0
        while head < queue.count {
            let state = Int(queue[head])
            head += 1
            merged[state] += merged[Int(fail[state])]
            for c in 0..<columns {
                if let child = children[state][UInt8(c)] {
                    fail[Int(child)] = delta[Int(fail[state]) * columns + c]
                    delta[state * columns + c] = child
                    queue.append(child)
                } else {
                    delta[state * columns + c] = delta[Int(fail[state]) * columns + c]
                }
            }
        }
        // States renumbered: the root first, then states where no pattern ends, then those
        // where one does, so "a pattern ends here" is one comparison with `firstOutput`.
        let quiet = (1..<count).filter { merged[$0].isEmpty }
        let order = [0] + quiet + (1..<count).filter { !merged[$0].isEmpty }
        var number = [Int32](repeating: 0, count: count)
        for (new, old) in order.enumerated() { number[old] = Int32(new) }
        var start: [Int32] = [0]
        var flat: [Int32] = []
        for old in order {
            flat += merged[old]
            start.append(Int32(flat.count))
        }
        firstOutput = 1 + quiet.count
        // Most lexicons have fewer than 65,536 states: two bytes an entry halve the table
        // (3.3 MB to 1.7 MB for 500 terms), and a smaller table misses the cache less.
        func table<Entry: FixedWidthInteger>(of _: Entry.Type) -> UnsafeMutablePointer<Entry> {
            let table = UnsafeMutablePointer<Entry>.allocate(capacity: count * columns)
            for old in 0..<count {
                for c in 0..<columns { table[Int(number[old]) * columns + c] = Entry(number[Int(delta[old * columns + c])]) }
            }
            return table
        }
        let fitsTwoBytes = count <= Int(UInt16.max)
        narrow = fitsTwoBytes ? table(of: UInt16.self) : nil
        wide = fitsTwoBytes ? nil : table(of: UInt32.self)
        let stays = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        let classes = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 {
            stays[b] = delta[Int(classOf[b])] == 0 ? 1 : 0
            classes[b] = classOf[b]
        }
        rootStays = stays
        byteClass = classes
        self.columns = columns
        outputStart = start
        outputs = flat
    }

    deinit {
        narrow?.deallocate()
        wide?.deallocate()
        rootStays.deallocate()
        byteClass.deallocate()
    }

    /// Calls `found(pattern, end)` for every occurrence of every pattern, `end` exclusive.
    @inline(__always)
    func scan(_ text: UnsafeBufferPointer<UInt8>, _ found: (Int, Int) -> Void) {
        if let narrow { scan(text, narrow, found) } else if let wide { scan(text, wide, found) }
    }

    @inline(__always)
    private func scan<Entry: FixedWidthInteger>(_ text: UnsafeBufferPointer<UInt8>, _ delta: UnsafeMutablePointer<Entry>, _ found: (Int, Int) -> Void) {
        guard let base = text.baseAddress else { return }
        let classes = byteClass, stays = rootStays, columns = columns, firstOutput = firstOutput
        let n = text.count
        var state = 0
        var i = 0
        while i < n {
            if state == 0 {
                while i < n, stays[Int(base[i])] != 0 { i &+= 1 }
                if i == n { break }
            }
            state = Int(truncatingIfNeeded: delta[state &* columns &+ Int(classes[Int(base[i])])])
            i &+= 1
            if state < firstOutput { continue }
            for k in Int(outputStart[state])..<Int(outputStart[state + 1]) { found(Int(outputs[k]), i) }
        }
    }
}
