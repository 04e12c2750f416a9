import BERT
import Foundation
import Kernels
import SafeTensors
import XCTest

/// Checks every folder under Tests/Fixtures/bert against its float64 Hugging Face reference:
/// logits, loss, every hidden state and attention map, every parameter gradient, two AdamW steps.
/// A new folder in the same format is checked without code changes.
final class BertFixtureTests: XCTestCase {
    /// Forward values: max |Δ| ≤ 1e-5 of the tensor's largest entry.
    let forwardTolerance = 1e-5
    /// Gradients: max |Δ| ≤ 1e-4 of the tensor's largest entry; tensors that are 0 up to round-off
    /// in the reference (key biases, shift-invariant biases) are compared against 1e-4 of the largest
    /// gradient of the whole model instead.
    let gradientTolerance = 1e-4

    func testEveryFixtureFolder() throws {
        let folders = try Paths.fixtureFolders("bert")
        XCTAssertGreaterThanOrEqual(folders.count, 2, "expected tiny-bert and tiny-bert-qa")
        for folder in folders { try check(FixtureCase(folder: folder)) }
    }

    private func check(_ fixture: FixtureCase) throws {
        let model = try fixture.makeModel()
        let exp = fixture.expected
        model.gradients.zero()
        var generator = SeededGenerator(seed: 1)
        let result = try model.forward(fixture.input, training: true, generator: &generator)
        model.backward()
        let n = fixture.name

        XCTAssertEqual(result.loss, try exp.doubles("loss")[0], accuracy: 1e-5 * max(1, abs(result.loss)), "\(n): loss")
        switch fixture.head {
        case .questionAnswering:
            let start = stride(from: 0, to: result.logits.count, by: 2).map { result.logits[$0] }
            let end = stride(from: 1, to: result.logits.count, by: 2).map { result.logits[$0] }
            assertClose(start, try exp.doubles("start_logits"), tolerance: forwardTolerance, "\(n): start_logits")
            assertClose(end, try exp.doubles("end_logits"), tolerance: forwardTolerance, "\(n): end_logits")
        case .sequenceClassification:
            assertClose(result.logits, try exp.doubles("logits"), tolerance: forwardTolerance, "\(n): logits")
        }
        for l in 0...fixture.config.numHiddenLayers {
            assertClose(model.hiddenState(l), try exp.doubles("hidden_states.\(l)"), tolerance: forwardTolerance, "\(n): hidden_states.\(l)")
        }
        for l in 0..<fixture.config.numHiddenLayers {
            assertClose(model.attentionWeights(l), try exp.doubles("attentions.\(l)"), tolerance: forwardTolerance, "\(n): attentions.\(l)")
        }
        try checkGradients(model, exp, n)
        XCTAssertEqual(model.gradient("bert.embeddings.word_embeddings.weight")!.prefix(fixture.config.hiddenSize).allSatisfy { $0 == 0 },
                       true, "\(n): the padding row gets no gradient")
        if FileManager.default.fileExists(atPath: fixture.folder.appendingPathComponent("adamw.safetensors").path) {
            try checkAdamW(fixture, model)
        }
    }

    private func checkGradients(_ model: BertModel, _ exp: SafeTensorsFile, _ n: String) throws {
        var largest = 0.0
        for spec in model.layout.tensors { largest = max(largest, try exp.doubles("grad." + spec.name).map(abs).max()!) }
        for spec in model.layout.tensors {
            assertClose(model.gradient(spec.name)!, try exp.doubles("grad." + spec.name), tolerance: gradientTolerance,
                        floor: largest, "\(n): grad.\(spec.name)")
        }
    }

    /// Two AdamW steps (lr 1e-3, wd 0.01 on every tensor, as the reference) from the fixture weights.
    private func checkAdamW(_ fixture: FixtureCase, _ model: BertModel) throws {
        let reference = try SafeTensorsFile(contentsOf: fixture.folder.appendingPathComponent("adamw.safetensors"))
        let optimizer = AdamWOptimizer(layout: model.layout, decayEverything: true)
        // Tensors whose reference gradient is 0 up to round-off (≤ 1e-9 of the largest gradient entry).
        let gradients = try model.layout.tensors.map { try fixture.expected.doubles("grad." + $0.name).map(abs).max()! }
        let roundOffOnly = Set(zip(model.layout.tensors, gradients).filter { $0.1 <= 1e-9 * gradients.max()! }.map { $0.0.name })
        let settings = AdamWSettings(learningRate: 1e-3, weightDecay: 0.01)
        var generator = SeededGenerator(seed: 1)
        for step in 1...2 {
            model.gradients.zero()
            let loss = try model.forward(fixture.input, training: true, generator: &generator).loss
            model.backward()
            let key = step == 1 ? "loss_before_step1" : "loss_before_step2"
            XCTAssertEqual(loss, try reference.doubles(key)[0], accuracy: 1e-5, "\(fixture.name): \(key)")
            optimizer.step(parameters: model.parameters, gradients: model.gradients, settings: settings)
            for spec in model.layout.tensors {
                let expected = try reference.doubles("step\(step).\(spec.name)")
                if roundOffOnly.contains(spec.name) {
                    // Adam normalises the gradient: for a gradient that is pure round-off the reference's
                    // direction is noise too. Only the size of the move is defined: at most lr per step.
                    assertClose(model.tensor(spec.name)!, expected, tolerance: 2e-3 * Double(step), floor: 1,
                                "\(fixture.name): AdamW step \(step) \(spec.name) (round-off gradient)")
                } else {
                    assertClose(model.tensor(spec.name)!, expected, tolerance: 1e-5, floor: 1,
                                "\(fixture.name): AdamW step \(step) \(spec.name)")
                }
            }
        }
        let after = try model.forward(fixture.input, training: false, generator: &generator).loss
        XCTAssertEqual(after, try reference.doubles("loss_after_step2")[0], accuracy: 1e-5, "\(fixture.name): loss_after_step2")
    }
}
