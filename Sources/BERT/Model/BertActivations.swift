/// Every intermediate value backward needs, in buffers sized once for a capacity of
/// `maxBatch × maxSeqLen` tokens; a forward never allocates. Per-layer tensors are stacked:
/// layer l of a [N, W] kind starts at l·capacity·W.
final class BertActivations {
    let maxBatch: Int, maxSeqLen: Int
    let tokens: Int  // capacity in tokens, maxBatch · maxSeqLen

    // Embeddings: LayerNorm input, statistics, dropout mask.
    let embeddingSum, embeddingMean, embeddingRstd, embeddingDropout: FlatBuffer
    /// hidden[l] [N, H] for l = 0 … L: encoder input (l = 0) and each layer's output.
    let hidden: FlatBuffer
    let query, key, value, context: FlatBuffer
    /// Attention weights and dropout masks [B, A, T, T] per layer.
    let attentionWeights, attentionDropout: FlatBuffer
    let attentionOutputSum, attentionOutputMean, attentionOutputRstd, attentionOutputDropout, attentionOutput: FlatBuffer
    /// FFN pre-activation and GELU output [N, F] per layer.
    let ffnPre, ffnAct: FlatBuffer
    let outputSum, outputMean, outputRstd, outputDropout: FlatBuffer

    // Gradient scratch (one layer at a time).
    let dHidden, dT1, dBranch, dQuery, dKey, dValue: FlatBuffer
    let dFFN: FlatBuffer
    let attentionScratch: FlatBuffer

    init(config: BertConfiguration, maxBatch: Int, maxSeqLen: Int, training: Bool) {
        self.maxBatch = maxBatch
        self.maxSeqLen = maxSeqLen
        let N = maxBatch * maxSeqLen
        tokens = N
        let H = config.hiddenSize, F = config.intermediateSize, L = config.numHiddenLayers
        let P = maxBatch * config.numAttentionHeads * maxSeqLen * maxSeqLen
        func buffer(_ count: Int) -> FlatBuffer { FlatBuffer(count: count) }
        func perLayer(_ width: Int) -> FlatBuffer { FlatBuffer(count: L * N * width) }
        embeddingSum = buffer(N * H); embeddingMean = buffer(N); embeddingRstd = buffer(N)
        embeddingDropout = buffer(training ? N * H : 0)
        hidden = FlatBuffer(count: (L + 1) * N * H)
        query = perLayer(H); key = perLayer(H); value = perLayer(H); context = perLayer(H)
        attentionWeights = FlatBuffer(count: L * P)
        attentionDropout = FlatBuffer(count: training ? L * P : 0)
        attentionOutputSum = perLayer(H); attentionOutputMean = perLayer(1); attentionOutputRstd = perLayer(1)
        attentionOutputDropout = perLayer(training ? H : 0); attentionOutput = perLayer(H)
        ffnPre = perLayer(F); ffnAct = perLayer(F)
        outputSum = perLayer(H); outputMean = perLayer(1); outputRstd = perLayer(1)
        outputDropout = perLayer(training ? H : 0)
        let g = training ? 1 : 0
        dHidden = buffer(g * N * H); dT1 = buffer(g * N * H); dBranch = buffer(g * N * H)
        dQuery = buffer(g * N * H); dKey = buffer(g * N * H); dValue = buffer(g * N * H)
        dFFN = buffer(g * N * F)
        attentionScratch = buffer(2 * maxSeqLen * maxSeqLen)
    }

    func fits(batch: Int, seqLen: Int) -> Bool { batch <= maxBatch && seqLen <= maxSeqLen && batch * seqLen <= tokens }
}
