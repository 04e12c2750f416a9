import BERT
import Kernels
import XCTest

/// A learning-rate multiplier on some tensors (the skim predictors' parameter group) gives exactly
/// the step those tensors take with the multiplied rate, and leaves the others' step unchanged.
final class AdamWLearningRateScaleTests: XCTestCase {
    func testScaledTensorsStepAsWithTheScaledRate() {
        let fixture = AdamWGroupFixture(labels: 3, seed: 3)
        let layout = fixture.layout
        let base = AdamWSettings(learningRate: 1e-3, weightDecay: 0.1)
        var scaledSettings = base
        scaledSettings.learningRate *= 20

        func run(_ optimizer: AdamWOptimizer, _ settings: AdamWSettings) -> [Float] {
            let p = fixture.startingParameters()
            for _ in 0..<3 { optimizer.step(parameters: p, gradients: fixture.gradients, settings: settings) }
            return Array(p.buffer)
        }
        let grouped = AdamWOptimizer(layout: layout)
        grouped.setLearningRateScale(20, where: \.isSkimPredictor)
        let mixed = run(grouped, base)
        let plain = run(AdamWOptimizer(layout: layout), base)
        let allScaled = run(AdamWOptimizer(layout: layout), scaledSettings)
        XCTAssertEqual(grouped.learningRateScale.filter { $0 == 20 }.count, 8 * fixture.config.numHiddenLayers)
        for spec in layout.tensors {
            let expected = spec.isSkimPredictor ? allScaled : plain
            XCTAssertEqual(Array(mixed[spec.range]), Array(expected[spec.range]), spec.name)
        }
        XCTAssertNotEqual(plain, allScaled)
    }
}
