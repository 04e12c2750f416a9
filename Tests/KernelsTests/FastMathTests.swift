import Foundation
import Kernels
import XCTest

/// fastExp, onePlusErf, fastTanh and the GELU forward against Double references.
final class FastMathTests: XCTestCase {
    /// Points of [low, high] on a grid of `step`, plus `randomCount` uniform random Floats in the range.
    func grid(_ low: Double, _ high: Double, step: Double, randomCount: Int = 0, seed: UInt64 = 7) -> [Float] {
        var points: [Float] = []
        var x = low
        while x <= high { points.append(Float(x)); x += step }
        var g = SeededGenerator(seed: seed)
        points += randomUniforms(randomCount, &g, Float(low), Float(high))
        return points
    }

    /// Relative error |fastExp(x) − e^x| / e^x ≤ 3e-7 on [-80, 80], e^x in Double at the Float x.
    func testFastExpRelativeError() {
        var worst = 0.0, worstX: Float = 0
        for x in grid(-80, 80, step: 1e-4, randomCount: 100_000) {
            let reference = Foundation.exp(Double(x))
            let error = abs(Double(fastExp(x)) - reference) / reference
            if error > worst { worst = error; worstX = x }
        }
        XCTAssertLessThanOrEqual(worst, 3e-7, "fastExp: worst relative error \(worst) at x = \(worstX)")
        XCTAssertEqual(fastExp(0), 1)
        // Outside the range: tiny but not negative below, finite above.
        XCTAssertGreaterThanOrEqual(fastExp(-200), 0)
        XCTAssertLessThan(fastExp(-200), 1e-37)
        XCTAssertTrue(fastExp(200).isFinite)
        XCTAssertGreaterThan(fastExp(200), 1e38)
        XCTAssertLessThan(fastExp(-.infinity), 1e-37)
    }

    /// Unit roundoff of Float, 2⁻²⁴.
    let unit = 0x1.0p-24

    /// onePlusErf against 1 + erf(x) in Double, computed as erfc(−x) (no cancellation for x ≪ 0).
    ///
    /// Error measure: relative error / ((8 + 2x²)·u), u = 2⁻²⁴, must be ≤ 1 on [-9, 9]. Why this bound:
    /// the result is t·exp(−x² + P(t)) and the exponent's argument is rounded to Float twice (x², then
    /// the sum), an absolute error up to 2x²·u that exp turns into the same relative error — inherent
    /// to evaluating this form in Float, and harmless: where x² is large the value is either ≈ 2 (then
    /// c = erfc|x| is tiny and 2 − c is exact to u) or ≈ 0 (GELU multiplies it by x/2 and it vanishes).
    /// The rest — the fit itself (≈1.2e-7 ≈ 2u), t, the Horner steps and fastExp — stays within 8u.
    /// A wrong coefficient, sign or branch gives errors of 1e-4 and more. On |x| ≤ 2 (most GELU inputs)
    /// this bound is ≤ 16u ≈ 9.5e-7.
    func testOnePlusErfRelativeError() {
        var worst = 0.0, worstX: Float = 0, worstRelative = 0.0
        for x in grid(-9, 9, step: 1e-3, randomCount: 20_000) {
            let reference = Foundation.erfc(-Double(x))
            let relative = abs(Double(onePlusErf(x)) - reference) / reference
            let scaled = relative / ((8 + 2 * Double(x) * Double(x)) * unit)
            if scaled > worst { worst = scaled; worstX = x; worstRelative = relative }
        }
        XCTAssertLessThanOrEqual(worst, 1, "onePlusErf: worst relative error \(worstRelative) = \(worst) × (8 + 2x²)u at x = \(worstX)")
        XCTAssertEqual(onePlusErf(0), 1, accuracy: 1e-7)
        XCTAssertEqual(onePlusErf(20), 2)
        // Beyond |x| ≈ 9.3 the exponent passes fastExp's clamp at −87: erfc(20) ≈ 5e-176 comes out as
        // ~1e-39 instead of 0 — wrong in relative terms, but 0 to within Float's normal range.
        XCTAssertGreaterThanOrEqual(onePlusErf(-20), 0)
        XCTAssertLessThan(onePlusErf(-20), 1e-37)
        XCTAssertGreaterThan(onePlusErf(-9), 0, "erfc(9) ≈ 4e-37 is a normal Float and must not flush to 0")
    }

    /// GELU forward against 0.5·x·(1 + erf(x/√2)) in Double (computed as 0.5·x·erfc(−x/√2)).
    /// Error measure: |y − ref| / max(|ref|, 1e-3·|x|) ≤ (8 + 2x²)·u on [-10, 10] — relative where GELU
    /// is not tiny, the same bound as onePlusErf above at z = x/√2 (one more rounding, of x/√2, adds
    /// another z²·u; 2z² + 2z² = 2x²). For x ≪ 0, where GELU(x) → 0⁻, the error is taken relative to
    /// 1e-3·|x|, far below anything visible in a layer whose activations are O(|x|).
    func testGELUForwardMatchesErfDefinition() {
        let x = grid(-10, 10, step: 1e-3, randomCount: 10_000)
        var y = [Float](repeating: .nan, count: x.count)
        GELU.forward(x: x, y: &y, count: x.count)
        var worst = 0.0, worstX: Float = 0
        for i in 0..<x.count {
            let v = Double(x[i])
            let reference = 0.5 * v * Foundation.erfc(-v / 2.0.squareRoot())
            let error = abs(Double(y[i]) - reference) / max(abs(reference), 1e-3 * abs(v), 1e-30)
            let scaled = error / ((8 + 2 * v * v) * unit)
            if scaled > worst { worst = scaled; worstX = x[i] }
        }
        XCTAssertLessThanOrEqual(worst, 1, "GELU forward: worst error \(worst) × (8 + 2x²)u at x = \(worstX)")
        var zero: Float = .nan
        GELU.forward(x: [0], y: &zero, count: 1)
        XCTAssertEqual(zero, 0)
    }

    /// fastTanh: absolute error ≤ 3e-7 on [-12, 12] (its values are in [-1, 1]; near 0 the one-exponential
    /// form (1 − e)/(1 + e) is accurate in absolute, not relative, terms), odd, exact ±1 in the tails.
    func testFastTanhAbsoluteError() {
        var worst = 0.0, worstX: Float = 0
        for x in grid(-12, 12, step: 1e-4) {
            let error = abs(Double(fastTanh(x)) - Foundation.tanh(Double(x)))
            if error > worst { worst = error; worstX = x }
        }
        XCTAssertLessThanOrEqual(worst, 3e-7, "fastTanh: worst absolute error \(worst) at x = \(worstX)")
        XCTAssertEqual(fastTanh(30), 1)
        XCTAssertEqual(fastTanh(-30), -1)
        XCTAssertEqual(fastTanh(0), 0)
        for x: Float in [0.1, 0.7, 2.5] { XCTAssertEqual(fastTanh(-x), -fastTanh(x)) }
    }
}

final class FastMathNaNTests: XCTestCase {
    /// A NaN activation must propagate (the trainer then stops on a NaN loss), not trap.
    func testNaNPropagates() {
        XCTAssertTrue(fastExp(.nan).isNaN)
        XCTAssertEqual(fastExp(0), 1)
    }
}
