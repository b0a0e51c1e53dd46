import Foundation
import Testing
import TestSupport

/// The folding table the matcher carries is what Foundation's NFKC and case/diacritic/width
/// folding say today: the generator, run again, writes the same file.
struct ScalarFoldingDataTests {
    @Test func checkedInTableIsWhatTheGeneratorWrites() throws {
        let root = Binary.packageRoot
        let generated = try ChildProcess.run("/usr/bin/env", ["swift", root + "/scripts/gen-scalar-folding.swift"])
        try #require(generated.status == 0, "the generator failed: \(generated.stderr)")
        let checkedIn = try String(contentsOfFile: root + "/Sources/NarrativeCore/Matching/ScalarFoldingData.swift", encoding: .utf8)
        #expect(generated.stdout == checkedIn, "run scripts/gen-scalar-folding.swift again and commit its output")
    }
}
