import BERT
import Foundation
import Kernels

/// Random models, batches and decisions for the Transkimmer invariant tests.
enum TranskimmerRandom {
    static func config(layers: Int = 3) -> BertConfiguration {
        BertConfiguration(vocabSize: 50, hiddenSize: 32, numHiddenLayers: layers, numAttentionHeads: 4, intermediateSize: 48,
                          maxPositionEmbeddings: 64, typeVocabSize: 2, layerNormEps: 1e-12, hiddenDropoutProb: 0.1,
                          attentionProbsDropoutProb: 0.1, classifierDropout: nil, padTokenId: 0, initializerRange: 0.2,
                          numLabels: 3)
    }

    /// A model with random weights (larger than BERT's init so layers change the states visibly) and
    /// predictors whose last bias is small, so that noise-free decisions vary; predictors on
    /// `skimLayers` (nil: every layer), `predictorWidth` wide (nil: the hidden size).
    static func model(config: BertConfiguration, head: TaskHead, seed: UInt64, skimLayers: [Int]? = nil,
                      predictorWidth: Int? = nil) -> BertModel {
        let model = BertModel(config: config, head: head, skim: .transkimmer, skimLayers: skimLayers,
                              predictorWidth: predictorWidth)
        var generator = SeededGenerator(seed: seed)
        model.initializeWeights(generator: &generator)
        for spec in model.layout.tensors where spec.name.contains(".skim_predictor.4.") {
            let values = UnsafeMutableBufferPointer(start: model.parameters.pointer + spec.offset, count: spec.count)
            generator.fillNormal(values, std: 0.5)
        }
        return model
    }

    /// A random 3-layer, 3-label classifier with a predictor on every layer (`model`), and a batch
    /// of B sequences of length T for it drawn from a generator seeded `inputSeed`, returned
    /// after drawing so that a test can go on with it.
    static func classifier(modelSeed: UInt64, inputSeed: UInt64, batch B: Int, seqLen T: Int)
        -> (model: BertModel, input: ModelInput, generator: SeededGenerator) {
        let config = config(), head = TaskHead.sequenceClassification(numLabels: 3)
        let model = model(config: config, head: head, seed: modelSeed)
        var generator = SeededGenerator(seed: inputSeed)
        let input = input(batch: B, seqLen: T, config: config, head: head, generator: &generator)
        return (model, input, generator)
    }

    /// B sequences of length T with real lengths spread from 1 to T, random ids and type ids.
    static func input(batch B: Int, seqLen T: Int, config: BertConfiguration, head: TaskHead,
                      generator: inout SeededGenerator) -> ModelInput {
        var ids = [Int32](repeating: 0, count: B * T), types = ids
        var mask = [Float](repeating: 0, count: B * T)
        for b in 0..<B {
            let length = B == 1 ? T : 1 + (b * (T - 1)) / (B - 1)
            for t in 0..<length {
                ids[b * T + t] = t == 0 ? 2 : Int32(1 + Int(generator.next() % UInt64(config.vocabSize - 1)))
                types[b * T + t] = t >= length / 2 ? 1 : 0
                mask[b * T + t] = 1
            }
        }
        let target: ModelInput.Target
        switch head {
        case .sequenceClassification(let labels):
            target = .classes((0..<B).map { _ in Int(generator.next() % UInt64(labels)) })
        case .questionAnswering:
            target = .spans(start: (0..<B).map { _ in 0 }, end: (0..<B).map { _ in 0 })
        }
        return ModelInput(batch: B, seqLen: T, inputIds: ids, typeIds: types, attentionMask: mask, target: target)
    }

    /// Noise [L, B, T, 2] that forces decisions: sequence b keeps each token with probability
    /// between 0.05 (b = 0) and 1 (b = B − 1), shuffled over sequences; |g| = 40 dwarfs the logits.
    static func forcingNoise(layers L: Int, batch B: Int, seqLen T: Int, generator: inout SeededGenerator) -> [Float] {
        var keepProbability = (0..<B).map { B == 1 ? 0.5 : 0.05 + 0.95 * Double($0) / Double(B - 1) }
        keepProbability.shuffle(using: &generator)
        var noise = [Float](repeating: 0, count: L * B * T * 2)
        for l in 0..<L { for b in 0..<B { for t in 0..<T {
            let keep = generator.nextUniform() < keepProbability[b]
            noise[((l * B + b) * T + t) * 2 + 1] = keep ? 40 : -40
        } } }
        return noise
    }
}
