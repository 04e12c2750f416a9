import BERT
import Foundation
import Kernels
import SafeTensors
import XCTest

/// Checks every folder under Tests/Fixtures/transkimmer against its float64 reference (format in
/// the folder's README): the training forward with the stored Gumbel noise (masks exactly,
/// predictor logits, soft decisions, masked attention, layer outputs, forwarded states, logits,
/// losses), every gradient (BERT and predictors), the deterministic inference forward, and the
/// removal engine with the training decisions (`removal.*`) and with the inference decisions.
/// A new folder in the same format is checked without code changes.
final class TranskimmerFixtureTests: XCTestCase {
    let forwardTolerance = 1e-5
    let gradientTolerance = 1e-4

    func testEveryFixtureFolder() throws {
        let folders = try Paths.fixtureFolders("transkimmer")
        XCTAssertGreaterThanOrEqual(folders.count, 1, "expected tiny-transkimmer")
        for folder in folders { try check(TranskimmerFixture(folder: folder)) }
    }

    private func check(_ f: TranskimmerFixture) throws {
        let model = try f.base.makeModel(skim: .transkimmer)
        let exp = f.base.expected, n = f.base.name, L = f.base.config.numHiddenLayers
        model.gradients.zero()
        var generator = SeededGenerator(seed: 1)
        let result = try model.forward(f.base.input, training: true, generator: &generator, skim: f.trainingSettings)
        model.backward()

        try assertScalar(result.taskLoss, exp, "loss_task", n)
        try assertScalar(result.skimLoss, exp, "loss_skim", n)
        try assertScalar(result.loss, exp, "loss", n)
        assertClose(model.hiddenState(0), try exp.doubles("embeddings"), tolerance: forwardTolerance, "\(n): embeddings")
        for l in 0..<L {
            let masks = try exp.doubles("masks.\(l)")
            XCTAssertEqual(model.skimMask(l).map(Double.init), masks, "\(n): masks.\(l) must match exactly")
            XCTAssertEqual(result.keptTokens[l], Int(masks.reduce(0, +)), "\(n): kept tokens of layer \(l)")
            assertClose(model.skimPredictorLogits(l), try exp.doubles("predictor_logits.\(l)"), tolerance: forwardTolerance, "\(n): predictor_logits.\(l)")
            assertClose(model.skimSoftKeep(l), try exp.doubles("soft_keep.\(l)"), tolerance: forwardTolerance, "\(n): soft_keep.\(l)")
            assertClose(model.skimAttentionProbabilities(l), try exp.doubles("attentions.\(l)"), tolerance: forwardTolerance, "\(n): attentions.\(l)")
            assertClose(model.hiddenState(l + 1), try exp.doubles("layer_outputs.\(l)"), tolerance: forwardTolerance, "\(n): layer_outputs.\(l)")
            assertClose(model.skimForwarded(l), try exp.doubles("forwarded.\(l)"), tolerance: forwardTolerance, "\(n): forwarded.\(l)")
        }
        assertClose(model.skimForwarded(L - 1), try exp.doubles("last_hidden_state"), tolerance: forwardTolerance, "\(n): last_hidden_state")
        try assertLogits(result.logits, exp, prefix: "", f, "training forward")
        try checkGradients(model, exp, n)

        // Deterministic inference, masked.
        let inference = try model.forward(f.base.input, training: false, generator: &generator, skim: .inference)
        for l in 0..<L {
            XCTAssertEqual(model.skimMask(l).map(Double.init), try exp.doubles("inference.masks.\(l)"), "\(n): inference.masks.\(l)")
            assertClose(model.skimPredictorLogits(l), try exp.doubles("inference.predictor_logits.\(l)"), tolerance: forwardTolerance,
                        "\(n): inference.predictor_logits.\(l)")
        }
        try assertLogits(inference.logits, exp, prefix: "inference.", f, "masked inference")
        assertClose(model.skimForwarded(L - 1), try exp.doubles("inference.last_hidden_state"), tolerance: forwardTolerance,
                    "\(n): inference.last_hidden_state")

        // Physical removal: the training decisions (same noise), then the inference decisions.
        let engine = SkimInference(model: model, maxBatch: 1, maxSeqLen: 1)
        let removal = try engine.forward(f.base.input, noise: f.trainingSettings.noise, tau: f.trainingSettings.tau, generator: &generator)
        try assertLogits(removal.logits, exp, prefix: "removal.", f, "removal forward")
        assertClose(engine.lastHiddenState(), try exp.doubles("removal.last_hidden_state"), tolerance: forwardTolerance,
                    "\(n): removal.last_hidden_state")
        XCTAssertEqual(removal.keptPerSequence, result.keptPerSequence, "\(n): removal runs the training decisions")
        let removalInference = try engine.forward(f.base.input)
        try assertLogits(removalInference.logits, exp, prefix: "inference.", f, "removal inference")
        assertClose(engine.lastHiddenState(), try exp.doubles("inference.last_hidden_state"), tolerance: forwardTolerance,
                    "\(n): removal inference last_hidden_state")
        XCTAssertEqual(removalInference.keptPerSequence, inference.keptPerSequence, "\(n): removal runs the inference decisions")
    }

    private func assertScalar(_ value: Double, _ exp: SafeTensorsFile, _ key: String, _ n: String) throws {
        let expected = try exp.doubles(key)[0]
        XCTAssertEqual(value, expected, accuracy: forwardTolerance * max(1, abs(expected)), "\(n): \(key)")
    }

    /// Classification logits, or QA start/end logits (`<prefix>start_logits`, `<prefix>end_logits`).
    private func assertLogits(_ logits: [Float], _ exp: SafeTensorsFile, prefix: String, _ f: TranskimmerFixture,
                              _ what: String) throws {
        let n = f.base.name
        switch f.base.head {
        case .questionAnswering:
            let start = stride(from: 0, to: logits.count, by: 2).map { logits[$0] }
            let end = stride(from: 1, to: logits.count, by: 2).map { logits[$0] }
            assertClose(start, try exp.doubles(prefix + "start_logits"), tolerance: forwardTolerance, "\(n): \(what) start_logits")
            assertClose(end, try exp.doubles(prefix + "end_logits"), tolerance: forwardTolerance, "\(n): \(what) end_logits")
        case .sequenceClassification:
            assertClose(logits, try exp.doubles(prefix + "logits"), tolerance: forwardTolerance, "\(n): \(what) \(prefix)logits")
        }
    }

    /// Every tensor's gradient; ≈0 tensors (key biases) against the model's largest gradient entry.
    private func checkGradients(_ model: BertModel, _ exp: SafeTensorsFile, _ n: String) throws {
        var largest = 0.0
        for spec in model.layout.tensors { largest = max(largest, try exp.doubles("grad." + spec.name).map(abs).max()!) }
        let predictorTensors = model.layout.tensors.filter(\.isSkimPredictor)
        XCTAssertEqual(predictorTensors.count, 8 * model.config.numHiddenLayers, "\(n): 8 predictor tensors per layer")
        for spec in model.layout.tensors {
            let expected = try exp.doubles("grad." + spec.name)
            let ownLargest = expected.map(abs).max()!
            assertClose(model.gradient(spec.name)!, expected, tolerance: gradientTolerance,
                        floor: ownLargest <= 1e-9 * largest ? largest : 1e-30, "\(n): grad.\(spec.name)")
        }
    }
}

/// A transkimmer fixture folder: the BERT part (`FixtureCase`) plus τ, λ and the Gumbel noise.
struct TranskimmerFixture {
    let base: FixtureCase
    let tau: Double, lambda: Double
    /// g [L, B, T, 2] as float32 (stored bit-exactly in float64 in expected.safetensors).
    let noise: [Float]

    init(folder: URL) throws {
        base = try FixtureCase(folder: folder)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as! [String: Any]
        let skim = config["skim"] as! [String: Any]
        tau = (skim["tau"] as! NSNumber).doubleValue
        lambda = (skim["lambda"] as! NSNumber).doubleValue
        noise = try base.expected.doubles("gumbel_noise").map(Float.init)
    }

    var trainingSettings: SkimSettings { SkimSettings(lambda: lambda, tau: tau, noise: .fixed(noise)) }
}
