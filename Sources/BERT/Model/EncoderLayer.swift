import Kernels

/// One post-LayerNorm BERT layer: self-attention → dense → dropout → residual → LayerNorm →
/// FFN (dense F, GELU, dense H) → dropout → residual → LayerNorm. Input hidden[l], output hidden[l+1].
extension BertModel {
    var attentionShape: AttentionShape {
        AttentionShape(batch: current.batch, seqLen: current.seqLen, heads: config.numAttentionHeads, headDim: config.headDim)
    }

    /// `keyKeep` [B, T] is Transkimmer's cumulative keep mask (nil: plain attention).
    func layerForward(_ l: Int, keyKeep: UnsafePointer<Float>?, generator: inout SeededGenerator) {
        let a = activations!, o = offsets.layers[l]
        let H = config.hiddenSize, F = config.intermediateSize, N = current.tokens
        let x = hiddenPointer(l), out = hiddenPointer(l + 1)
        let q = layerSlice(a.query, l, width: H), k = layerSlice(a.key, l, width: H), v = layerSlice(a.value, l, width: H)
        let ctx = layerSlice(a.context, l, width: H)
        Linear.forward(x: x, weight: p(o.query), bias: p(o.queryBias), y: q, rows: N, inFeatures: H, outFeatures: H)
        Linear.forward(x: x, weight: p(o.key), bias: p(o.keyBias), y: k, rows: N, inFeatures: H, outFeatures: H)
        Linear.forward(x: x, weight: p(o.value), bias: p(o.valueBias), y: v, rows: N, inFeatures: H, outFeatures: H)

        let shape = attentionShape
        var attentionMask: UnsafePointer<Float>? = nil
        if current.training && attentionDropout > 0 {
            let mask = attentionDropoutPointer(l)
            Dropout.sampleMask(mask, count: shape.probabilityCount, p: attentionDropout, generator: &generator)
            attentionMask = UnsafePointer(mask)
        }
        current.attentionMask.withUnsafeBufferPointer { valid in
            Attention.forward(shape: shape, q: q, k: k, v: v, keyValid: valid.baseAddress!, keyKeep: keyKeep,
                              weights: attentionWeightsPointer(l), dropoutMask: attentionMask,
                              context: ctx, scratch: a.attentionScratch.pointer)
        }

        let sum1 = layerSlice(a.attentionOutputSum, l, width: H), norm1 = layerSlice(a.attentionOutput, l, width: H)
        Linear.forward(x: ctx, weight: p(o.attentionOutput), bias: p(o.attentionOutputBias), y: sum1,
                       rows: N, inFeatures: H, outFeatures: H)
        addDropoutResidual(sum1, mask: layerSlice(a.attentionOutputDropout, l, width: H), residual: x,
                           count: N * H, generator: &generator)
        LayerNorm.forward(x: sum1, gamma: p(o.attentionNormGamma), beta: p(o.attentionNormBeta), y: norm1,
                          mean: layerSlice(a.attentionOutputMean, l, width: 1), rstd: layerSlice(a.attentionOutputRstd, l, width: 1),
                          rows: N, width: H, eps: config.layerNormEps)

        let pre = layerSlice(a.ffnPre, l, width: F), act = layerSlice(a.ffnAct, l, width: F)
        Linear.forward(x: norm1, weight: p(o.intermediate), bias: p(o.intermediateBias), y: pre, rows: N, inFeatures: H, outFeatures: F)
        GELU.forward(x: pre, y: act, count: N * F)
        let sum2 = layerSlice(a.outputSum, l, width: H)
        Linear.forward(x: act, weight: p(o.output), bias: p(o.outputBias), y: sum2, rows: N, inFeatures: F, outFeatures: H)
        addDropoutResidual(sum2, mask: layerSlice(a.outputDropout, l, width: H), residual: norm1,
                           count: N * H, generator: &generator)
        LayerNorm.forward(x: sum2, gamma: p(o.outputNormGamma), beta: p(o.outputNormBeta), y: out,
                          mean: layerSlice(a.outputMean, l, width: 1), rstd: layerSlice(a.outputRstd, l, width: 1),
                          rows: N, width: H, eps: config.layerNormEps)
    }

    /// branch = dropout(branch) + residual, drawing the mask in training.
    private func addDropoutResidual(_ branch: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
                                    residual: UnsafePointer<Float>, count: Int, generator: inout SeededGenerator) {
        if current.training && hiddenDropout > 0 {
            Dropout.sampleMask(mask, count: count, p: hiddenDropout, generator: &generator)
            for i in 0..<count { branch[i] = branch[i] * mask[i] + residual[i] }
        } else {
            for i in 0..<count { branch[i] += residual[i] }
        }
    }

    /// Takes d(loss)/d(hidden[l+1]) in `dHidden` and leaves d(loss)/d(hidden[l]) there; adds
    /// parameter gradients, and ∂L/∂M into `dKeyKeep` [B, T] when a keep mask was used.
    func layerBackward(_ l: Int, keyKeep: UnsafePointer<Float>?, dKeyKeep: UnsafeMutablePointer<Float>?) {
        let a = activations!, o = offsets.layers[l]
        let H = config.hiddenSize, F = config.intermediateSize, N = current.tokens
        let dropout = hiddenDropout > 0
        let x = hiddenPointer(l)
        let norm1 = layerSlice(a.attentionOutput, l, width: H), act = layerSlice(a.ffnAct, l, width: F)
        let dOut = a.dHidden.pointer, t1 = a.dT1.pointer, branch = a.dBranch.pointer, dF = a.dFFN.pointer

        // Output LayerNorm, then the FFN branch (through its dropout) and the residual.
        LayerNorm.backward(dy: dOut, x: layerSlice(a.outputSum, l, width: H), gamma: p(o.outputNormGamma),
                           mean: layerSlice(a.outputMean, l, width: 1), rstd: layerSlice(a.outputRstd, l, width: 1),
                           dx: t1, dGamma: g(o.outputNormGamma), dBeta: g(o.outputNormBeta), rows: N, width: H)
        let dSum2 = dropout ? masked(t1, layerSlice(a.outputDropout, l, width: H), into: branch, count: N * H) : UnsafePointer(t1)
        Linear.backward(dy: dSum2, x: act, weight: p(o.output), dx: dF, dWeight: g(o.output), dBias: g(o.outputBias),
                        rows: N, inFeatures: F, outFeatures: H)
        GELU.backward(dy: dF, x: layerSlice(a.ffnPre, l, width: F), dx: dF, count: N * F)
        Linear.backward(dy: dF, x: norm1, weight: p(o.intermediate), dx: t1, dWeight: g(o.intermediate),
                        dBias: g(o.intermediateBias), rows: N, inFeatures: H, outFeatures: F, accumulateInput: true)

        // Attention-output LayerNorm: its input gradient is also the residual gradient to x.
        LayerNorm.backward(dy: t1, x: layerSlice(a.attentionOutputSum, l, width: H), gamma: p(o.attentionNormGamma),
                           mean: layerSlice(a.attentionOutputMean, l, width: 1), rstd: layerSlice(a.attentionOutputRstd, l, width: 1),
                           dx: dOut, dGamma: g(o.attentionNormGamma), dBeta: g(o.attentionNormBeta), rows: N, width: H)
        let dSum1 = dropout ? masked(dOut, layerSlice(a.attentionOutputDropout, l, width: H), into: branch, count: N * H) : UnsafePointer(dOut)
        Linear.backward(dy: dSum1, x: layerSlice(a.context, l, width: H), weight: p(o.attentionOutput), dx: t1,
                        dWeight: g(o.attentionOutput), dBias: g(o.attentionOutputBias), rows: N, inFeatures: H, outFeatures: H)

        let q = layerSlice(a.query, l, width: H), k = layerSlice(a.key, l, width: H), v = layerSlice(a.value, l, width: H)
        Attention.backward(shape: attentionShape, q: q, k: k, v: v, keyKeep: keyKeep, weights: attentionWeightsPointer(l),
                           dropoutMask: current.training && attentionDropout > 0 ? UnsafePointer(attentionDropoutPointer(l)) : nil,
                           dContext: t1, dq: a.dQuery.pointer, dk: a.dKey.pointer, dv: a.dValue.pointer,
                           dKeyKeep: dKeyKeep, scratch: a.attentionScratch.pointer)
        for (d, w, b) in [(a.dQuery, o.query, o.queryBias), (a.dKey, o.key, o.keyBias), (a.dValue, o.value, o.valueBias)] {
            Linear.backward(dy: d.pointer, x: x, weight: p(w), dx: dOut, dWeight: g(w), dBias: g(b),
                            rows: N, inFeatures: H, outFeatures: H, accumulateInput: true)
        }
    }

    /// into[i] = d[i]·mask[i]; returns `into`.
    private func masked(_ d: UnsafePointer<Float>, _ mask: UnsafePointer<Float>, into: UnsafeMutablePointer<Float>,
                        count: Int) -> UnsafePointer<Float> {
        for i in 0..<count { into[i] = d[i] * mask[i] }
        return UnsafePointer(into)
    }
}
