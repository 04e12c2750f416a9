import Kernels
import XCTest

/// SeededGenerator (SplitMix64 seeding + xoshiro256**) and dropout masks.
final class RandomAndDropoutTests: XCTestCase {
    // MARK: SeededGenerator

    /// Published test values: SplitMix64 from seed 0 gives 0xE220A8397B1DCDAF first, and
    /// xoshiro256** from state (1, 2, 3, 4) gives 11520, 0, 1509978240, 1215971899390074240.
    func testKnownValues() throws {
        let seeded = SeededGenerator(seed: 0)
        XCTAssertEqual(seeded.state[0], 0xE220_A839_7B1D_CDAF, "first SplitMix64 word of seed 0")
        var g = try SeededGenerator(state: [1, 2, 3, 4])
        XCTAssertEqual((0..<4).map { _ in g.next() }, [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    func testSameSeedSameSequenceAndStateRoundTrip() throws {
        var a = SeededGenerator(seed: 2024), b = SeededGenerator(seed: 2024), c = SeededGenerator(seed: 2025)
        let first = (0..<1000).map { _ in a.next() }
        XCTAssertEqual(first, (0..<1000).map { _ in b.next() }, "same seed, same sequence")
        XCTAssertNotEqual(first, (0..<1000).map { _ in c.next() }, "another seed, another sequence")

        // Save mid-stream (after mixed kinds of draws), restore, and continue identically.
        for _ in 0..<37 { _ = a.nextNormal(); _ = a.nextGumbel(); _ = a.nextUniform() }
        let saved = a.state
        var restored = try SeededGenerator(state: saved)
        XCTAssertEqual(restored, a)
        XCTAssertEqual((0..<500).map { _ in restored.next() }, (0..<500).map { _ in a.next() }, "restored generator continues identically")
        XCTAssertEqual(restored.nextNormal(), a.nextNormal())
    }

    func testInvalidStateThrows() {
        for bad: [UInt64] in [[], [1, 2, 3], [1, 2, 3, 4, 5], [0, 0, 0, 0]] {
            XCTAssertThrowsError(try SeededGenerator(state: bad), "state \(bad)") { error in
                guard case KernelError.invalidGeneratorState(let s) = error else {
                    return XCTFail("unexpected error \(error)")
                }
                XCTAssertEqual(s, bad)
                XCTAssertTrue(String(describing: error).contains("4 words"), String(describing: error))
            }
        }
        XCTAssertNoThrow(try SeededGenerator(state: [0, 0, 0, 1]))
    }

    func testUniformRangesAndNormalMoments() {
        var g = SeededGenerator(seed: 9)
        let n = 100_000
        var sum = 0.0, sumSquares = 0.0
        for _ in 0..<n {
            let u = g.nextUniform(), o = g.nextOpenUniform()
            XCTAssertTrue(u >= 0 && u < 1 && o > 0 && o < 1)
            let z = g.nextNormal()
            sum += z; sumSquares += z * z
        }
        // Mean within 4σ (σ = 1/√n), variance within 4σ (σ ≈ √(2/n)).
        XCTAssertEqual(sum / Double(n), 0, accuracy: 4 / Double(n).squareRoot())
        XCTAssertEqual(sumSquares / Double(n), 1, accuracy: 4 * (2 / Double(n)).squareRoot())
    }

    // MARK: Dropout

    func testDropoutMaskFractionValuesAndDeterminism() {
        let count = 100_001   // odd: the last mask entry uses only half of a 64-bit draw
        for p: Float in [0.1, 0.3, 0.5] {
            var g = SeededGenerator(seed: 77)
            var mask = [Float](repeating: -1, count: count + 1)   // one guard entry after the end
            Dropout.sampleMask(&mask, count: count, p: p, generator: &g)
            XCTAssertEqual(mask[count], -1, "p \(p): wrote past the end")
            let keepValue = 1 / (1 - p)
            XCTAssertTrue(mask[0..<count].allSatisfy { $0 == 0 || $0 == keepValue }, "p \(p): values must be exactly 0 or 1/(1 − p)")
            // Kept fraction within 3σ of 1 − p, σ = √(p(1 − p)/n); also for even and odd positions
            // separately (the two halves of each 64-bit word).
            func checkFraction(_ indices: StrideTo<Int>, _ what: String) {
                var kept = 0, total = 0
                for i in indices { total += 1; if mask[i] != 0 { kept += 1 } }
                let sigma = (Double(p) * (1 - Double(p)) / Double(total)).squareRoot()
                XCTAssertEqual(Double(kept) / Double(total), 1 - Double(p), accuracy: 3 * sigma, "p \(p): kept fraction (\(what))")
            }
            checkFraction(stride(from: 0, to: count, by: 1), "all")
            checkFraction(stride(from: 0, to: count, by: 2), "even positions")
            checkFraction(stride(from: 1, to: count, by: 2), "odd positions")

            var again = SeededGenerator(seed: 77)
            var mask2 = [Float](repeating: -1, count: count + 1)
            Dropout.sampleMask(&mask2, count: count, p: p, generator: &again)
            XCTAssertEqual(mask, mask2, "p \(p): same seed, same mask")
            XCTAssertEqual(g, again, "p \(p): same number of draws")
            var other = SeededGenerator(seed: 78)
            Dropout.sampleMask(&mask2, count: count, p: p, generator: &other)
            XCTAssertNotEqual(mask, mask2, "p \(p): another seed, another mask")
        }
        var g = SeededGenerator(seed: 1)
        var none = [Float](repeating: -1, count: 1000)
        Dropout.sampleMask(&none, count: 1000, p: 0, generator: &g)
        XCTAssertTrue(none.allSatisfy { $0 == 1 }, "p = 0 keeps everything unscaled")

        var x: [Float] = [1, 2, 3, 4]
        Dropout.apply(&x, mask: [0, 2, 2, 0], count: 4)
        XCTAssertEqual(x, [0, 4, 6, 0])
    }
}
