import BERT
import Foundation
import Kernels
import XCTest

/// The trainer's dense companion pass (`skim.dense_pass_weight`) runs a plain forward and backward
/// and the skim forward and backward on the same model, one after the other, into one gradient
/// buffer. That is right only if each backward adds its own gradient and leaves the rest alone.
final class TranskimmerDensePassTests: XCTestCase {
    private let head = TaskHead.sequenceClassification(numLabels: 3)

    func testDenseAndSkimGradientsAddUpInEitherOrder() throws {
        let config = TranskimmerRandom.config(layers: 3)
        let model = TranskimmerRandom.model(config: config, head: head, seed: 61)
        var data = SeededGenerator(seed: 62)
        let input = TranskimmerRandom.input(batch: 6, seqLen: 10, config: config, head: head, generator: &data)
        let noise = (0..<(3 * 6 * 10 * 2)).map { _ in Float(data.nextGumbel()) }
        let settings = SkimSettings(lambda: 0.7, tau: 0.8, targetKeep: 0.4, noise: .fixed(noise))
        let denseScale: Float = 0.3

        // Each pass draws its dropout masks from a generator of its own seed, so that every
        // repetition of a pass is the same computation.
        func densePass() throws {
            var g = SeededGenerator(seed: 63)
            _ = try model.forward(input, training: true, lossScale: denseScale, generator: &g)
            model.backward()
        }
        func skimPass() throws {
            var g = SeededGenerator(seed: 64)
            let result = try model.forward(input, training: true, generator: &g, skim: settings)
            XCTAssertLessThan(result.keptFraction[2], 0.9, "the skim pass skims")
            model.backward()
        }
        func gradients(_ passes: [() throws -> Void]) throws -> [String: [Float]] {
            model.gradients.zero()
            for pass in passes { try pass() }
            return Dictionary(uniqueKeysWithValues: model.layout.tensors.map { ($0.name, model.gradient($0.name)!) })
        }

        let dense = try gradients([densePass])
        let skim = try gradients([skimPass])
        let predictors = model.layout.tensors.map(\.name).filter(TranskimmerNames.isPredictorTensor)
        XCTAssertFalse(predictors.isEmpty)
        for name in predictors {
            XCTAssertTrue(dense[name]!.allSatisfy { $0 == 0 }, "the dense pass gives \(name) no gradient")
            XCTAssertTrue(skim[name]!.contains { $0 != 0 }, "the skim pass trains \(name)")
        }
        for (order, passes) in [("dense, then skim", [densePass, skimPass]), ("skim, then dense", [skimPass, densePass])] {
            let both = try gradients(passes)
            for (name, sum) in both {
                let expected = zip(dense[name]!, skim[name]!).map { Double($0) + Double($1) }
                // floor: the attention key biases' gradient is 0 up to rounding (~1e-9), compared absolutely.
                assertClose(sum, expected, tolerance: 1e-5, floor: 1e-3, "\(order): gradient of \(name)")
            }
        }
    }
}
