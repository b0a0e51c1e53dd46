@testable import Pipeline
import Testing

/// The queue between the parse workers and the store: nothing lost, nothing twice, and a
/// store that falls behind takes what waits in one round.
struct RoundsTests {
    @Test func everyElementArrivesOnceAndASlowConsumerTakesThemInRounds() async throws {
        let rounds = Rounds<Int>()
        var received: [Int] = []
        var largestRound = 0
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskGroup(of: Void.self) { producers in
                    for p in 0..<4 {
                        producers.addTask {
                            for i in 0..<500 {
                                rounds.append(p * 1000 + i)
                                if i % 50 == 0 { await Task.yield() }
                            }
                        }
                    }
                }
                rounds.finish()
            }
            while let round = await rounds.next() {
                received += round
                largestRound = max(largestRound, round.count)
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
        let sent: [Int] = (0..<4).flatMap { p in (0..<500).map { i in p * 1000 + i } }
        #expect(received.sorted() == sent)
        #expect(largestRound > 1)
        #expect(await rounds.next() == nil)
    }

    @Test func aConsumerWaitingBeforeAnythingComesIsWoken() async {
        let rounds = Rounds<String>()
        async let first = rounds.next()
        try? await Task.sleep(for: .milliseconds(50))
        rounds.append("feed")
        #expect(await first == ["feed"])
        rounds.finish()
        #expect(await rounds.next() == nil)
    }
}
