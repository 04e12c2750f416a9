/// Buffers of the Transkimmer training path, sized once for `capacity` tokens (B·T) and reused;
/// per-layer tensors are stacked: layer l of a [N, W] kind starts at l·capacity·W. Also remembers
/// what the last skim forward was, for `backward()`.
final class TranskimmerState {
    let capacity: Int
    /// Layer l's predictor; nil for a layer without one (it keeps every token M_{l−1} kept).
    let predictors: [PredictorOffsets?]

    /// Predictor intermediate values per layer (see `PredictorTape`): norm0 [L, N, H]; dense1,
    /// norm2, act [L, N, P] (P the predictors' inner width); the statistics [L, N].
    let norm0, mean0, rstd0, dense1, norm2, mean2, rstd2, act: FlatBuffer
    /// The predictors' inner width P.
    let predictorWidth: Int
    /// Predictor logits [L, N, 2]; Gumbel noise [L, N, 2] (layer-major, as `SkimNoise.fixed`).
    let logits, noise: FlatBuffer
    /// soft[keep], soft[keep]·soft[skim], decision m ([CLS] forced), cumulative mask M: [L, N].
    let softKeep, softProduct, decision, mask: FlatBuffer
    /// F after layer l (skimmed tokens keep their last state), [L, N, H]; F before layer 0 is the embedding output.
    let forwarded: FlatBuffer
    /// Attention mask as floats [N] (M before layer 0).
    let valid: FlatBuffer

    // Backward scratch: dF [N, H], d(loss)/dM of the current layer [N], dLogits [N, 2], two [N, max(H, P)].
    let dForwarded, dMask, dLogits, scratchA, scratchB: FlatBuffer

    /// The last forward was a skim forward (backward() then runs the skim backward).
    var active = false
    var settings = SkimSettings.inference
    var lossScale: Float = 1
    var skimLoss = 0.0
    var realTokens = 0

    init(capacity N: Int, hidden H: Int, predictorWidth P: Int, layers L: Int, predictors: [PredictorOffsets?], training: Bool) {
        capacity = N
        self.predictors = predictors
        predictorWidth = P
        func perLayer(_ width: Int) -> FlatBuffer { FlatBuffer(count: L * N * width) }
        norm0 = perLayer(H); mean0 = perLayer(1); rstd0 = perLayer(1); dense1 = perLayer(P)
        norm2 = perLayer(P); mean2 = perLayer(1); rstd2 = perLayer(1); act = perLayer(P)
        logits = perLayer(2); noise = perLayer(2)
        softKeep = perLayer(1); softProduct = perLayer(1); decision = perLayer(1); mask = perLayer(1)
        forwarded = perLayer(H)
        valid = FlatBuffer(count: N)
        let g = training ? 1 : 0
        dForwarded = FlatBuffer(count: g * N * H); dMask = FlatBuffer(count: g * N); dLogits = FlatBuffer(count: g * N * 2)
        scratchA = FlatBuffer(count: g * N * max(H, P)); scratchB = FlatBuffer(count: g * N * max(H, P))
    }

    var hasGradientBuffers: Bool { dMask.count > 0 }

    /// Slice of layer l of a stacked [L, capacity, width] buffer.
    @inline(__always) func slice(_ buffer: FlatBuffer, _ l: Int, width: Int = 1) -> UnsafeMutablePointer<Float> {
        buffer.pointer + l * capacity * width
    }

    /// The predictor tape of layer l (H = hidden size).
    func tape(_ l: Int, hidden H: Int) -> PredictorTape {
        let P = predictorWidth
        return PredictorTape(norm0: slice(norm0, l, width: H), mean0: slice(mean0, l), rstd0: slice(rstd0, l),
                             dense1: slice(dense1, l, width: P), norm2: slice(norm2, l, width: P), mean2: slice(mean2, l),
                             rstd2: slice(rstd2, l), act: slice(act, l, width: P), logits: slice(logits, l, width: 2))
    }
}
