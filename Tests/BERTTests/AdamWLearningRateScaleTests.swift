import BERT
import Kernels
import XCTest

/// A learning-rate multiplier on some tensors (the skim predictors' parameter group) gives exactly
/// the step those tensors take with the multiplied rate, and leaves the others' step unchanged.
final class AdamWLearningRateScaleTests: XCTestCase {
    func testScaledTensorsStepAsWithTheScaledRate() {
        let config = TranskimmerRandom.config(layers: 2)
        let layout = ParameterLayout(config: config, head: .sequenceClassification(numLabels: 3), skim: .transkimmer)
        var generator = SeededGenerator(seed: 3)
        let parameters = FlatBuffer(count: layout.totalCount), gradients = FlatBuffer(count: layout.totalCount)
        generator.fillNormal(parameters.buffer, std: 0.5)
        generator.fillNormal(gradients.buffer, std: 0.1)
        let isPredictor = { (spec: TensorSpec) in spec.name.contains(".skim_predictor.") }
        let base = AdamWSettings(learningRate: 1e-3, weightDecay: 0.1)
        var scaledSettings = base
        scaledSettings.learningRate *= 20

        func run(_ optimizer: AdamWOptimizer, _ settings: AdamWSettings) -> [Float] {
            let p = FlatBuffer(count: layout.totalCount)
            _ = p.buffer.update(from: parameters.buffer)
            for _ in 0..<3 { optimizer.step(parameters: p, gradients: gradients, settings: settings) }
            return Array(p.buffer)
        }
        let grouped = AdamWOptimizer(layout: layout)
        grouped.setLearningRateScale(20, where: isPredictor)
        let mixed = run(grouped, base)
        let plain = run(AdamWOptimizer(layout: layout), base)
        let allScaled = run(AdamWOptimizer(layout: layout), scaledSettings)
        XCTAssertEqual(grouped.learningRateScale.filter { $0 == 20 }.count, 8 * config.numHiddenLayers)
        for spec in layout.tensors {
            let expected = isPredictor(spec) ? allScaled : plain
            XCTAssertEqual(Array(mixed[spec.range]), Array(expected[spec.range]), spec.name)
        }
        XCTAssertNotEqual(plain, allScaled)
    }
}
