import Foundation
import Kernels
import XCTest

/// AdamW.update against a Double re-implementation of torch.optim.AdamW's single-tensor step:
///   p ← p·(1 − lr·wd)                               (only with decay)
///   m ← m + (g − m)·(1 − β1)          v ← β2·v + (1 − β2)·g²
///   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// with m = v = 0 before step 1.
final class AdamWTests: XCTestCase {
    func referenceSteps(_ p0: [Float], gradients: [[Float]], settings s: AdamWSettings, decay: Bool)
        -> (p: [Double], m: [Double], v: [Double]) {
        let lr = Double(s.learningRate), b1 = Double(s.beta1), b2 = Double(s.beta2)
        let eps = Double(s.epsilon), wd = Double(s.weightDecay)
        var p = p0.map(Double.init)
        var m = [Double](repeating: 0, count: p.count), v = m
        for (index, g32) in gradients.enumerated() {
            let t = Double(index + 1)
            let g = g32.map(Double.init)
            let biasCorrection1 = 1 - pow(b1, t), biasCorrection2 = 1 - pow(b2, t)
            for i in 0..<p.count {
                if decay { p[i] *= 1 - lr * wd }
                m[i] += (g[i] - m[i]) * (1 - b1)
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let denominator = v[i].squareRoot() / biasCorrection2.squareRoot() + eps
                p[i] -= lr / biasCorrection1 * m[i] / denominator
            }
        }
        return (p, m, v)
    }

    func testThreeStepsMatchTorchAdamW() {
        var g = SeededGenerator(seed: 401)
        let count = 50
        let p0 = randomNormals(count, &g)
        var gradients = (0..<3).map { _ in randomNormals(count, &g, scale: 0.1) }
        // Entries that exercise the corners: a gradient that is 0 at every step (m = v = 0: no Adam move),
        // one so small that ε dominates the denominator, one large, one that changes sign.
        for step in 0..<3 {
            gradients[step][0] = 0
            gradients[step][1] = 1e-9
            gradients[step][2] = 1e3
            gradients[step][3] = step % 2 == 0 ? 0.5 : -0.5
        }
        let settings = AdamWSettings(learningRate: 1e-2, weightDecay: 0.1)
        for decay in [true, false] {
            var p = p0
            var m = [Float](repeating: 0, count: count), v = m
            for (index, gradient) in gradients.enumerated() {
                AdamW.update(parameters: &p, gradients: gradient, m: &m, v: &v, count: count,
                             step: index + 1, settings: settings, decay: decay)
            }
            let reference = referenceSteps(p0, gradients: gradients, settings: settings, decay: decay)
            // Parameters: max |p − p_ref| ≤ 1e-4 of the largest possible total move (3 steps of lr);
            // float rounding of p ≈ 1 contributes ~1e-7 per step, an error in any term ~1e-3 or more.
            let moveScale = 3 * Double(settings.learningRate)
            let pError = zip(p, reference.p).map { abs(Double($0) - $1) }.max()! / moveScale
            XCTAssertLessThanOrEqual(pError, 1e-4, "AdamW (decay \(decay)): parameters, error \(pError) of 3·lr")
            // Moments: max |Δ| ≤ 1e-6 of the largest entry.
            XCTAssertLessThanOrEqual(relativeMaxError(m, reference.m), 1e-6, "AdamW (decay \(decay)): m")
            XCTAssertLessThanOrEqual(relativeMaxError(v, reference.v), 1e-6, "AdamW (decay \(decay)): v")
            // Zero gradient: only weight decay moves the parameter (m = v = 0 gives a 0/ε Adam step).
            // 1e-6 absolute: three Float products of |p| ≲ 3 by s round to ≲ 6e-7.
            let expected0 = decay ? Double(p0[0]) * pow(1 - 1e-2 * 0.1, 3) : Double(p0[0])
            XCTAssertEqual(Double(p[0]), expected0, accuracy: 1e-6, "AdamW (decay \(decay)): zero gradient")
            // g = 1e-9: m̂ = g, √v̂ = g, so each step moves lr·g/(g + ε) = lr/11; without ε it would be lr.
            let move1 = abs(Double(p[1]) - (decay ? Double(p0[1]) * pow(1 - 1e-3, 3) : Double(p0[1])))
            XCTAssertLessThan(move1, 0.5 * moveScale, "AdamW (decay \(decay)): ε must damp a tiny gradient")
            // A constant gradient g has m̂ = g and v̂ = g² exactly, so each Adam step moves by lr·|g|/(|g| + ε) ≈ lr;
            // with decay the earlier steps' moves are shrunk by the later steps: lr·(1 + s + s²), s = 1 − lr·wd.
            // Float rounding of p (|p| ≲ 3) leaves ≲ 1e-6 absolute, i.e. ≲ 3e-5 of 3·lr; a missing bias
            // correction or a wrong order of decay and update is off by ≳ 1e-3.
            let s = 1 - 1e-2 * 0.1
            let move2 = abs(Double(p[2]) - (decay ? Double(p0[2]) * pow(s, 3) : Double(p0[2])))
            let expected2 = decay ? Double(settings.learningRate) * (1 + s + s * s) : moveScale
            XCTAssertEqual(move2, expected2, accuracy: 1e-4 * moveScale, "AdamW (decay \(decay)): constant gradient moves lr per step")
        }
    }
}
