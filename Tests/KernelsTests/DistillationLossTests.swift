import Foundation
import Kernels
import XCTest

/// `Losses.distillation`: the loss against a Double reference, its gradient against finite
/// differences, and its two ends (α = 0 is the cross-entropy; a student equal to its teacher has
/// no soft-term gradient).
final class DistillationLossTests: XCTestCase {
    private let rows = 4, classes = 3

    func testLossAndGradientMatchAReferenceAndFiniteDifferences() {
        var g = SeededGenerator(seed: 411)
        let logits = randomNormals(rows * classes, &g, scale: 2)
        let teacher = randomNormals(rows * classes, &g, scale: 3)
        let targets = [2, 0, 1, 1]
        let alpha = 0.7, temperature = 2.5
        let scale: Float = 0.6
        var d = [Float](repeating: .nan, count: logits.count)
        let loss = Losses.distillation(logits: logits, teacherLogits: teacher, targets: targets, classes: classes,
                                       alpha: alpha, temperature: temperature, dLogits: &d, scale: scale)
        // Reference in Double, written out from the definition.
        func softmax(_ row: [Double]) -> [Double] {
            let e = row.map { Foundation.exp($0 - row.max()!) }
            return e.map { $0 / e.reduce(0, +) }
        }
        var reference = 0.0
        for r in 0..<rows {
            let z = (0..<classes).map { Double(logits[r * classes + $0]) }
            let t = (0..<classes).map { Double(teacher[r * classes + $0]) }
            let p = softmax(z.map { $0 / temperature }), q = softmax(t.map { $0 / temperature })
            let kl = (0..<classes).reduce(0.0) { $0 + q[$1] * Foundation.log(q[$1] / p[$1]) }
            reference += (1 - alpha) * -Foundation.log(softmax(z)[targets[r]]) + alpha * temperature * temperature * kl
        }
        XCTAssertEqual(loss, reference / Double(rows), accuracy: 1e-12 * max(1, reference))
        let numeric = numericGradient(logits, step: 1e-2) {
            Double(scale) * Losses.distillation(logits: $0, teacherLogits: teacher, targets: targets, classes: self.classes,
                                                alpha: alpha, temperature: temperature, dLogits: nil, scale: 1)
        }
        assertGradient(d, numeric, "distillation dLogits")
    }

    func testAlphaZeroIsTheCrossEntropy() {
        var g = SeededGenerator(seed: 412)
        let logits = randomNormals(rows * classes, &g, scale: 2)
        let teacher = randomNormals(rows * classes, &g, scale: 2)
        let targets = [0, 2, 2, 1]
        var dDistilled = [Float](repeating: 0, count: logits.count)
        var dPlain = [Float](repeating: 0, count: logits.count)
        let distilled = Losses.distillation(logits: logits, teacherLogits: teacher, targets: targets, classes: classes,
                                            alpha: 0, temperature: 2, dLogits: &dDistilled, scale: 0.5)
        let plain = Losses.crossEntropy(logits: logits, targets: targets.map { $0 }, classes: classes, rowStride: classes,
                                        dLogits: &dPlain, scale: 0.5)
        XCTAssertEqual(distilled, plain, accuracy: 1e-12)
        for i in logits.indices { XCTAssertEqual(dDistilled[i], dPlain[i], accuracy: 1e-7, "entry \(i)") }
    }

    func testAStudentEqualToItsTeacherHasNoSoftLoss() {
        var g = SeededGenerator(seed: 413)
        let logits = randomNormals(rows * classes, &g, scale: 2)
        var d = [Float](repeating: .nan, count: logits.count)
        let loss = Losses.distillation(logits: logits, teacherLogits: logits, targets: [0, 1, 2, 0], classes: classes,
                                       alpha: 1, temperature: 3, dLogits: &d, scale: 1)
        XCTAssertEqual(loss, 0, accuracy: 1e-12)
        XCTAssertTrue(d.allSatisfy { abs($0) < 1e-7 }, "\(d)")
    }
}
