/// An Aho–Corasick automaton over bytes, compiled to a full transition table so the scan
/// is one table lookup per byte whatever the number of patterns.
struct Automaton: Sendable {
    /// `delta[state << 8 | byte]` is the next state.
    private let delta: [Int32]
    /// Patterns ending in each state, through failure links: `outputs[outputStart[s] ..< outputStart[s + 1]]`.
    private let outputStart: [Int32]
    private let outputs: [Int32]

    init(_ patterns: [[UInt8]]) {
        var children: [[UInt8: Int32]] = [[:]]
        var own: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            var state: Int32 = 0
            for byte in pattern {
                if let next = children[Int(state)][byte] {
                    state = next
                } else {
                    children.append([:])
                    own.append([])
                    let next = Int32(children.count - 1)
                    children[Int(state)][byte] = next
                    state = next
                }
            }
            own[Int(state)].append(Int32(index))
        }
        let count = children.count
        var delta = [Int32](repeating: 0, count: count << 8)
        var fail = [Int32](repeating: 0, count: count)
        var merged = own
        var queue: [Int32] = []
        for (byte, child) in children[0] {
            delta[Int(byte)] = child
            queue.append(child)
        }
        var head = 0
        while head < queue.count {
            let state = Int(queue[head])
            head += 1
            merged[state] += merged[Int(fail[state])]
            for b in 0..<256 {
                if let child = children[state][UInt8(b)] {
                    fail[Int(child)] = delta[Int(fail[state]) << 8 | b]
                    delta[state << 8 | b] = child
                    queue.append(child)
                } else {
                    delta[state << 8 | b] = delta[Int(fail[state]) << 8 | b]
                }
            }
        }
        var start: [Int32] = [0]
        var flat: [Int32] = []
        for state in 0..<count {
            flat += merged[state]
            start.append(Int32(flat.count))
        }
        self.delta = delta
        outputStart = start
        outputs = flat
    }

    /// Calls `found(pattern, end)` for every occurrence of every pattern, `end` exclusive.
    @inline(__always)
    func scan(_ text: UnsafeBufferPointer<UInt8>, _ found: (Int, Int) -> Void) {
        delta.withUnsafeBufferPointer { delta in
            outputStart.withUnsafeBufferPointer { starts in
                var state = 0
                for i in 0..<text.count {
                    state = Int(delta[state << 8 | Int(text[i])])
                    let from = Int(starts[state]), to = Int(starts[state + 1])
                    if from != to {
                        for k in from..<to { found(Int(outputs[k]), i + 1) }
                    }
                }
            }
        }
    }
}
