/// Buffers of the removal engine, allocated once for `maxBatch × maxSeqLen` padded tokens and reused;
/// a batch never allocates per token. Packed tensors hold the alive tokens of the whole batch as
/// rows, sequence by sequence, in position order (row r is token `positions[r]` = b·T + t).
final class PackedBuffers {
    let maxBatch: Int, maxSeqLen: Int
    /// Capacity in tokens, maxBatch · maxSeqLen.
    let capacity: Int

    /// Output F [B·T, H] (padded layout): each token's state from the last layer that ran it.
    let output: FlatBuffer
    /// Embedding sum before its LayerNorm [B·T, H] and the LayerNorm statistics [B·T].
    let embeddingSum: FlatBuffer
    /// Packed layer input/output X [n, H] and the layer's intermediate values.
    let x, query, key, value, context, sum, norm: FlatBuffer
    /// FFN intermediate [n, F].
    let ffn: FlatBuffer
    /// LayerNorm statistics [n] (values not needed after the forward).
    let mean, rstd: FlatBuffer
    /// Predictor intermediate values: norm0 [n, H]; dense1, norm2, act [n, P] (P the predictors'
    /// inner width); logits [n, 2].
    let predNorm0, predDense1, predNorm2, predAct, predLogits: FlatBuffer
    /// Attention of one sequence: weights [A, T, T], scratch [2, T, T], all-ones key mask [T].
    let attentionWeights, attentionScratch, ones: FlatBuffer
    /// Pooler rows: encoder output at [CLS] and pooler output [B, H].
    let first, pooled: FlatBuffer
    /// Gumbel noise [L, B·T, 2] when sampled at inference.
    let noise: FlatBuffer

    /// Row r of the packed tensors is token positions[r] (b·T + t); sequence b owns rows
    /// segmentStart[b] ..< segmentStart[b] + segmentLength[b].
    var positions: [Int]
    var segmentStart: [Int], segmentLength: [Int]

    init(config: BertConfiguration, predictorWidth P: Int, maxBatch: Int, maxSeqLen: Int) {
        self.maxBatch = maxBatch
        self.maxSeqLen = maxSeqLen
        let N = maxBatch * maxSeqLen, H = config.hiddenSize, T = maxSeqLen, A = config.numAttentionHeads
        capacity = N
        func rows(_ width: Int) -> FlatBuffer { FlatBuffer(count: N * width) }
        output = rows(H); embeddingSum = rows(H)
        x = rows(H); query = rows(H); key = rows(H); value = rows(H); context = rows(H); sum = rows(H); norm = rows(H)
        ffn = rows(config.intermediateSize)
        mean = rows(1); rstd = rows(1)
        predNorm0 = rows(H); predDense1 = rows(P); predNorm2 = rows(P); predAct = rows(P); predLogits = rows(2)
        attentionWeights = FlatBuffer(count: A * T * T); attentionScratch = FlatBuffer(count: 2 * T * T)
        ones = FlatBuffer(count: T)
        ones.buffer.update(repeating: 1)
        first = FlatBuffer(count: maxBatch * H); pooled = FlatBuffer(count: maxBatch * H)
        noise = FlatBuffer(count: config.numHiddenLayers * N * 2)
        positions = [Int](repeating: 0, count: N)
        segmentStart = [Int](repeating: 0, count: maxBatch)
        segmentLength = [Int](repeating: 0, count: maxBatch)
    }

    func fits(batch: Int, seqLen: Int) -> Bool { batch <= maxBatch && seqLen <= maxSeqLen }

    /// The predictor tape over the packed rows (statistics shared with the layer's: not needed later).
    var predictorTape: PredictorTape {
        PredictorTape(norm0: predNorm0.pointer, mean0: mean.pointer, rstd0: rstd.pointer, dense1: predDense1.pointer,
                      norm2: predNorm2.pointer, mean2: mean.pointer, rstd2: rstd.pointer, act: predAct.pointer,
                      logits: predLogits.pointer)
    }
}
