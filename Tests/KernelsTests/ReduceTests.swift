import Kernels
import XCTest

/// Reduce.dot / sum / sumOfSquares / addColumnSums against Double references.
/// Error measure: |result − ref| ≤ (n + 2)·2⁻²⁴·Σ|terms|, the classical worst-case bound of float
/// summation of n rounded terms (any summation order), so a dropped or doubled term fails.
final class ReduceTests: XCTestCase {
    let unit = 0x1.0p-24

    func testDotAndSumOnLengths0Through70() {
        var g = SeededGenerator(seed: 501)
        for n in 0...70 {
            // One extra leading element so the kernels read from an unaligned address.
            let x = randomNormals(n + 1, &g), y = randomNormals(n + 1, &g)
            x.withUnsafeBufferPointer { xb in
                y.withUnsafeBufferPointer { yb in
                    let xp = xb.baseAddress! + 1, yp = yb.baseAddress! + 1
                    var dotReference = 0.0, dotMagnitude = 0.0, sumReference = 0.0, sumMagnitude = 0.0
                    for i in 0..<n {
                        dotReference += Double(xp[i]) * Double(yp[i]); dotMagnitude += abs(Double(xp[i]) * Double(yp[i]))
                        sumReference += Double(xp[i]); sumMagnitude += abs(Double(xp[i]))
                    }
                    let dot = Reduce.dot(xp, yp, count: n), sum = Reduce.sum(xp, count: n)
                    XCTAssertLessThanOrEqual(abs(Double(dot) - dotReference), Double(n + 2) * unit * dotMagnitude, "dot, n = \(n)")
                    XCTAssertLessThanOrEqual(abs(Double(sum) - sumReference), Double(n + 2) * unit * sumMagnitude, "sum, n = \(n)")
                    if n == 0 { XCTAssertEqual(dot, 0); XCTAssertEqual(sum, 0) }
                }
            }
        }
        // Exact small-integer cases: every partial sum is representable, so the result is exact.
        for n in 0...70 {
            let ones = [Float](repeating: 1, count: n), ramp = (0..<n).map(Float.init)
            XCTAssertEqual(Reduce.sum(ramp, count: n), Float(n * (n - 1) / 2), "sum of 0..<\(n)")
            XCTAssertEqual(Reduce.dot(ones, ramp, count: n), Float(n * (n - 1) / 2), "dot with ones, n = \(n)")
        }
    }

    func testSumOfSquaresAcrossChunks() {
        var g = SeededGenerator(seed: 502)
        for n in [0, 5, 4096, 10_001] {
            let x = randomNormals(n, &g)
            let reference = x.reduce(0.0) { $0 + Double($1) * Double($1) }
            // Float within chunks of 4096 (Double across): relative bound of a 4096-term float sum.
            XCTAssertEqual(Reduce.sumOfSquares(x, count: n), reference, accuracy: Double(4098) * unit * reference, "n = \(n)")
        }
    }

    func testAddColumnSums() {
        var g = SeededGenerator(seed: 503)
        let rows = 5, columns = 3
        let m = randomNormals(rows * columns, &g)
        var out: [Float] = [1, 2, 3]
        Reduce.addColumnSums(m, rows: rows, columns: columns, into: &out)
        for c in 0..<columns {
            let reference = Double(c + 1) + (0..<rows).map { Double(m[$0 * columns + c]) }.reduce(0, +)
            XCTAssertEqual(Double(out[c]), reference, accuracy: 1e-5)
        }
    }
}
