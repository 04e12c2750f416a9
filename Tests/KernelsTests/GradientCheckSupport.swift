import Kernels
import XCTest

// Shared machinery of the finite-difference checks.
//
// Every kernel is Float. A check picks small random inputs from a seeded generator, a random
// projection R of the output, and the scalar f = Σ R·output accumulated in Double. The analytic
// gradient is the kernel's backward with dy = R; the numerical one is a central difference in
// Double, (f(x + h·e_i) − f(x − h·e_i)) / (x_i⁺ − x_i⁻), where x_i^± are the Float values really
// evaluated (so the rounding of x ± h to Float does not bias the quotient).
//
// Error measure (the same everywhere): max_i |analytic_i − numeric_i| / max_i |analytic_i|,
// i.e. the largest deviation relative to the largest entry of the gradient being checked.
// The default tolerance 2e-3 is far above what float round-off in f and the O(h²) truncation
// of the central difference cause (measured: ≤ 6e-5 for every check in this target) and far below
// what a wrong backward formula produces. Measured on deliberately broken copies of the kernels:
// dropping the −u term of the softmax backward 0.6–1.0; the keep mask missing from u ≥ 0.6;
// dM scaled by M 2.0; the dropout mask missing from dP ≥ 0.2; LayerNorm without the x̂·mean(dx̂·x̂)
// term 0.2; cross-entropy averaged over all rows instead of the counted ones 0.33; even the x·φ(x)
// term of the GELU derivative scaled by 0.9 gives 2e-2, ten times the tolerance.

/// Normal(0, scale²) Floats.
func randomNormals(_ count: Int, _ generator: inout SeededGenerator, scale: Float = 1, mean: Float = 0) -> [Float] {
    (0..<count).map { _ in mean + scale * Float(generator.nextNormal()) }
}

/// Uniform Floats in [low, high).
func randomUniforms(_ count: Int, _ generator: inout SeededGenerator, _ low: Float, _ high: Float) -> [Float] {
    (0..<count).map { _ in low + (high - low) * Float(generator.nextUniform()) }
}

/// Σ r_i·y_i in Double.
func projection(_ y: [Float], _ r: [Float]) -> Double {
    precondition(y.count == r.count)
    var total = 0.0
    for i in 0..<y.count { total += Double(y[i]) * Double(r[i]) }
    return total
}

/// Central-difference gradient of `f` at `x`, one entry at a time, with step `h` (absolute).
func numericGradient(_ x: [Float], step h: Float, _ f: ([Float]) -> Double) -> [Double] {
    var probe = x
    var gradient = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
        let plus = x[i] + h, minus = x[i] - h
        probe[i] = plus
        let fPlus = f(probe)
        probe[i] = minus
        let fMinus = f(probe)
        probe[i] = x[i]
        gradient[i] = (fPlus - fMinus) / (Double(plus) - Double(minus))
    }
    return gradient
}

/// Asserts max|analytic − numeric| ≤ tolerance · max|analytic| (see the error measure above).
/// `floor` replaces max|analytic| when that is smaller (for gradients that are legitimately ~0).
func assertGradient(_ analytic: [Float], _ numeric: [Double], tolerance: Double = 2e-3, floor: Double = 1e-12,
                    _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    guard analytic.count == numeric.count else {
        XCTFail("\(what): \(analytic.count) analytic entries, \(numeric.count) numeric", file: file, line: line)
        return
    }
    var maxDiff = 0.0, maxAnalytic = 0.0, worst = 0
    for i in 0..<analytic.count {
        let d = abs(Double(analytic[i]) - numeric[i])
        if d > maxDiff { maxDiff = d; worst = i }
        maxAnalytic = max(maxAnalytic, abs(Double(analytic[i])))
    }
    XCTAssertTrue(analytic.allSatisfy { $0.isFinite }, "\(what): non-finite analytic gradient", file: file, line: line)
    let error = maxDiff / max(maxAnalytic, floor)
    XCTAssertLessThanOrEqual(error, tolerance,
        "\(what): max|analytic − numeric| / max|analytic| = \(error) (entry \(worst): analytic \(analytic.isEmpty ? 0 : analytic[worst]), numeric \(numeric.isEmpty ? 0 : numeric[worst]); max|analytic| \(maxAnalytic))",
        file: file, line: line)
}

/// Largest |a_i − b_i| / max_i |b_i| of Float values against Double references.
func relativeMaxError(_ a: [Float], _ b: [Double]) -> Double {
    var maxDiff = 0.0, maxRef = 0.0
    for i in 0..<a.count {
        maxDiff = max(maxDiff, abs(Double(a[i]) - b[i]))
        maxRef = max(maxRef, abs(b[i]))
    }
    return maxDiff / max(maxRef, 1e-300)
}
