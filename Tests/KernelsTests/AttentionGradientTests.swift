import Foundation
import Kernels
import XCTest

/// Attention forward against a Double reference, and finite-difference checks of dq, dk, dv and
/// (with Transkimmer's keep mask M) dM, with padded keys and with a fixed dropout mask.
/// Error measure and tolerance: GradientCheckSupport.swift (max|analytic − numeric| ≤ 2e-3 · max|analytic|).
final class AttentionGradientTests: XCTestCase {
    /// B = 2, T = 5, A = 2 heads of d = 3; sequence 1 has its last two positions padded.
    let shape = AttentionShape(batch: 2, seqLen: 5, heads: 2, headDim: 3)
    let keyValid: [Float] = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]

    struct Inputs {
        var q: [Float], k: [Float], v: [Float]
        /// Cumulative keep mask M [B, T] (nil: no skimming).
        var keep: [Float]?
        /// Dropout factors [B, A, T, T] (nil: no dropout).
        var dropout: [Float]?
    }

    func makeInputs(seed: UInt64, keep: Bool, dropout: Bool) -> (Inputs, [Float]) {
        var g = SeededGenerator(seed: seed)
        let n = shape.batch * shape.seqLen * shape.width
        let q = randomNormals(n, &g), k = randomNormals(n, &g), v = randomNormals(n, &g)
        var mask: [Float]? = nil
        if keep {
            // Continuous M in (0, 1]: [CLS] 1, one real token fully skimmed (0), padding 0 as in training.
            var m = randomUniforms(shape.batch * shape.seqLen, &g, 0.05, 1)
            m[0] = 1; m[5] = 1
            m[3] = 0
            m[8] = 0; m[9] = 0
            mask = m
        }
        var dropoutMask: [Float]? = nil
        if dropout {
            var d = [Float](repeating: 0, count: shape.probabilityCount)
            Dropout.sampleMask(&d, count: d.count, p: 0.3, generator: &g)
            dropoutMask = d
        }
        let r = randomNormals(n, &g)
        return (Inputs(q: q, k: k, v: v, keep: mask, dropout: dropoutMask), r)
    }

    func forward(_ x: Inputs) -> (context: [Float], weights: [Float]) {
        let T = shape.seqLen
        var weights = [Float](repeating: .nan, count: shape.probabilityCount)
        var context = [Float](repeating: .nan, count: shape.batch * T * shape.width)
        var scratch = [Float](repeating: .nan, count: 2 * T * T)
        withOptionalPointer(x.keep) { keep in
            withOptionalPointer(x.dropout) { dropout in
                Attention.forward(shape: shape, q: x.q, k: x.k, v: x.v, keyValid: keyValid, keyKeep: keep,
                                  weights: &weights, dropoutMask: dropout, context: &context, scratch: &scratch)
            }
        }
        return (context, weights)
    }

    /// Backward with dContext = r: (dq, dk, dv, dM − 0.25) — dM starts at 0.25 to check it is added to.
    func backward(_ x: Inputs, _ r: [Float]) -> (dq: [Float], dk: [Float], dv: [Float], dKeep: [Float]?) {
        let T = shape.seqLen, n = shape.batch * T * shape.width
        let weights = forward(x).weights
        var dq = [Float](repeating: .nan, count: n), dk = dq, dv = dq
        var dKeep = [Float](repeating: 0.25, count: shape.batch * T)
        var scratch = [Float](repeating: .nan, count: 2 * T * T)
        withOptionalPointer(x.keep) { keep in
            withOptionalPointer(x.dropout) { dropout in
                dKeep.withUnsafeMutableBufferPointer { dKeepBuffer in
                    Attention.backward(shape: shape, q: x.q, k: x.k, v: x.v, keyKeep: keep, weights: weights,
                                       dropoutMask: dropout, dContext: r, dq: &dq, dk: &dk, dv: &dv,
                                       dKeyKeep: keep == nil ? nil : dKeepBuffer.baseAddress, scratch: &scratch)
                }
            }
        }
        return (dq, dk, dv, x.keep == nil ? nil : dKeep.map { $0 - 0.25 })
    }

    func check(keep: Bool, dropout: Bool, seed: UInt64) {
        let label = "attention (keep mask \(keep), dropout \(dropout))"
        let (x, r) = makeInputs(seed: seed, keep: keep, dropout: dropout)
        let analytic = backward(x, r)
        let h: Float = 1e-2
        let dq = numericGradient(x.q, step: h) { var y = x; y.q = $0; return projection(forward(y).context, r) }
        let dk = numericGradient(x.k, step: h) { var y = x; y.k = $0; return projection(forward(y).context, r) }
        let dv = numericGradient(x.v, step: h) { var y = x; y.v = $0; return projection(forward(y).context, r) }
        assertGradient(analytic.dq, dq, "\(label): dq")
        assertGradient(analytic.dk, dk, "\(label): dk")
        assertGradient(analytic.dv, dv, "\(label): dv")
        if let keepMask = x.keep {
            // ∂f/∂M for the continuous mask; padded keys have weight 0, so their derivative is 0 exactly.
            let dM = numericGradient(keepMask, step: 5e-3) { var y = x; y.keep = $0; return projection(forward(y).context, r) }
            assertGradient(analytic.dKeep!, dM, "\(label): dM")
            XCTAssertEqual(analytic.dKeep![8], 0, "\(label): dM of a padded key")
            XCTAssertEqual(analytic.dKeep![9], 0, "\(label): dM of a padded key")
            XCTAssertNotEqual(analytic.dKeep![3], 0, "\(label): a skimmed (M = 0) real key still gets a gradient")
        }
    }

    func testGradientsWithPadding() { check(keep: false, dropout: false, seed: 201) }
    func testGradientsWithKeepMask() { check(keep: true, dropout: false, seed: 202) }
    func testGradientsWithKeepMaskAndDropout() { check(keep: true, dropout: true, seed: 203) }
    func testGradientsWithDropout() { check(keep: false, dropout: true, seed: 204) }

    /// Forward against a Double implementation of P_j = e_j·M_j / Σ_k e_k·M_k over unpadded keys,
    /// context = (P ⊙ dropout)·V; weights = e_j / Σ_k e_k·M_k, exactly 0 for padded keys.
    func testForwardMatchesDoubleReference() {
        for (keep, dropout) in [(false, false), (true, false), (true, true), (false, true)] {
            let (x, _) = makeInputs(seed: 205, keep: keep, dropout: dropout)
            let (context, weights) = forward(x)
            let B = shape.batch, T = shape.seqLen, A = shape.heads, d = shape.headDim, H = shape.width
            var refContext = [Double](repeating: 0, count: B * T * H)
            var refWeights = [Double](repeating: 0, count: shape.probabilityCount)
            for b in 0..<B {
                for h in 0..<A {
                    for i in 0..<T {
                        var scores = [Double](repeating: 0, count: T)
                        for j in 0..<T {
                            var s = 0.0
                            for c in 0..<d { s += Double(x.q[(b * T + i) * H + h * d + c]) * Double(x.k[(b * T + j) * H + h * d + c]) }
                            scores[j] = s / Double(d).squareRoot()
                        }
                        let maxScore = (0..<T).filter { keyValid[b * T + $0] != 0 }.map { scores[$0] }.max()!
                        let e = (0..<T).map { keyValid[b * T + $0] != 0 ? Foundation.exp(scores[$0] - maxScore) : 0 }
                        let m: [Double] = (0..<T).map { j in
                            guard let keep = x.keep else { return 1 }
                            return Double(keep[b * T + j])
                        }
                        let denominator = (0..<T).map { e[$0] * m[$0] }.reduce(0, +)
                        for j in 0..<T {
                            let w = e[j] / denominator
                            refWeights[((b * A + h) * T + i) * T + j] = w
                            let dropoutScale: Double = x.dropout.map { Double($0[((b * A + h) * T + i) * T + j]) } ?? 1
                            let p = w * m[j] * dropoutScale
                            for c in 0..<d { refContext[(b * T + i) * H + h * d + c] += p * Double(x.v[(b * T + j) * H + h * d + c]) }
                        }
                    }
                }
            }
            let label = "attention forward (keep \(keep), dropout \(dropout))"
            // max |Δ| / max |reference|: float scores, fastExp and two small GEMMs stay below 1e-5.
            XCTAssertLessThanOrEqual(relativeMaxError(weights, refWeights), 1e-5, "\(label): weights")
            XCTAssertLessThanOrEqual(relativeMaxError(context, refContext), 1e-5, "\(label): context")
            for b in 0..<B {
                for h in 0..<A {
                    for i in 0..<T {
                        let row = ((b * A + h) * T + i) * T
                        for j in 0..<T where keyValid[b * T + j] == 0 {
                            XCTAssertEqual(weights[row + j], 0, "\(label): padded key \(j) must get weight exactly 0")
                        }
                        let total = (0..<T).map { Double(weights[row + $0]) * Double(x.keep?[b * T + $0] ?? 1) }.reduce(0, +)
                        XCTAssertEqual(total, 1, accuracy: 1e-6, "\(label): Σ weights·M must be 1")
                    }
                }
            }
        }
    }
}

/// Calls `body` with the array's base address, or nil.
func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress!) }
}
