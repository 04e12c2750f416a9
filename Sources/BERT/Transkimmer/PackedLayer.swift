import Kernels

/// One BERT layer on packed rows (removal inference): the dense parts (QKV, output projection,
/// FFN, LayerNorms) run once over the n alive tokens of the whole batch, attention runs per
/// sequence over that sequence's alive tokens only (plain softmax: every key is kept).
extension BertModel {
    /// X [n, H] in `buffers.x` is replaced by the layer's output; segments give each sequence's rows.
    func packedLayerForward(_ l: Int, buffers u: PackedBuffers, rows n: Int, batch B: Int) {
        guard n > 0 else { return }
        let o = offsets.layers[l]
        let H = config.hiddenSize, F = config.intermediateSize, eps = config.layerNormEps
        let x = u.x.pointer, q = u.query.pointer, k = u.key.pointer, v = u.value.pointer, ctx = u.context.pointer
        Linear.forward(x: x, weight: p(o.query), bias: p(o.queryBias), y: q, rows: n, inFeatures: H, outFeatures: H)
        Linear.forward(x: x, weight: p(o.key), bias: p(o.keyBias), y: k, rows: n, inFeatures: H, outFeatures: H)
        Linear.forward(x: x, weight: p(o.value), bias: p(o.valueBias), y: v, rows: n, inFeatures: H, outFeatures: H)
        for b in 0..<B {
            let len = u.segmentLength[b]
            guard len > 0 else { continue }
            let start = u.segmentStart[b] * H
            let shape = AttentionShape(batch: 1, seqLen: len, heads: config.numAttentionHeads, headDim: config.headDim)
            Attention.forward(shape: shape, q: q + start, k: k + start, v: v + start, keyValid: u.ones.pointer, keyKeep: nil,
                              weights: u.attentionWeights.pointer, dropoutMask: nil, context: ctx + start,
                              scratch: u.attentionScratch.pointer)
        }
        // sum = ctx·Woᵀ + bo + x ; norm = LN(sum)
        let sum = u.sum.pointer, norm = u.norm.pointer
        Linear.forward(x: ctx, weight: p(o.attentionOutput), bias: p(o.attentionOutputBias), y: sum, rows: n, inFeatures: H, outFeatures: H)
        for i in 0..<(n * H) { sum[i] += x[i] }
        LayerNorm.forward(x: sum, gamma: p(o.attentionNormGamma), beta: p(o.attentionNormBeta), y: norm,
                          mean: u.mean.pointer, rstd: u.rstd.pointer, rows: n, width: H, eps: eps)
        // FFN: sum = GELU(norm·W1ᵀ + b1)·W2ᵀ + b2 + norm ; x = LN(sum)
        let ffn = u.ffn.pointer
        Linear.forward(x: norm, weight: p(o.intermediate), bias: p(o.intermediateBias), y: ffn, rows: n, inFeatures: H, outFeatures: F)
        GELU.forward(x: ffn, y: ffn, count: n * F)
        Linear.forward(x: ffn, weight: p(o.output), bias: p(o.outputBias), y: sum, rows: n, inFeatures: F, outFeatures: H)
        for i in 0..<(n * H) { sum[i] += norm[i] }
        LayerNorm.forward(x: sum, gamma: p(o.outputNormGamma), beta: p(o.outputNormBeta), y: x,
                          mean: u.mean.pointer, rstd: u.rstd.pointer, rows: n, width: H, eps: eps)
    }
}
