import Kernels

/// What one removal forward returns.
public struct SkimInferenceResult {
    /// [B, numLabels] for classification, [B·T, 2] for QA (as `ForwardResult`).
    public var logits: [Float]
    /// Real (unpadded) tokens per sequence [B].
    public var realLengths: [Int]
    /// Tokens layer l ran on in sequence b ([CLS] included), [L][B]; the dense forward runs every real token.
    public var keptPerSequence: [[Int]]

    /// Per layer: tokens layer l ran on over all real tokens of the batch.
    public var keptFraction: [Double] {
        let real = Double(realLengths.reduce(0, +))
        return keptPerSequence.map { Double($0.reduce(0, +)) / real }
    }
}

/// Transkimmer inference with physical token removal (SPEC §4). Each layer runs only on the tokens
/// still kept: the kept tokens of every sequence are packed into one [n, H] matrix for the dense
/// GEMMs and attention runs per sequence on its kept tokens; a skimmed token's last state is
/// scattered to its position in the output F, which the head reads. No padding is processed by the
/// layers and no batch is split. Buffers are allocated for `maxBatch × maxSeqLen` and grow only
/// when a larger batch arrives. Not thread-safe: one engine per thread.
public final class SkimInference {
    public let model: BertModel
    /// Each layer's predictor (nil: the layer has none), nil for a model without predictors.
    private let predictors: [PredictorOffsets?]?
    var buffers: PackedBuffers
    private var last = (batch: 0, seqLen: 0)

    /// An engine over `model`'s parameters (read at every forward, so training updates are seen).
    public init(model: BertModel, maxBatch: Int = 32, maxSeqLen: Int = 128) {
        self.model = model
        predictors = PredictorOffsets.all(layout: model.layout, layers: model.config.numHiddenLayers)
        buffers = PackedBuffers(config: model.config, predictorWidth: model.layout.predictorWidth,
                                maxBatch: max(1, maxBatch), maxSeqLen: max(1, maxSeqLen))
    }

    /// Deterministic decisions: keep iff logit_keep + keepBias > logit_skim (with bias 0 the SPEC §2
    /// inference rule; a positive bias keeps more tokens, a negative one fewer).
    public func forward(_ input: ModelInput, keepBias: Double = 0) throws -> SkimInferenceResult {
        var unused = SeededGenerator(seed: 0)
        return try run(input, skim: true, noise: .none, tau: 1, keepBias: keepBias, generator: &unused)
    }

    /// Decisions keep iff (logit_keep + keepBias + g_keep)/τ > (logit_skim + g_skim)/τ with Gumbel
    /// noise g (`.sampled`: drawn from `generator` as one [L, B, T, 2] block, the masked forward's order).
    public func forward(_ input: ModelInput, noise: SkimNoise, tau: Double = 1, keepBias: Double = 0,
                        generator: inout SeededGenerator) throws -> SkimInferenceResult {
        try run(input, skim: true, noise: noise, tau: tau, keepBias: keepBias, generator: &generator)
    }

    /// The dense model on the same packed, unpadded tokens (no predictors, nothing skimmed): the
    /// unpadded dense baseline for wall-clock comparisons. Works on models without predictors.
    public func forwardDense(_ input: ModelInput) throws -> SkimInferenceResult {
        var unused = SeededGenerator(seed: 0)
        return try run(input, skim: false, noise: .none, tau: 1, keepBias: 0, generator: &unused)
    }

    /// Encoder output F of the last forward, [B, T, H] (skimmed tokens: output of the last layer
    /// that ran them; padded positions: the embedding output).
    public func lastHiddenState() -> [Float] {
        Array(UnsafeBufferPointer(start: buffers.output.pointer, count: last.batch * last.seqLen * model.config.hiddenSize))
    }

    private func run(_ input: ModelInput, skim: Bool, noise: SkimNoise, tau: Double, keepBias: Double,
                     generator: inout SeededGenerator) throws -> SkimInferenceResult {
        let config = model.config
        try input.validate(config, head: model.head)
        let L = config.numHiddenLayers, H = config.hiddenSize, B = input.batch, T = input.seqLen, N = B * T
        if skim && predictors == nil { throw ModelError.invalidInput("skim inference needs a model built with skim: .transkimmer") }
        guard tau > 0, tau.isFinite else { throw ModelError.invalidInput("skim temperature τ must be > 0, got \(tau)") }
        guard keepBias.isFinite else { throw ModelError.invalidInput("skim keep bias must be finite, got \(keepBias)") }
        if case .fixed(let g) = noise, g.count != L * N * 2 {
            throw ModelError.invalidInput("fixed skim noise needs \(L)·\(B)·\(T)·2 = \(L * N * 2) values, got \(g.count)")
        }
        if !buffers.fits(batch: B, seqLen: T) {
            buffers = PackedBuffers(config: config, predictorWidth: model.layout.predictorWidth,
                                    maxBatch: max(B, buffers.maxBatch), maxSeqLen: max(T, buffers.maxSeqLen))
        }
        let u = buffers
        last = (B, T)
        if noise == .sampled {
            for i in 0..<(L * N * 2) { u.noise[i] = Float(generator.nextGumbel()) }
        } else if case .fixed(let g) = noise {
            g.withUnsafeBufferPointer { u.noise.pointer.update(from: $0.baseAddress!, count: L * N * 2) }
        }

        model.packedEmbeddings(input, buffers: u)
        var n = gatherRealTokens(input, buffers: u, hidden: H)
        let realLengths = Array(u.segmentLength[0..<B])
        var kept = [[Int]](repeating: realLengths, count: L)
        let layerNoise: UnsafePointer<Float>? = noise == .none ? nil : UnsafePointer(u.noise.pointer)
        for l in 0..<L {
            if skim, let predictor = predictors?[l] {
                n = skimStep(predictor, rows: n, batch: B, seqLen: T, noise: layerNoise.map { $0 + l * N * 2 },
                             keepBias: Float(keepBias), invTau: Float(1 / tau), buffers: u)
            }
            kept[l] = Array(u.segmentLength[0..<B])
            model.packedLayerForward(l, buffers: u, rows: n, batch: B)
        }
        scatter(rows: 0..<n, buffers: u, hidden: H)
        return SkimInferenceResult(logits: model.packedHead(batch: B, seqLen: T, buffers: u), realLengths: realLengths,
                                   keptPerSequence: kept)
    }
}
