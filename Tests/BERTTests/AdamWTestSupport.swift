import BERT
import Kernels

/// A 2-layer Transkimmer layout with random parameters and gradients, for the tests of AdamW's
/// per-tensor settings (the skim predictors' learning-rate group, frozen tensors).
struct AdamWGroupFixture {
    let config: BertConfiguration
    let layout: ParameterLayout
    /// The parameters every run starts from.
    let start: FlatBuffer
    /// The gradient applied at every step.
    let gradients: FlatBuffer

    init(labels: Int, seed: UInt64) {
        config = TranskimmerRandom.config(layers: 2)
        layout = ParameterLayout(config: config, head: .sequenceClassification(numLabels: labels), skim: .transkimmer)
        var generator = SeededGenerator(seed: seed)
        start = FlatBuffer(count: layout.totalCount)
        gradients = FlatBuffer(count: layout.totalCount)
        generator.fillNormal(start.buffer, std: 0.5)
        generator.fillNormal(gradients.buffer, std: 0.1)
    }

    /// A new buffer holding ``start``.
    func startingParameters() -> FlatBuffer {
        let parameters = FlatBuffer(count: layout.totalCount)
        _ = parameters.buffer.update(from: start.buffer)
        return parameters
    }
}
