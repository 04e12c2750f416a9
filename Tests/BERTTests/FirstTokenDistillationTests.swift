import BERT
import Foundation
import Kernels
import XCTest

/// The [CLS]-state term of ``Distillation``: β·mean over sequences and features of (h − t)², with h
/// the student's final hidden state of token 0. Without dropout its loss is computable from the
/// student's own inference states, and its gradient reaches the last LayerNorm's bias (through
/// which h moves one for one) as 2β·scale·Σ_b (h_b − t_b)/(B·H): checked for the dense model and
/// for the Transkimmer forward, against the same forward with β = 0.
final class FirstTokenDistillationTests: XCTestCase {
    let B = 5, T = 12, beta = 0.7, scale: Float = 0.5

    func testDenseLossAndGradientOfTheClsStateTerm() throws {
        let model = BertModel(config: config, head: .sequenceClassification(numLabels: 3))
        var generator = SeededGenerator(seed: 3)
        model.initializeWeights(generator: &generator)
        try check(model) { input, generator in
            try model.forward(input, training: true, lossScale: self.scale, generator: &generator).loss
        }
    }

    func testTranskimmerLossAndGradientOfTheClsStateTerm() throws {
        let model = TranskimmerRandom.model(config: config, head: .sequenceClassification(numLabels: 3), seed: 5)
        var noiseGenerator = SeededGenerator(seed: 6)
        let noise = TranskimmerRandom.forcingNoise(layers: config.numHiddenLayers, batch: B, seqLen: T, generator: &noiseGenerator)
        let settings = SkimSettings(lambda: 0.5, tau: 1, noise: .fixed(noise))
        try check(model) { input, generator in
            let result = try model.forward(input, training: true, lossScale: self.scale, generator: &generator, skim: settings)
            XCTAssertLessThan(result.keptFraction.last!, 0.9, "some tokens skimmed")
            return result.taskLoss
        }
    }

    /// No dropout, so a training forward's states equal the inference states.
    private var config: BertConfiguration {
        var config = TranskimmerRandom.config()
        config.hiddenDropoutProb = 0
        config.attentionProbsDropoutProb = 0
        return config
    }

    private func check(_ model: BertModel, file: StaticString = #filePath, line: UInt = #line,
                       _ forward: (ModelInput, inout SeededGenerator) throws -> Double) throws {
        let H = model.config.hiddenSize
        var generator = SeededGenerator(seed: 9)
        let plain = TranskimmerRandom.input(batch: B, seqLen: T, config: model.config, head: model.head, generator: &generator)
        guard case .classes(let classes) = plain.target else { return XCTFail("a classification batch") }
        let teacherLogits = (0..<(B * 3)).map { _ in Float(generator.nextUniform() * 4 - 2) }
        let teacherStates = (0..<(B * H)).map { _ in Float(generator.nextUniform() * 2 - 1) }
        let lastBias = "bert.encoder.layer.\(model.config.numHiddenLayers - 1).output.LayerNorm.bias"

        func run(_ weight: Double) throws -> (loss: Double, lastBiasGradient: [Float]) {
            var input = plain
            input.target = .distilled(classes: classes, Distillation(teacherLogits: teacherLogits, alpha: 0.5, temperature: 2,
                                                                     teacherFirstToken: teacherStates, firstTokenWeight: weight))
            var dropout = SeededGenerator(seed: 1)
            model.gradients.zero()
            let loss = try forward(input, &dropout)
            model.backward()
            return (loss, try XCTUnwrap(model.gradient(lastBias)))
        }
        let without = try run(0), with = try run(beta)

        // h: the student's [CLS] states, from inference on the same batch (the same decisions).
        let states: [Float]
        if model.layout.skim == .transkimmer {
            let forwarded = model.skimForwarded(model.config.numHiddenLayers - 1)
            states = (0..<B).flatMap { b in forwarded[(b * T * H)..<(b * T * H + H)] }
        } else {
            states = try model.predictWithFirstToken(plain).firstToken
        }
        var squared = 0.0
        var expected = [Double](repeating: 0, count: H)
        for b in 0..<B { for j in 0..<H {
            let difference = Double(states[b * H + j]) - Double(teacherStates[b * H + j])
            squared += difference * difference
            expected[j] += 2 * beta * Double(scale) * difference / Double(B * H)
        } }
        XCTAssertEqual(with.loss - without.loss, beta * squared / Double(B * H), accuracy: 1e-5, "loss", file: file, line: line)
        let observed = zip(with.lastBiasGradient, without.lastBiasGradient).map { Double($0 - $1) }
        let largest = expected.map(abs).max()!
        XCTAssertGreaterThan(largest, 1e-3, "the term must matter", file: file, line: line)
        for j in 0..<H {
            XCTAssertEqual(observed[j], expected[j], accuracy: 1e-4 * largest + 1e-6, "feature \(j)", file: file, line: line)
        }
    }
}
