import BERT
import Foundation
import Kernels
import XCTest

/// Predictors on some layers only (`skim.skim_layers`): a layer without a predictor behaves
/// exactly as a predictor that always keeps, in the forward and in every gradient.
final class TranskimmerPredictorLayersTests: XCTestCase {
    private let head = TaskHead.sequenceClassification(numLabels: 3)

    func testLayoutCarriesPredictorsOnTheChosenLayersOnly() {
        let config = TranskimmerRandom.config(layers: 4)
        let all = ParameterLayout(config: config, head: head, skim: .transkimmer)
        let some = ParameterLayout(config: config, head: head, skim: .transkimmer, skimLayers: [3, 1])
        XCTAssertEqual(all.predictorLayers, [0, 1, 2, 3])
        XCTAssertEqual(some.predictorLayers, [1, 3])
        XCTAssertEqual(ParameterLayout(config: config, head: head, skimLayers: [1]).predictorLayers, [], "no method, no predictors")
        for l in 0..<4 {
            XCTAssertEqual(some.spec(TranskimmerNames.prefix(layer: l) + "4.bias") != nil, [1, 3].contains(l), "layer \(l)")
        }
        XCTAssertNotEqual(all.fingerprint, some.fingerprint)
    }

    func testLayerWithoutPredictorEqualsAnAlwaysKeepingPredictor() throws {
        let config = TranskimmerRandom.config(layers: 3)
        let full = TranskimmerRandom.model(config: config, head: head, seed: 51)
        let partial = BertModel(config: config, head: head, skim: .transkimmer, skimLayers: [1])
        for spec in partial.layout.tensors {
            (partial.parameters.pointer + spec.offset).update(from: full.parameters.pointer + full.layout.offset(spec.name),
                                                              count: spec.count)
        }
        // Layers 0 and 2 of the full model: keep so surely that the soft sample is exactly 1.
        for l in [0, 2] {
            let bias = full.parameters.pointer + full.layout.offset(TranskimmerNames.prefix(layer: l) + "4.bias")
            bias[0] = -1e4; bias[1] = 1e4
        }
        var data = SeededGenerator(seed: 52)
        let input = TranskimmerRandom.input(batch: 5, seqLen: 12, config: config, head: head, generator: &data)
        let noise = (0..<(3 * 5 * 12 * 2)).map { _ in Float(data.nextGumbel()) }
        let settings = SkimSettings(lambda: 0.7, tau: 0.8, targetKeep: 0.4, noise: .fixed(noise))
        var results: [SkimForwardResult] = []
        for model in [full, partial] {
            model.gradients.zero()
            var g = SeededGenerator(seed: 53)
            results.append(try model.forward(input, training: true, generator: &g, skim: settings))
            model.backward()
        }
        XCTAssertEqual(results[1].keptPerSequence, results[0].keptPerSequence)
        XCTAssertLessThan(results[1].keptFraction[1], 0.9, "layer 1 skims some tokens")
        XCTAssertEqual(results[1].keptFraction[0], 1, "layer 0 keeps every token")
        XCTAssertEqual(results[1].loss, results[0].loss, accuracy: 1e-6 * abs(results[0].loss))
        assertClose(results[1].logits, results[0].logits.map(Double.init), tolerance: 1e-6, "logits")
        for spec in partial.layout.tensors {
            let expected = full.gradient(spec.name)!
            XCTAssertTrue(expected.contains { $0 != 0 } || !spec.name.contains("encoder"), "\(spec.name) has a gradient")
            assertClose(partial.gradient(spec.name)!, expected.map(Double.init), tolerance: 1e-6, "gradient of \(spec.name)")
        }
    }
}
