@testable import BERT
import Foundation
import Kernels
import XCTest

/// Predictors of an inner width P other than the hidden size (`skim.predictor_width`): their
/// tensors, their gradients (against central differences), the removal engine and the FLOPs count.
final class TranskimmerPredictorWidthTests: XCTestCase {
    private let head = TaskHead.sequenceClassification(numLabels: 3)

    func testLayoutShapesFollowTheWidth() {
        let config = TranskimmerRandom.config()  // H = 32
        let narrow = ParameterLayout(config: config, head: head, skim: .transkimmer, skimLayers: [1], predictorWidth: 8)
        let p = TranskimmerNames.prefix(layer: 1)
        XCTAssertEqual(narrow.predictorWidth, 8)
        XCTAssertEqual(narrow.spec(p + "0.weight")?.shape, [32])
        XCTAssertEqual(narrow.spec(p + "1.weight")?.shape, [8, 32])
        XCTAssertEqual(narrow.spec(p + "1.bias")?.shape, [8])
        XCTAssertEqual(narrow.spec(p + "2.weight")?.shape, [8])
        XCTAssertEqual(narrow.spec(p + "4.weight")?.shape, [2, 8])
        let standard = ParameterLayout(config: config, head: head, skim: .transkimmer, skimLayers: [1])
        XCTAssertEqual(standard.predictorWidth, 32, "SPEC §2: the hidden size by default")
        XCTAssertEqual(standard.spec(p + "1.weight")?.shape, [32, 32])
        XCTAssertNotEqual(narrow.fingerprint, standard.fingerprint, "a checkpoint of one width never loads into the other")
    }

    /// d(Σ c ⊙ logits) by the predictor's backward against central differences, for every
    /// parameter and the input, with P below and above H.
    func testPredictorGradientsMatchCentralDifferences() throws {
        for width in [5, 20] {
            try checkPredictorGradients(hidden: 12, width: width, rows: 7)
        }
    }

    private func checkPredictorGradients(hidden H: Int, width P: Int, rows: Int) throws {
        var config = TranskimmerRandom.config(layers: 1)
        config.hiddenSize = H
        config.numAttentionHeads = 2
        let model = BertModel(config: config, head: head, skim: .transkimmer, predictorWidth: P)
        var generator = SeededGenerator(seed: UInt64(100 + P))
        model.initializeWeights(generator: &generator)
        let offsets = try XCTUnwrap(PredictorOffsets(layout: model.layout, layer: 0))
        // Predictor parameters away from their initial 1/0 so that every path carries a gradient.
        let specs = model.layout.tensors.filter(\.isSkimPredictor)
        for spec in specs {
            generator.fillNormal(UnsafeMutableBufferPointer(start: model.parameters.pointer + spec.offset, count: spec.count),
                                 std: 0.5)
        }
        let x = FlatBuffer(count: rows * H)
        for i in 0..<(rows * H) { x.pointer[i] = Float(generator.nextNormal()) }
        let c = (0..<(rows * 2)).map { _ in Float(generator.nextNormal()) }
        // The training path's own buffers, sized for this width (tape and scratch).
        let state = TranskimmerState(capacity: rows, hidden: H, predictorWidth: P, layers: 1, predictors: [offsets],
                                     training: true)
        let tape = state.tape(0, hidden: H)
        func objective() -> Double {
            SkimPredictor.forward(x: x.pointer, rows: rows, hidden: H, parameters: model.parameters.pointer, offsets: offsets, tape: tape)
            return (0..<(rows * 2)).reduce(0.0) { $0 + Double(c[$1]) * Double(tape.logits[$1]) }
        }
        _ = objective()
        model.gradients.zero()
        let dx = FlatBuffer(count: rows * H)
        SkimPredictor.backward(dLogits: c, x: x.pointer, rows: rows, hidden: H, parameters: model.parameters.pointer,
                               gradients: model.gradients.pointer, offsets: offsets, tape: tape, dx: dx.pointer,
                               scratchA: state.scratchA.pointer, scratchB: state.scratchB.pointer)
        let step: Float = 1e-2
        func centralDifference(_ value: UnsafeMutablePointer<Float>) -> Double {
            let saved = value.pointee
            value.pointee = saved + step
            let up = objective()
            value.pointee = saved - step
            let down = objective()
            value.pointee = saved
            return (up - down) / (2 * Double(step))
        }
        for spec in specs {
            let numeric = (0..<spec.count).map { centralDifference(model.parameters.pointer + spec.offset + $0) }
            assertClose(model.gradient(spec.name)!, numeric, tolerance: 1e-2, "P=\(P): d/d \(spec.name)")
        }
        let numericX = (0..<(rows * H)).map { centralDifference(x.pointer + $0) }
        assertClose(Array(dx.buffer), numericX, tolerance: 1e-2, "P=\(P): d/dx")
    }

    /// The removal engine runs narrow predictors on packed rows and takes the masked forward's
    /// deterministic decisions.
    func testNarrowPredictorsDecideAlikeInBothForwards() throws {
        let config = TranskimmerRandom.config()
        let model = TranskimmerRandom.model(config: config, head: head, seed: 61, predictorWidth: 6)
        for l in 0..<config.numHiddenLayers {  // unbiased decisions: the weights decide
            (model.parameters.pointer + model.layout.offset(TranskimmerNames.prefix(layer: l) + "4.bias")).update(repeating: 0, count: 2)
        }
        var generator = SeededGenerator(seed: 62)
        let input = TranskimmerRandom.input(batch: 9, seqLen: 24, config: config, head: head, generator: &generator)
        let masked = try model.forward(input, training: false, generator: &generator, skim: .inference)
        let removal = try SkimInference(model: model).forward(input)
        XCTAssertEqual(removal.keptPerSequence, masked.keptPerSequence)
        XCTAssertTrue(masked.keptFraction[0] < 0.9 && masked.keptFraction[0] > 0.1,
                      "decisions should skim some tokens and keep others: \(masked.keptFraction)")
        assertClose(removal.logits, masked.logits.map(Double.init), tolerance: 1e-5, "logits")
    }

    /// A predictor P wide costs n·(H·P + 2P) multiply-adds on the n tokens entering its layer.
    func testFlopsCountTheNarrowPredictor() {
        let config = BertConfiguration(vocabSize: 10, hiddenSize: 4, numHiddenLayers: 2, numAttentionHeads: 1,
                                       intermediateSize: 8, maxPositionEmbeddings: 16, typeVocabSize: 2, layerNormEps: 1e-12,
                                       hiddenDropoutProb: 0, attentionProbsDropoutProb: 0, classifierDropout: nil,
                                       padTokenId: 0, initializerRange: 0.02, numLabels: 2)
        let narrow = SkimFlops(config: config, predictorLayers: [1], predictorWidth: 2)
        XCTAssertEqual(narrow.predictorMACs(tokens: 3), 36)   // 3·(4·2 + 2·2)
        var counted = narrow, standard = SkimFlops(config: config, predictorLayers: [1])
        counted.add(realLength: 5, paddedLength: 8, kept: [5, 2])
        standard.add(realLength: 5, paddedLength: 8, kept: [5, 2])
        XCTAssertEqual(standard.skimFLOPs - counted.skimFLOPs, 2 * (standard.predictorMACs(tokens: 5) - narrow.predictorMACs(tokens: 5)))
        let model = BertModel(config: config, head: head, skim: .transkimmer, skimLayers: [1], predictorWidth: 2)
        XCTAssertEqual(SkimFlops(model: model), narrow, "a model's accounting follows its layout")
    }
}
