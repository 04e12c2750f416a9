import BERT
import Foundation
import Kernels
import XCTest

/// SPEC §4 invariant: for the same decisions the masked forward and the removal forward give the
/// same final outputs, here on random models and inputs with very different kept counts per sequence.
final class TranskimmerRemovalTests: XCTestCase {
    func testMaskedAndRemovalAgreeAtBatchSizes1_7_32() throws {
        let config = TranskimmerRandom.config()
        let head = TaskHead.sequenceClassification(numLabels: 3)
        let model = TranskimmerRandom.model(config: config, head: head, seed: 11)
        let engine = SkimInference(model: model, maxBatch: 4, maxSeqLen: 8)  // grows on demand
        var generator = SeededGenerator(seed: 12)
        for (B, T) in [(1, 20), (7, 33), (32, 48)] {
            let input = TranskimmerRandom.input(batch: B, seqLen: T, config: config, head: head, generator: &generator)
            let noise = TranskimmerRandom.forcingNoise(layers: config.numHiddenLayers, batch: B, seqLen: T, generator: &generator)
            try assertAgree(model, engine, input, noise: noise, "B=\(B)")
        }
    }

    /// Layers without a predictor (here the first and the last) run every token the layer before kept.
    func testLayersWithoutPredictorAgree() throws {
        let config = TranskimmerRandom.config(layers: 4)
        let head = TaskHead.sequenceClassification(numLabels: 3)
        let model = TranskimmerRandom.model(config: config, head: head, seed: 13, skimLayers: [1, 2])
        let engine = SkimInference(model: model)
        var generator = SeededGenerator(seed: 15)
        let input = TranskimmerRandom.input(batch: 7, seqLen: 33, config: config, head: head, generator: &generator)
        let noise = TranskimmerRandom.forcingNoise(layers: 4, batch: 7, seqLen: 33, generator: &generator)
        try assertAgree(model, engine, input, noise: noise, "layers 1, 2")
        let result = try engine.forward(input, noise: .fixed(noise), generator: &generator)
        let kept = result.keptPerSequence
        XCTAssertEqual(kept[0], result.realLengths, "layer 0 has no predictor: every real token")
        XCTAssertEqual(kept[3], kept[2], "layer 3 has no predictor: the tokens layer 2 kept")
        XCTAssertNotEqual(kept[2], kept[0], "layers 1 and 2 skim")
    }

    func testQuestionAnsweringHeadAgreesAtEveryPosition() throws {
        let config = TranskimmerRandom.config(layers: 2)
        let model = TranskimmerRandom.model(config: config, head: .questionAnswering, seed: 21)
        let engine = SkimInference(model: model)
        var generator = SeededGenerator(seed: 22)
        let input = TranskimmerRandom.input(batch: 7, seqLen: 30, config: config, head: .questionAnswering, generator: &generator)
        let noise = TranskimmerRandom.forcingNoise(layers: 2, batch: 7, seqLen: 30, generator: &generator)
        try assertAgree(model, engine, input, noise: noise, "QA")
    }

    /// Noise-free decisions: identical whenever no decision sits within rounding of its threshold
    /// (true for this seed; the margins are checked so a failure cannot be a near-tie).
    func testDeterministicDecisionsAgree() throws {
        var (model, input, generator) = TranskimmerRandom.classifier(modelSeed: 31, inputSeed: 32, batch: 9, seqLen: 24)
        let config = model.config
        let masked = try model.forward(input, training: false, generator: &generator, skim: .inference)
        var margin = Float.infinity
        for l in 0..<config.numHiddenLayers {
            let logits = model.skimPredictorLogits(l)
            for i in 0..<(input.batch * input.seqLen) where input.attentionMask[i] != 0 && i % input.seqLen != 0 {
                margin = min(margin, abs(logits[2 * i + 1] - logits[2 * i]))
            }
        }
        XCTAssertGreaterThan(margin, 1e-4, "seed gives a near-tie; pick another")
        let removal = try SkimInference(model: model).forward(input)
        XCTAssertEqual(removal.keptPerSequence, masked.keptPerSequence)
        XCTAssertTrue(masked.keptFraction.last! < 0.9 && masked.keptFraction.last! > 0.1,
                      "decisions should skim some tokens and keep others: \(masked.keptFraction)")
        assertClose(removal.logits, masked.logits.map(Double.init), tolerance: 1e-5, "deterministic logits")
    }

    /// A keep bias b decides keep iff logit_keep + b > logit_skim in both forwards: they agree at
    /// every bias, the first predictor keeps more tokens as b grows, a huge bias keeps every token
    /// (the dense model's output) and a hugely negative one only [CLS].
    func testKeepBiasShiftsTheDecisionsInBothForwards() throws {
        var (model, input, generator) = TranskimmerRandom.classifier(modelSeed: 31, inputSeed: 32, batch: 9, seqLen: 24)
        let config = model.config
        let engine = SkimInference(model: model)
        var firstLayerKept: [Int] = []
        for bias in [-1.0, -0.25, 0, 0.25, 1] {
            let masked = try model.forward(input, training: false, generator: &generator, skim: .inference(keepBias: bias))
            let removal = try engine.forward(input, keepBias: bias)
            XCTAssertEqual(removal.keptPerSequence, masked.keptPerSequence, "bias \(bias)")
            assertClose(removal.logits, masked.logits.map(Double.init), tolerance: 1e-5, "bias \(bias): logits")
            firstLayerKept.append(masked.keptTokens[0])
        }
        XCTAssertEqual(firstLayerKept, firstLayerKept.sorted(), "layer 0 keeps more tokens as the bias grows")
        XCTAssertGreaterThan(firstLayerKept.last!, firstLayerKept.first!, "the biases must move the decisions: \(firstLayerKept)")

        let all = try engine.forward(input, keepBias: 1e4)
        XCTAssertEqual(all.keptFraction, [Double](repeating: 1, count: config.numHiddenLayers))
        assertClose(all.logits, try engine.forwardDense(input).logits.map(Double.init), tolerance: 1e-6, "every token kept")
        let none = try engine.forward(input, keepBias: -1e4)
        for kept in none.keptPerSequence { XCTAssertEqual(kept, [Int](repeating: 1, count: input.batch), "only [CLS]") }
        XCTAssertThrowsError(try engine.forward(input, keepBias: .nan))
        XCTAssertThrowsError(try model.forward(input, training: false, generator: &generator, skim: .inference(keepBias: .infinity)))
    }

    func testDenseRemovalEngineMatchesDenseModel() throws {
        let config = TranskimmerRandom.config()
        let head = TaskHead.sequenceClassification(numLabels: 3)
        let skimModel = TranskimmerRandom.model(config: config, head: head, seed: 41)
        let dense = BertModel(config: config, head: head)
        for spec in dense.layout.tensors {
            let source = skimModel.layout.spec(spec.name)!
            (dense.parameters.pointer + spec.offset).update(from: skimModel.parameters.pointer + source.offset, count: spec.count)
        }
        var generator = SeededGenerator(seed: 42)
        let input = TranskimmerRandom.input(batch: 7, seqLen: 19, config: config, head: head, generator: &generator)
        let expected = try dense.predict(input)
        let packed = try SkimInference(model: dense).forwardDense(input)
        assertClose(packed.logits, expected.map(Double.init), tolerance: 1e-5, "packed dense vs padded dense")
        XCTAssertEqual(packed.keptFraction, [Double](repeating: 1, count: config.numHiddenLayers))
        XCTAssertThrowsError(try SkimInference(model: dense).forward(input), "skim inference needs predictors")
    }

    private func assertAgree(_ model: BertModel, _ engine: SkimInference, _ input: ModelInput, noise: [Float], _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        var generator = SeededGenerator(seed: 0)
        let settings = SkimSettings(lambda: 0.5, tau: 0.5, noise: .fixed(noise))
        let masked = try model.forward(input, training: false, generator: &generator, skim: settings)
        let maskedOutput = model.skimForwarded(model.config.numHiddenLayers - 1)
        let removal = try engine.forward(input, noise: settings.noise, tau: settings.tau, generator: &generator)
        XCTAssertEqual(removal.keptPerSequence, masked.keptPerSequence, "\(what): same decisions", file: file, line: line)
        assertClose(removal.logits, masked.logits.map(Double.init), tolerance: 1e-5, "\(what): logits", file: file, line: line)
        assertClose(engine.lastHiddenState(), maskedOutput.map(Double.init), tolerance: 1e-5, "\(what): encoder output F",
                    file: file, line: line)
        // Kept counts must really differ between sequences (the point of packing).
        let last = masked.keptPerSequence.last!
        if input.batch > 1 {
            XCTAssertGreaterThan(last.max()! - last.min()!, input.seqLen / 3, "\(what): kept counts \(last)", file: file, line: line)
        }
    }
}
