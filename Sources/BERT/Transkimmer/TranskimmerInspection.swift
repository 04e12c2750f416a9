/// Copies of the last skim forward's values, for tests, logs and diagnostics (B, T of that forward).
extension BertModel {
    private func skimCopy(_ buffer: FlatBuffer, _ l: Int, width: Int) -> [Float] {
        guard let s = skimState else { return [] }
        return Array(UnsafeBufferPointer(start: s.slice(buffer, l, width: width), count: current.tokens * width))
    }

    /// Cumulative keep mask M_l of layer l, [B, T] (exact 0/1).
    public func skimMask(_ l: Int) -> [Float] { skimState.map { skimCopy($0.mask, l, width: 1) } ?? [] }

    /// Predictor logits of layer l on its input hidden[l], [B, T, 2] (0 skim, 1 keep).
    public func skimPredictorLogits(_ l: Int) -> [Float] { skimState.map { skimCopy($0.logits, l, width: 2) } ?? [] }

    /// softmax((logits + g)/τ)[keep] of layer l, [B, T].
    public func skimSoftKeep(_ l: Int) -> [Float] { skimState.map { skimCopy($0.softKeep, l, width: 1) } ?? [] }

    /// F after layer l (each token's state from the last layer that kept it), [B, T, H]; l = L − 1 is the encoder output.
    public func skimForwarded(_ l: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: skimForwardedPointer(l + 1), count: current.tokens * config.hiddenSize))
    }

    /// Masked attention probabilities P = weights ⊙ M_l of layer l, [B, A, T, T].
    public func skimAttentionProbabilities(_ l: Int) -> [Float] {
        var p = attentionWeights(l)
        let mask = skimMask(l)
        let B = current.batch, A = config.numAttentionHeads, T = current.seqLen
        for b in 0..<B { for h in 0..<A { for q in 0..<T { for k in 0..<T {
            p[((b * A + h) * T + q) * T + k] *= mask[b * T + k]
        } } } }
        return p
    }
}
