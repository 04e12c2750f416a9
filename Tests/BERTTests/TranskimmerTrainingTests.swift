import BERT
import Foundation
import Kernels
import XCTest

/// The Transkimmer training path beyond the fixture: initialisation and export names, noise from
/// the generator, the target-ratio skim term, loss scaling, dropout, input checks, and that the
/// dense path of a model with predictors is unchanged.
final class TranskimmerTrainingTests: XCTestCase {
    let head = TaskHead.sequenceClassification(numLabels: 3)

    func testUnbalancedInitialisationAndNamesSurviveExport() throws {
        let config = TranskimmerRandom.config(layers: 2)
        let model = BertModel(config: config, head: head, skim: .transkimmer)
        var generator = SeededGenerator(seed: 1)
        model.initializeWeights(generator: &generator)
        for l in 0..<config.numHiddenLayers {
            let p = TranskimmerNames.prefix(layer: l)
            XCTAssertEqual(model.tensor(p + "4.bias"), [-5, 5])
            XCTAssertEqual(model.layout.spec(p + "4.weight")?.shape, [2, config.hiddenSize])
            XCTAssertEqual(model.layout.spec(p + "1.weight")?.shape, [config.hiddenSize, config.hiddenSize])
            let w4 = model.tensor(p + "4.weight")!
            let std = (w4.map { Double($0 * $0) }.reduce(0, +) / Double(w4.count)).squareRoot()
            XCTAssertEqual(std, 0.02, accuracy: 0.01)
            XCTAssertEqual(model.tensor(p + "0.weight"), [Float](repeating: 1, count: config.hiddenSize))
            XCTAssertEqual(model.tensor(p + "2.bias"), [Float](repeating: 0, count: config.hiddenSize))
        }
        // Every token is kept at the start.
        let input = TranskimmerRandom.input(batch: 4, seqLen: 12, config: config, head: head, generator: &generator)
        let result = try model.forward(input, training: false, generator: &generator, skim: .inference)
        XCTAssertEqual(result.keptFraction, [1, 1])

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("transkimmer-export-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.exportSafetensors(to: url)
        let reloaded = BertModel(config: config, head: head, skim: .transkimmer)
        let report = try reloaded.load(safetensors: url, generator: &generator)
        XCTAssertEqual(report.initialized, [])
        XCTAssertEqual(report.unexpected, [])
        for spec in model.layout.tensors { XCTAssertEqual(reloaded.tensor(spec.name), model.tensor(spec.name), spec.name) }
        // A dense model reads the same file and reports the predictors as unexpected (as HF's class ignores them).
        let dense = BertModel(config: config, head: head)
        let denseReport = try dense.load(safetensors: url, generator: &generator)
        XCTAssertEqual(denseReport.unexpected.count, 8 * config.numHiddenLayers)
        XCTAssertTrue(denseReport.unexpected.allSatisfy(TranskimmerNames.isPredictorTensor))
    }

    func testSampledNoiseComesFromTheGenerator() throws {
        let config = TranskimmerRandom.config()
        let model = TranskimmerRandom.model(config: config, head: head, seed: 2)
        var data = SeededGenerator(seed: 3)
        let input = TranskimmerRandom.input(batch: 5, seqLen: 16, config: config, head: head, generator: &data)
        let settings = SkimSettings(lambda: 0.5, tau: 1)
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7)
        let first = try model.forward(input, training: true, generator: &a, skim: settings)
        let masks = (0..<config.numHiddenLayers).map(model.skimMask)
        let second = try model.forward(input, training: true, generator: &b, skim: settings)
        XCTAssertEqual(first.loss, second.loss)
        XCTAssertEqual((0..<config.numHiddenLayers).map(model.skimMask), masks)
        XCTAssertEqual(a, b, "same draws from the generator")
        let third = try model.forward(input, training: true, generator: &a, skim: settings)
        XCTAssertNotEqual((0..<config.numHiddenLayers).map(model.skimMask), masks, "fresh noise on the next step")
        XCTAssertNotEqual(third.keptTokens, [])

        // Removal inference with sampled noise draws the same block: same decisions as the masked forward.
        var c = SeededGenerator(seed: 9), d = SeededGenerator(seed: 9)
        let noisy = SkimSettings(lambda: 0, tau: 1, noise: .sampled)
        let masked = try model.forward(input, training: false, generator: &c, skim: noisy)
        let removal = try SkimInference(model: model).forward(input, noise: .sampled, tau: 1, generator: &d)
        XCTAssertEqual(removal.keptPerSequence, masked.keptPerSequence)
    }

    /// The skim term's gradient is the plain term's times its slope: with G(λ, r) the gradient at
    /// fixed decisions, G(a, r) − G(0) = 2a(L_skim − r)·(G(1, nil) − G(0)).
    func testTargetRatioTermScalesThePenaltyGradient() throws {
        let config = TranskimmerRandom.config()
        let model = TranskimmerRandom.model(config: config, head: head, seed: 4)
        model.hiddenDropout = 0; model.attentionDropout = 0; model.classifierDropout = 0
        var data = SeededGenerator(seed: 5)
        let input = TranskimmerRandom.input(batch: 6, seqLen: 14, config: config, head: head, generator: &data)
        let noise = TranskimmerRandom.forcingNoise(layers: config.numHiddenLayers, batch: 6, seqLen: 14, generator: &data)
            .map { $0 / 40 }  // soft decisions with a real gradient
        func gradients(_ settings: SkimSettings) throws -> (loss: SkimForwardResult, grad: [Float]) {
            model.gradients.zero()
            var g = SeededGenerator(seed: 0)
            let r = try model.forward(input, training: true, generator: &g, skim: settings)
            model.backward()
            return (r, Array(model.gradients.buffer))
        }
        let g0 = try gradients(SkimSettings(lambda: 0, tau: 0.7, noise: .fixed(noise)))
        let g1 = try gradients(SkimSettings(lambda: 1, tau: 0.7, noise: .fixed(noise)))
        let target = SkimSettings(lambda: 0.8, tau: 0.7, targetKeep: 0.3, noise: .fixed(noise))
        let gt = try gradients(target)
        XCTAssertEqual(gt.loss.loss, gt.loss.taskLoss + 0.8 * pow(gt.loss.skimLoss - 0.3, 2), accuracy: 1e-12)
        XCTAssertEqual(g1.loss.loss, g1.loss.taskLoss + g1.loss.skimLoss, accuracy: 1e-12)
        let slope = Float(2 * 0.8 * (gt.loss.skimLoss - 0.3))
        let expected = zip(g0.grad, g1.grad).map { Double($0 + slope * ($1 - $0)) }
        assertClose(gt.grad, expected, tolerance: 1e-4, "target-ratio gradient")
        XCTAssertGreaterThan(zip(g0.grad, g1.grad).map { abs($0 - $1) }.max()!, 1e-4, "the skim term must reach the parameters")
    }

    func testLossScaleScalesEveryGradient() throws {
        let config = TranskimmerRandom.config()
        let model = TranskimmerRandom.model(config: config, head: head, seed: 6)
        var data = SeededGenerator(seed: 7)
        let input = TranskimmerRandom.input(batch: 4, seqLen: 10, config: config, head: head, generator: &data)
        let settings = SkimSettings(lambda: 0.5, tau: 1)
        var grads: [[Float]] = []
        for scale: Float in [1, 0.25] {
            model.gradients.zero()
            var g = SeededGenerator(seed: 8)
            _ = try model.forward(input, training: true, lossScale: scale, generator: &g, skim: settings)
            model.backward()
            grads.append(Array(model.gradients.buffer))
        }
        assertClose(grads[1], grads[0].map { Double($0) * 0.25 }, tolerance: 1e-6, "loss scale")
        XCTAssertTrue(grads[0].allSatisfy(\.isFinite))
        // With dropout on, the predictors of every layer receive a gradient.
        for l in 0..<config.numHiddenLayers {
            let g = model.gradient(TranskimmerNames.prefix(layer: l) + "1.weight")!
            XCTAssertGreaterThan(g.map(abs).max()!, 0, "predictor \(l) gradient")
        }
    }

    /// `skim.gumbel_noise_steps`: training decisions without noise are the inference decisions
    /// (with dropout off, the same masks as the deterministic forward, and nothing drawn from the
    /// generator), and the straight-through gradient still reaches every predictor.
    func testNoiseFreeTrainingDecisionsAreTheInferenceDecisions() throws {
        var config = TranskimmerRandom.config()
        config.hiddenDropoutProb = 0
        config.attentionProbsDropoutProb = 0
        let model = TranskimmerRandom.model(config: config, head: head, seed: 11)
        var data = SeededGenerator(seed: 12)
        let input = TranskimmerRandom.input(batch: 6, seqLen: 14, config: config, head: head, generator: &data)
        var generator = SeededGenerator(seed: 13)
        let inference = try model.forward(input, training: false, generator: &generator, skim: .inference)
        let inferenceMasks = (0..<config.numHiddenLayers).map(model.skimMask)
        model.gradients.zero()
        let before = generator
        let training = try model.forward(input, training: true, generator: &generator,
                                         skim: SkimSettings(lambda: 0.5, tau: 0.7, targetKeep: 0.5, noise: .none))
        XCTAssertEqual(generator, before, "no noise and no dropout drawn")
        XCTAssertEqual((0..<config.numHiddenLayers).map(model.skimMask), inferenceMasks)
        XCTAssertEqual(training.keptTokens, inference.keptTokens)
        XCTAssertLessThan(training.keptTokens.last!, training.realTokens, "some tokens are skimmed")
        model.backward()
        for l in 0..<config.numHiddenLayers {
            let g = model.gradient(TranskimmerNames.prefix(layer: l) + "1.weight")!
            XCTAssertGreaterThan(g.map(abs).max()!, 0, "predictor \(l) gradient")
        }
    }

    /// `skim.detach_predictor_input`: the skim loss reaches the encoder only through the
    /// predictors' inputs, so with them detached every encoder gradient is the same for any λ,
    /// while the predictors' gradients still move with λ. The top predictor sits below nothing
    /// that reads its input's gradient, so detaching leaves its gradient unchanged.
    func testDetachedPredictorInputsKeepTheSkimLossOutOfTheEncoder() throws {
        var config = TranskimmerRandom.config()
        config.hiddenDropoutProb = 0
        config.attentionProbsDropoutProb = 0
        let model = TranskimmerRandom.model(config: config, head: head, seed: 21)
        var data = SeededGenerator(seed: 22)
        let input = TranskimmerRandom.input(batch: 6, seqLen: 14, config: config, head: head, generator: &data)
        func gradients(lambda: Double, detach: Bool) throws -> [Float] {
            model.gradients.zero()
            var g = SeededGenerator(seed: 23)
            let result = try model.forward(input, training: true, generator: &g, skim: SkimSettings(
                lambda: lambda, tau: 0.7, targetKeep: 0.4, noise: .none, detachPredictorInput: detach))
            XCTAssertLessThan(result.keptTokens.last!, result.realTokens, "some tokens are skimmed")
            model.backward()
            return Array(model.gradients.buffer)
        }
        let encoder = model.layout.tensors.filter { !$0.isSkimPredictor }
        let predictors = model.layout.tensors.filter(\.isSkimPredictor)
        func slice(_ g: [Float], _ specs: [TensorSpec]) -> [Float] { specs.flatMap { g[$0.offset..<$0.offset + $0.count] } }
        func largestDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max()! }

        let detachedLow = try gradients(lambda: 0.5, detach: true), detachedHigh = try gradients(lambda: 5, detach: true)
        XCTAssertEqual(largestDifference(slice(detachedLow, encoder), slice(detachedHigh, encoder)), 0,
                       "λ must not reach the encoder")
        XCTAssertGreaterThan(largestDifference(slice(detachedLow, predictors), slice(detachedHigh, predictors)), 1e-4,
                             "λ still trains the predictors")
        let fullLow = try gradients(lambda: 0.5, detach: false), fullHigh = try gradients(lambda: 5, detach: false)
        XCTAssertGreaterThan(largestDifference(slice(fullLow, encoder), slice(fullHigh, encoder)), 1e-4,
                             "without detaching, λ reaches the encoder")
        let top = model.layout.tensors.filter { $0.name.hasPrefix(TranskimmerNames.prefix(layer: config.numHiddenLayers - 1)) }
        XCTAssertFalse(top.isEmpty)
        XCTAssertEqual(largestDifference(slice(detachedLow, top), slice(fullLow, top)), 0, "the top predictor")
        XCTAssertTrue(detachedLow.allSatisfy(\.isFinite))
    }

    func testDensePathOfASkimModelIgnoresPredictors() throws {
        let config = TranskimmerRandom.config(layers: 2)
        let skimModel = TranskimmerRandom.model(config: config, head: head, seed: 9)
        let dense = BertModel(config: config, head: head)
        for spec in dense.layout.tensors {
            (dense.parameters.pointer + spec.offset).update(from: skimModel.parameters.pointer + skimModel.layout.offset(spec.name),
                                                            count: spec.count)
        }
        var data = SeededGenerator(seed: 10)
        let input = TranskimmerRandom.input(batch: 3, seqLen: 9, config: config, head: head, generator: &data)
        // A skim training forward first, then a dense one: backward must follow the dense forward.
        var g = SeededGenerator(seed: 1)
        _ = try skimModel.forward(input, training: true, generator: &g, skim: SkimSettings(lambda: 1, tau: 1))
        skimModel.gradients.zero(); dense.gradients.zero()
        var g1 = SeededGenerator(seed: 2), g2 = SeededGenerator(seed: 2)
        let a = try skimModel.forward(input, training: true, generator: &g1)
        let b = try dense.forward(input, training: true, generator: &g2)
        skimModel.backward(); dense.backward()
        XCTAssertEqual(a.logits, b.logits)
        for spec in skimModel.layout.tensors {
            if spec.isSkimPredictor {
                XCTAssertTrue(skimModel.gradient(spec.name)!.allSatisfy { $0 == 0 }, spec.name)
            } else {
                XCTAssertEqual(skimModel.gradient(spec.name), dense.gradient(spec.name), spec.name)
            }
        }
    }

    func testBadSettingsAreRejected() throws {
        let config = TranskimmerRandom.config(layers: 2)
        let model = TranskimmerRandom.model(config: config, head: head, seed: 11)
        var g = SeededGenerator(seed: 1)
        let input = TranskimmerRandom.input(batch: 2, seqLen: 5, config: config, head: head, generator: &g)
        XCTAssertThrowsError(try model.forward(input, training: true, generator: &g, skim: SkimSettings(lambda: 1, tau: 0)))
        XCTAssertThrowsError(try model.forward(input, training: true, generator: &g,
                                               skim: SkimSettings(lambda: 1, tau: 1, noise: .fixed([0, 1]))))
        XCTAssertThrowsError(try SkimInference(model: model).forward(input, noise: .fixed([1]), tau: 1, generator: &g))
        let dense = BertModel(config: config, head: head)
        XCTAssertThrowsError(try dense.forward(input, training: false, generator: &g, skim: .inference))
    }
}
