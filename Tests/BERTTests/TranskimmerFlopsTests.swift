import BERT
import Foundation
import Kernels
import XCTest

/// SPEC §5 FLOPs accounting.
final class TranskimmerFlopsTests: XCTestCase {
    func testFormulaOnHandComputedCounts() {
        // H = 4, F = 8, 2 layers.
        let config = BertConfiguration(vocabSize: 10, hiddenSize: 4, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 8,
                                       maxPositionEmbeddings: 16, typeVocabSize: 2, layerNormEps: 1e-12, hiddenDropoutProb: 0,
                                       attentionProbsDropoutProb: 0, classifierDropout: nil, padTokenId: 0, initializerRange: 0.02,
                                       numLabels: 2)
        var flops = SkimFlops(config: config)
        XCTAssertEqual(flops.layerMACs(tokens: 3), 456)  // 3·(4·16 + 2·4·8) + 2·9·4
        XCTAssertEqual(flops.predictorMACs(tokens: 3), 72)   // 3·(16 + 2·4)
        flops.add(realLength: 6, paddedLength: 10, kept: [4, 2])
        // Skim: predictor on 6 then layer on 4; predictor on 4 then layer on 2.
        let layer0: Double = 6 * 24 + 4 * 128 + 2 * 16 * 4
        let layer1: Double = 4 * 24 + 2 * 128 + 2 * 4 * 4
        let skim = layer0 + layer1
        let dense: Double = 2 * (6 * 128 + 2 * 36 * 4)
        let padded: Double = 2 * (10 * 128 + 2 * 100 * 4)
        XCTAssertEqual(flops.skimFLOPs, 2 * skim)
        XCTAssertEqual(flops.denseFLOPs, 2 * dense)
        XCTAssertEqual(flops.paddedDenseFLOPs, 2 * padded)
        XCTAssertEqual(flops.speedup, dense / skim, accuracy: 1e-12)
        XCTAssertEqual(flops.paddedSpeedup, padded / skim, accuracy: 1e-12)
        XCTAssertEqual(flops.keptFraction, [4.0 / 6, 2.0 / 6])
        XCTAssertTrue(flops.summary.contains("padded-baseline speedup (papers' convention"))

        // Only layer 1 carries a predictor: layer 0 runs all 6 tokens and costs no predictor.
        var partial = SkimFlops(config: config, predictorLayers: [1])
        partial.add(realLength: 6, paddedLength: 10, kept: [6, 2])
        XCTAssertEqual(partial.skimFLOPs, 2 * ((6 * 128 + 2 * 36 * 4) + layer1 + 2 * 24))
    }

    func testCountsFromMaskedAndRemovalForwardsAgree() throws {
        var (model, input, generator) = TranskimmerRandom.classifier(modelSeed: 5, inputSeed: 6, batch: 8, seqLen: 20)
        let config = model.config
        let noise = TranskimmerRandom.forcingNoise(layers: config.numHiddenLayers, batch: 8, seqLen: 20, generator: &generator)
        let masked = try model.forward(input, training: false, generator: &generator,
                                       skim: SkimSettings(lambda: 0, tau: 1, noise: .fixed(noise)))
        let removal = try SkimInference(model: model).forward(input, noise: .fixed(noise), tau: 1, generator: &generator)
        var a = SkimFlops(config: config), b = SkimFlops(config: config)
        a.add(masked, paddedLength: input.seqLen)
        b.add(removal, paddedLength: input.seqLen)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.keptFraction, masked.keptFraction)
        XCTAssertEqual(removal.keptFraction, masked.keptFraction)
        XCTAssertEqual(a.realTokens, input.realTokenCount)
        XCTAssertGreaterThan(a.speedup, 1)
        XCTAssertGreaterThan(a.paddedSpeedup, a.speedup, "padding inflates the papers' ratio")

        // Nothing skimmed: the skimming model costs the dense model plus its predictors.
        var none = SkimFlops(config: config)
        let dense = try SkimInference(model: model).forwardDense(input)
        none.add(dense, paddedLength: input.seqLen)
        let predictors = dense.realLengths.reduce(0.0) { $0 + Double(config.numHiddenLayers) * 2 * none.predictorMACs(tokens: $1) }
        XCTAssertEqual(none.skimFLOPs, none.denseFLOPs + predictors, accuracy: 1e-6 * none.denseFLOPs)
    }
}
