import Kernels
import XCTest

/// Finite-difference checks of Linear, LayerNorm, GELU and Tanh (error measure and tolerance:
/// GradientCheckSupport.swift — max|analytic − numeric| ≤ 2e-3 · max|analytic|).
final class DenseGradientTests: XCTestCase {
    // MARK: Linear

    func testLinearGradientsMatchFiniteDifferences() {
        var g = SeededGenerator(seed: 101)
        let n = 3, inF = 5, outF = 4
        let x = randomNormals(n * inF, &g), w = randomNormals(outF * inF, &g, scale: 0.5), b = randomNormals(outF, &g)
        let r = randomNormals(n * outF, &g)
        func f(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var y = [Float](repeating: .nan, count: n * outF)
            Linear.forward(x: x, weight: w, bias: b, y: &y, rows: n, inFeatures: inF, outFeatures: outF)
            return projection(y, r)
        }
        // dx is overwritten (NaN before must not leak); dW and db are added to (start from random values).
        var dx = [Float](repeating: .nan, count: n * inF)
        let dw0 = randomNormals(outF * inF, &g), db0 = randomNormals(outF, &g)
        var dw = dw0, db = db0
        Linear.backward(dy: r, x: x, weight: w, dx: &dx, dWeight: &dw, dBias: &db,
                        rows: n, inFeatures: inF, outFeatures: outF)
        let h: Float = 1e-2
        assertGradient(dx, numericGradient(x, step: h) { f($0, w, b) }, "Linear dx")
        assertGradient(zip(dw, dw0).map { $0 - $1 }, numericGradient(w, step: h) { f(x, $0, b) }, "Linear dW (accumulated)")
        assertGradient(zip(db, db0).map { $0 - $1 }, numericGradient(b, step: h) { f(x, w, $0) }, "Linear db (accumulated)")

        // accumulateInput adds dy·W to what dx holds.
        let base = randomNormals(n * inF, &g)
        var dxAcc = base
        Linear.backward(dy: r, x: x, weight: w, dx: &dxAcc, dWeight: nil, dBias: nil,
                        rows: n, inFeatures: inF, outFeatures: outF, accumulateInput: true)
        for i in 0..<dx.count { XCTAssertEqual(dxAcc[i] - base[i], dx[i], accuracy: 1e-5, "accumulateInput, entry \(i)") }
    }

    func testLinearForwardMatchesDoubleReference() {
        var g = SeededGenerator(seed: 102)
        let n = 4, inF = 19, outF = 7
        let x = randomNormals(n * inF, &g), w = randomNormals(outF * inF, &g), b = randomNormals(outF, &g)
        for withBias in [true, false] {
            var y = [Float](repeating: .nan, count: n * outF)
            if withBias {
                Linear.forward(x: x, weight: w, bias: b, y: &y, rows: n, inFeatures: inF, outFeatures: outF)
            } else {
                Linear.forward(x: x, weight: w, bias: nil, y: &y, rows: n, inFeatures: inF, outFeatures: outF)
            }
            var reference = [Double](repeating: 0, count: n * outF)
            for r in 0..<n {
                for o in 0..<outF {
                    var s = withBias ? Double(b[o]) : 0
                    for i in 0..<inF { s += Double(x[r * inF + i]) * Double(w[o * inF + i]) }
                    reference[r * outF + o] = s
                }
            }
            // max |y − y_ref| / max |y_ref|: float GEMM over 19 terms stays well below 1e-6.
            XCTAssertLessThanOrEqual(relativeMaxError(y, reference), 1e-6, "Linear forward, bias \(withBias)")
        }
    }

    // MARK: LayerNorm

    func testLayerNormGradientsMatchFiniteDifferences() {
        var g = SeededGenerator(seed: 103)
        // width 21 also runs the 16-wide SIMD path of the variance; eps as BERT and as PyTorch's default.
        for (width, eps) in [(7, Float(1e-12)), (21, Float(1e-5))] {
            let rows = 3
            let x = randomNormals(rows * width, &g, scale: 2, mean: 0.5)
            let gamma = randomNormals(width, &g, scale: 0.3, mean: 1), beta = randomNormals(width, &g)
            let r = randomNormals(rows * width, &g)
            func run(_ x: [Float], _ gamma: [Float], _ beta: [Float]) -> (y: [Float], mean: [Float], rstd: [Float]) {
                var y = [Float](repeating: .nan, count: rows * width)
                var mean = [Float](repeating: .nan, count: rows), rstd = [Float](repeating: .nan, count: rows)
                LayerNorm.forward(x: x, gamma: gamma, beta: beta, y: &y, mean: &mean, rstd: &rstd,
                                  rows: rows, width: width, eps: eps)
                return (y, mean, rstd)
            }
            func f(_ x: [Float], _ gamma: [Float], _ beta: [Float]) -> Double { projection(run(x, gamma, beta).y, r) }
            let saved = run(x, gamma, beta)
            var dx = [Float](repeating: .nan, count: rows * width)
            let dGamma0 = randomNormals(width, &g), dBeta0 = randomNormals(width, &g)
            var dGamma = dGamma0, dBeta = dBeta0
            LayerNorm.backward(dy: r, x: x, gamma: gamma, mean: saved.mean, rstd: saved.rstd, dx: &dx,
                               dGamma: &dGamma, dBeta: &dBeta, rows: rows, width: width)
            let h: Float = 1e-2
            let label = "LayerNorm width \(width) eps \(eps)"
            assertGradient(dx, numericGradient(x, step: h) { f($0, gamma, beta) }, "\(label) dx")
            assertGradient(zip(dGamma, dGamma0).map { $0 - $1 }, numericGradient(gamma, step: h) { f(x, $0, beta) }, "\(label) dγ (accumulated)")
            assertGradient(zip(dBeta, dBeta0).map { $0 - $1 }, numericGradient(beta, step: h) { f(x, gamma, $0) }, "\(label) dβ (accumulated)")

            // accumulate: dx += …; and dx may alias dy (documented).
            let base = randomNormals(rows * width, &g)
            var dxAcc = base
            LayerNorm.backward(dy: r, x: x, gamma: gamma, mean: saved.mean, rstd: saved.rstd, dx: &dxAcc,
                               dGamma: nil, dBeta: nil, rows: rows, width: width, accumulate: true)
            var aliased = r
            aliased.withUnsafeMutableBufferPointer { p in
                LayerNorm.backward(dy: p.baseAddress!, x: x, gamma: gamma, mean: saved.mean, rstd: saved.rstd,
                                   dx: p.baseAddress!, dGamma: nil, dBeta: nil, rows: rows, width: width)
            }
            for i in 0..<dx.count {
                XCTAssertEqual(dxAcc[i] - base[i], dx[i], accuracy: 1e-5, "\(label): accumulate, entry \(i)")
                XCTAssertEqual(aliased[i], dx[i], "\(label): dx aliasing dy, entry \(i)")
            }
        }
    }

    func testLayerNormForwardMatchesDoubleReference() {
        var g = SeededGenerator(seed: 104)
        let rows = 2, width = 37
        let x = randomNormals(rows * width, &g, scale: 3, mean: 10)   // offset mean: the variance must be two-pass
        let gamma = randomNormals(width, &g, mean: 1), beta = randomNormals(width, &g)
        var y = [Float](repeating: 0, count: rows * width), mean = [Float](repeating: 0, count: rows), rstd = mean
        LayerNorm.forward(x: x, gamma: gamma, beta: beta, y: &y, mean: &mean, rstd: &rstd, rows: rows, width: width, eps: 1e-12)
        var reference = [Double](repeating: 0, count: rows * width)
        for r in 0..<rows {
            let row = x[(r * width)..<((r + 1) * width)].map(Double.init)
            let mu = row.reduce(0, +) / Double(width)
            let variance = row.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(width)
            for c in 0..<width {
                reference[r * width + c] = (row[c] - mu) / (variance + 1e-12).squareRoot() * Double(gamma[c]) + Double(beta[c])
            }
        }
        // max |y − y_ref| / max |y_ref|; inputs around 10 ± 3 lose ~2 bits in x − mean.
        XCTAssertLessThanOrEqual(relativeMaxError(y, reference), 2e-6, "LayerNorm forward")
    }

    // MARK: GELU and Tanh

    func testGELUGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 105)
        let x = randomUniforms(40, &g, -5, 5) + [0, -0.5, 0.5, -7, 7]
        let r = randomNormals(x.count, &g)
        func f(_ x: [Float]) -> Double {
            var y = [Float](repeating: .nan, count: x.count)
            GELU.forward(x: x, y: &y, count: x.count)
            return projection(y, r)
        }
        var dx = [Float](repeating: .nan, count: x.count)
        GELU.backward(dy: r, x: x, dx: &dx, count: x.count)
        assertGradient(dx, numericGradient(x, step: 1e-2, f), "GELU dx")
        // In place (dx aliasing dy, documented).
        var aliased = r
        aliased.withUnsafeMutableBufferPointer { GELU.backward(dy: $0.baseAddress!, x: x, dx: $0.baseAddress!, count: x.count) }
        XCTAssertEqual(aliased, dx, "GELU backward in place")
    }

    func testTanhGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 106)
        let x = randomUniforms(40, &g, -4, 4) + [0, 1e-3, -1e-3, 9, -9]
        let r = randomNormals(x.count, &g)
        func output(_ x: [Float]) -> [Float] {
            var y = [Float](repeating: .nan, count: x.count)
            Tanh.forward(x: x, y: &y, count: x.count)
            return y
        }
        let y = output(x)
        var dx = [Float](repeating: .nan, count: x.count)
        Tanh.backward(dy: r, y: y, dx: &dx, count: x.count)
        assertGradient(dx, numericGradient(x, step: 1e-2) { projection(output($0), r) }, "Tanh dx")
        var aliased = r
        aliased.withUnsafeMutableBufferPointer { Tanh.backward(dy: $0.baseAddress!, y: y, dx: $0.baseAddress!, count: x.count) }
        XCTAssertEqual(aliased, dx, "Tanh backward in place")
    }
}
