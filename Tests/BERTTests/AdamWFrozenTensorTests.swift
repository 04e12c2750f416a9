import BERT
import Kernels
import XCTest

/// Frozen tensors (the skim predictors after `skim.predictor_freeze_step`) keep their parameters
/// and Adam moments bit for bit, while every other tensor takes exactly the step it takes alone.
final class AdamWFrozenTensorTests: XCTestCase {
    func testFrozenTensorsKeepParametersAndMoments() {
        let config = TranskimmerRandom.config(layers: 2)
        let layout = ParameterLayout(config: config, head: .sequenceClassification(numLabels: 2), skim: .transkimmer)
        var generator = SeededGenerator(seed: 5)
        let start = FlatBuffer(count: layout.totalCount), gradients = FlatBuffer(count: layout.totalCount)
        generator.fillNormal(start.buffer, std: 0.5)
        generator.fillNormal(gradients.buffer, std: 0.1)
        let isPredictor = { (spec: TensorSpec) in spec.name.contains(".skim_predictor.") }
        let settings = AdamWSettings(learningRate: 1e-3, weightDecay: 0.1)

        /// Two steps with everything trained, then two with the predictors frozen.
        func run(freezing: Bool) -> (parameters: [Float], m: [Float], v: [Float], afterTwo: [Float], mAfterTwo: [Float]) {
            let optimizer = AdamWOptimizer(layout: layout)
            let p = FlatBuffer(count: layout.totalCount)
            _ = p.buffer.update(from: start.buffer)
            for _ in 0..<2 { optimizer.step(parameters: p, gradients: gradients, settings: settings) }
            let afterTwo = Array(p.buffer), mAfterTwo = Array(optimizer.m.buffer)
            if freezing { optimizer.setFrozen(true, where: isPredictor) }
            for _ in 0..<2 { optimizer.step(parameters: p, gradients: gradients, settings: settings) }
            XCTAssertEqual(optimizer.frozen.filter { $0 }.count, freezing ? 8 * config.numHiddenLayers : 0)
            return (Array(p.buffer), Array(optimizer.m.buffer), Array(optimizer.v.buffer), afterTwo, mAfterTwo)
        }
        let frozen = run(freezing: true), trained = run(freezing: false)
        for spec in layout.tensors {
            let r = spec.range
            if isPredictor(spec) {
                XCTAssertEqual(Array(frozen.parameters[r]), Array(frozen.afterTwo[r]), spec.name)
                XCTAssertEqual(Array(frozen.m[r]), Array(frozen.mAfterTwo[r]), spec.name)
                XCTAssertNotEqual(Array(trained.parameters[r]), Array(frozen.parameters[r]), spec.name)
            } else {
                XCTAssertEqual(Array(frozen.parameters[r]), Array(trained.parameters[r]), spec.name)
                XCTAssertEqual(Array(frozen.v[r]), Array(trained.v[r]), spec.name)
            }
        }
    }
}
