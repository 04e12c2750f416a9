import Kernels

/// Embeddings and task head of the removal engine (inference: no dropout, no loss).
extension BertModel {
    /// Embedding output of every position into `u.output` [B·T, H] (padded positions keep it as their final state).
    func packedEmbeddings(_ input: ModelInput, buffers u: PackedBuffers) {
        let H = config.hiddenSize, T = input.seqLen, N = input.batch * T
        let sum = u.embeddingSum.pointer
        input.inputIds.withUnsafeBufferPointer { ids in
            Embedding.forward(ids: ids.baseAddress!, table: p(offsets.wordEmbeddings), out: sum, rows: N, width: H, accumulate: false)
        }
        input.typeIds.withUnsafeBufferPointer { ids in
            Embedding.forward(ids: ids.baseAddress!, table: p(offsets.typeEmbeddings), out: sum, rows: N, width: H, accumulate: true)
        }
        let positions = p(offsets.positionEmbeddings)
        for n in 0..<N {
            let dst = sum + n * H, src = positions + (n % T) * H
            for c in 0..<H { dst[c] += src[c] }
        }
        LayerNorm.forward(x: sum, gamma: p(offsets.embeddingNormGamma), beta: p(offsets.embeddingNormBeta), y: u.output.pointer,
                          mean: u.mean.pointer, rstd: u.rstd.pointer, rows: N, width: H, eps: config.layerNormEps)
    }

    /// Logits from the encoder output F [B·T, H]: [B, numLabels] (pooler on [CLS]) or [B·T, 2] (QA).
    func packedHead(batch B: Int, seqLen T: Int, buffers u: PackedBuffers) -> [Float] {
        let H = config.hiddenSize, F = u.output.pointer
        switch head {
        case .sequenceClassification(let labels):
            let first = u.first.pointer, pooled = u.pooled.pointer
            for b in 0..<B { (first + b * H).update(from: F + b * T * H, count: H) }
            Linear.forward(x: first, weight: p(offsets.pooler), bias: p(offsets.poolerBias), y: pooled, rows: B, inFeatures: H, outFeatures: H)
            Tanh.forward(x: pooled, y: pooled, count: B * H)
            var logits = [Float](repeating: 0, count: B * labels)
            logits.withUnsafeMutableBufferPointer { out in
                Linear.forward(x: pooled, weight: p(offsets.classifier), bias: p(offsets.classifierBias), y: out.baseAddress!,
                               rows: B, inFeatures: H, outFeatures: labels)
            }
            return logits
        case .questionAnswering:
            var logits = [Float](repeating: 0, count: B * T * 2)
            logits.withUnsafeMutableBufferPointer { out in
                Linear.forward(x: F, weight: p(offsets.classifier), bias: p(offsets.classifierBias), y: out.baseAddress!,
                               rows: B * T, inFeatures: H, outFeatures: 2)
            }
            return logits
        }
    }
}
