import BERT
import Kernels
import XCTest

/// Frozen tensors (the skim predictors after `skim.predictor_freeze_step`) keep their parameters
/// and Adam moments bit for bit, while every other tensor takes exactly the step it takes alone.
final class AdamWFrozenTensorTests: XCTestCase {
    func testFrozenTensorsKeepParametersAndMoments() {
        let fixture = AdamWGroupFixture(labels: 2, seed: 5)
        let layout = fixture.layout, gradients = fixture.gradients
        let settings = AdamWSettings(learningRate: 1e-3, weightDecay: 0.1)

        /// Two steps with everything trained, then two with the predictors frozen.
        func run(freezing: Bool) -> (parameters: [Float], m: [Float], v: [Float], afterTwo: [Float], mAfterTwo: [Float]) {
            let optimizer = AdamWOptimizer(layout: layout)
            let p = fixture.startingParameters()
            for _ in 0..<2 { optimizer.step(parameters: p, gradients: gradients, settings: settings) }
            let afterTwo = Array(p.buffer), mAfterTwo = Array(optimizer.m.buffer)
            if freezing { optimizer.setFrozen(true, where: \.isSkimPredictor) }
            for _ in 0..<2 { optimizer.step(parameters: p, gradients: gradients, settings: settings) }
            XCTAssertEqual(optimizer.frozen.filter { $0 }.count, freezing ? 8 * fixture.config.numHiddenLayers : 0)
            return (Array(p.buffer), Array(optimizer.m.buffer), Array(optimizer.v.buffer), afterTwo, mAfterTwo)
        }
        let frozen = run(freezing: true), trained = run(freezing: false)
        for spec in layout.tensors {
            let r = spec.range
            if spec.isSkimPredictor {
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
