import BERT
import Foundation
import Kernels
import XCTest

/// The fixtures check forward and backward without dropout (the reference is deterministic). This
/// checks the backward of a training forward *with* dropout at every site (embeddings, attention
/// probabilities, both residual branches, classifier): the masks are drawn from a generator, so
/// two forwards from equal generator states use the same masks, and the loss is then a smooth
/// function of the parameters whose directional derivative along a random direction in each tensor
/// must equal the backward's gradient projected on it.
final class DropoutGradientTests: XCTestCase {
    func testBackwardThroughEveryDropoutSiteMatchesCentralDifferences() throws {
        let config = TranskimmerRandom.config(layers: 2)
        let head = TaskHead.sequenceClassification(numLabels: 3)
        let model = BertModel(config: config, head: head)
        var setup = SeededGenerator(seed: 31)
        model.initializeWeights(generator: &setup)
        model.hiddenDropout = 0.3
        model.attentionDropout = 0.3
        model.classifierDropout = 0.3
        let input = TranskimmerRandom.input(batch: 4, seqLen: 7, config: config, head: head, generator: &setup)

        /// The training loss with the masks drawn from a generator seeded 77 (the same every call).
        func loss() throws -> Double {
            var masks = SeededGenerator(seed: 77)
            return try model.forward(input, training: true, generator: &masks).loss
        }
        var noMasks = SeededGenerator(seed: 0)
        let withoutDropout = try model.forward(input, training: false, generator: &noMasks).loss
        let withDropout = try loss()  // the training forward that backward() differentiates
        XCTAssertGreaterThan(abs(withDropout - withoutDropout), 1e-3, "dropout changes the loss, so the check covers it")
        model.gradients.zero()
        model.backward()

        for spec in model.layout.tensors {
            let values = UnsafeMutableBufferPointer(start: model.parameters.pointer + spec.offset, count: spec.count)
            let gradient = UnsafeBufferPointer(start: model.gradients.pointer + spec.offset, count: spec.count)
            var direction = [Float](repeating: 0, count: spec.count)
            direction.withUnsafeMutableBufferPointer { setup.fillNormal($0, std: 1) }
            let analytic = zip(gradient, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let original = Array(values)
            let step: Float = 1e-2 / Float(Double(spec.count).squareRoot())
            for i in 0..<spec.count { values[i] = original[i] + step * direction[i] }
            let plus = try loss()
            for i in 0..<spec.count { values[i] = original[i] - step * direction[i] }
            let minus = try loss()
            for i in 0..<spec.count { values[i] = original[i] }
            let numeric = (plus - minus) / (2 * Double(step))
            // The Float forward resolves the loss only to a few roundings, so the central difference
            // carries noise of a few ulps of the loss over 2·step (seen: 3 ulps on the key bias, whose
            // true gradient is 0, with OpenBLAS's Zen kernels). Allow 16 such ulps, plus 2% of the gradient.
            let roundingFloor = 16 * Double(Float.ulpOfOne) * abs(withDropout) / (2 * Double(step))
            XCTAssertEqual(numeric, analytic, accuracy: 2e-2 * abs(analytic) + roundingFloor,
                           "\(spec.name): d loss along a random direction")
        }
    }
}
