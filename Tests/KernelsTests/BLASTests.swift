import Kernels
import XCTest

/// BLAS.gemm (row-major cblas_sgemm) against a Double triple loop, for every transpose combination,
/// alpha and beta, and leading dimensions wider than the matrices (sub-matrices, as attention uses
/// for one head's columns). Error measure: |C − C_ref| ≤ (k + 2)·2⁻²⁴·Σ|terms| per entry, the
/// worst-case bound of a k-term float dot product plus the alpha and beta roundings, so any
/// misplaced, dropped or transposed operand fails while every summation order passes.
final class BLASTests: XCTestCase {
    func testGemmAllTransposesAlphaBetaAndLeadingDimensions() {
        var g = SeededGenerator(seed: 601)
        let m = 5, n = 7, k = 6, pad = 3
        for transA in [false, true] {
            for transB in [false, true] {
                for (alpha, beta) in [(Float(1), Float(0)), (Float(0.5), Float(1)), (Float(-1.5), Float(0.25))] {
                    // op(A) is m×k: A is stored m×k, or k×m when transposed; likewise B.
                    let aRows = transA ? k : m, aCols = transA ? m : k
                    let bRows = transB ? n : k, bCols = transB ? k : n
                    let lda = aCols + pad, ldb = bCols + pad, ldc = n + pad
                    let a = randomNormals(aRows * lda, &g), b = randomNormals(bRows * ldb, &g)
                    let c0 = randomNormals(m * ldc, &g)
                    var c = c0
                    BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                              a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &c, ldc: ldc)
                    let label = "gemm transA \(transA) transB \(transB) alpha \(alpha) beta \(beta)"
                    for i in 0..<m {
                        for j in 0..<n {
                            var dot = 0.0, magnitude = 0.0
                            for p in 0..<k {
                                let aValue = Double(transA ? a[p * lda + i] : a[i * lda + p])
                                let bValue = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                                dot += aValue * bValue
                                magnitude += abs(aValue * bValue)
                            }
                            let old = Double(c0[i * ldc + j])
                            let reference = Double(alpha) * dot + Double(beta) * old
                            let bound = Double(k + 2) * 0x1.0p-24 * (abs(Double(alpha)) * magnitude + abs(Double(beta) * old)) + 1e-30
                            XCTAssertLessThanOrEqual(abs(Double(c[i * ldc + j]) - reference), bound, "\(label): C[\(i), \(j)]")
                        }
                        // The padding columns of C (between n and ldc) are never written.
                        for j in n..<ldc {
                            XCTAssertEqual(c[i * ldc + j], c0[i * ldc + j], "\(label): padding column \(j) of row \(i) changed")
                        }
                    }
                }
            }
        }
    }

    /// beta = 0 must overwrite C, ignoring what it held (also NaN), as BLAS specifies.
    func testBetaZeroIgnoresNaNInC() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: .nan, count: 4)
        BLAS.gemm(transA: false, transB: false, m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
        XCTAssertEqual(c, [19, 22, 43, 50])
    }

    /// With profiling on, each call adds 2·m·n·k FLOPs and some time; off, the counters stay still.
    func testProfilingCounters() {
        let saved = (BLAS.profiling, BLAS.gemmFlops, BLAS.gemmNanoseconds)
        defer { (BLAS.profiling, BLAS.gemmFlops, BLAS.gemmNanoseconds) = saved }
        let a = [Float](repeating: 1, count: 3 * 4), b = [Float](repeating: 1, count: 4 * 5)
        var c = [Float](repeating: 0, count: 3 * 5)
        BLAS.profiling = true
        BLAS.gemmFlops = 0
        BLAS.gemm(transA: false, transB: false, m: 3, n: 5, k: 4, a: a, lda: 4, b: b, ldb: 5, beta: 0, c: &c, ldc: 5)
        XCTAssertEqual(BLAS.gemmFlops, 2 * 3 * 5 * 4)
        XCTAssertEqual(c, [Float](repeating: 4, count: 15))
        BLAS.profiling = false
        BLAS.gemm(transA: false, transB: false, m: 3, n: 5, k: 4, a: a, lda: 4, b: b, ldb: 5, beta: 0, c: &c, ldc: 5)
        XCTAssertEqual(BLAS.gemmFlops, 2 * 3 * 5 * 4, "no counting with profiling off")
        XCTAssertGreaterThanOrEqual(BLAS.threads, 1)
        XCTAssertFalse(BLAS.coreName.isEmpty)
    }
}
