import Kernels

/// The Transkimmer masked forward (SPEC §2): fixed shapes, every position through every layer and
/// predictor, decisions as masks. Used for training (straight-through Gumbel decisions) and as the
/// masked reference of the removal engine (`SkimSettings.inference`).
extension BertModel {
    /// Runs the skimming model on a batch. Before layer l the predictor reads the layer input
    /// hidden[l] (all B·T positions), decides, and the cumulative mask M_l masks the keys of layer l
    /// (a layer without a predictor keeps M_{l−1}); noise is drawn for every layer either way;
    /// the head reads F, where each token holds the output of the last layer that kept it.
    /// In training the gradient of `lossScale · loss` (task + skim term) is kept for `backward()`.
    /// Noise (`.sampled`) is drawn from `generator` as one [L, B, T, 2] block before the embeddings.
    public func forward(_ input: ModelInput, training: Bool, lossScale: Float = 1,
                        generator: inout SeededGenerator, skim: SkimSettings) throws -> SkimForwardResult {
        try input.validate(config, head: head)
        if training, case .none = input.target { throw ModelError.invalidInput("a training forward needs a target") }
        guard skim.tau > 0, skim.tau.isFinite else { throw ModelError.invalidInput("skim temperature τ must be > 0, got \(skim.tau)") }
        guard skim.keepBias.isFinite else { throw ModelError.invalidInput("skim keep bias must be finite, got \(skim.keepBias)") }
        let L = config.numHiddenLayers, H = config.hiddenSize, B = input.batch, T = input.seqLen, N = B * T
        if case .fixed(let g) = skim.noise, g.count != L * N * 2 {
            throw ModelError.invalidInput("fixed skim noise needs \(L)·\(B)·\(T)·2 = \(L * N * 2) values, got \(g.count)")
        }
        let state = try prepareSkim(tokens: N, training: training)
        prepare(batch: B, seqLen: T, training: training)
        current = CurrentBatch(batch: B, seqLen: T, training: training,
                               inputIds: input.inputIds, typeIds: input.typeIds, attentionMask: input.attentionMask)
        state.active = false
        let valid = state.valid.pointer
        for n in 0..<N { valid[n] = input.attentionMask[n] != 0 ? 1 : 0 }
        drawNoise(skim.noise, into: state, layers: L, tokens: N, generator: &generator)

        embeddingsForward(generator: &generator)
        let tau = Float(skim.tau)
        for l in 0..<L {
            let mask = state.slice(state.mask, l)
            let previous = l == 0 ? valid : state.slice(state.mask, l - 1)
            if let predictor = state.predictors[l] {
                SkimPredictor.forward(x: hiddenPointer(l), rows: N, hidden: H, parameters: parameters.pointer, offsets: predictor,
                                      tape: state.tape(l, hidden: H))
                let noise: UnsafePointer<Float>? = skim.noise == .none ? nil : UnsafePointer(state.slice(state.noise, l, width: 2))
                SkimDecision.forward(logits: state.slice(state.logits, l, width: 2), noise: noise, tau: tau,
                                     keepBias: Float(skim.keepBias), previous: previous, tokens: N, seqLen: T,
                                     softKeep: state.slice(state.softKeep, l), softProduct: state.slice(state.softProduct, l),
                                     m: state.slice(state.decision, l), mask: mask)
            } else {
                SkimDecision.keepAll(previous: previous, tokens: N, logits: state.slice(state.logits, l, width: 2),
                                     softKeep: state.slice(state.softKeep, l), softProduct: state.slice(state.softProduct, l),
                                     m: state.slice(state.decision, l), mask: mask)
            }
            layerForward(l, keyKeep: mask, generator: &generator)
            Forwarding.forward(previous: skimForwardedPointer(l), layerOutput: hiddenPointer(l + 1), mask: mask,
                               out: skimForwardedPointer(l + 1), tokens: N, hidden: H)
        }
        let task = headForward(encoderOutput: skimForwardedPointer(L), target: input.target, lossScale: lossScale,
                               generator: &generator)

        let counts = SkimLoss.keptCounts(masks: state.mask.pointer, layerStride: state.capacity, layers: L, batch: B, seqLen: T)
        let real = input.realTokenCount
        let realLengths = (0..<B).map { b in (0..<T).reduce(0) { $0 + (valid[b * T + $1] != 0 ? 1 : 0) } }
        let skimLoss = SkimLoss.value(keptTokens: counts.total, realTokens: real)
        state.settings = skim
        state.skimLoss = skimLoss
        state.lossScale = lossScale
        state.realTokens = real
        state.active = training
        return SkimForwardResult(loss: task.loss + skim.penalty(skimLoss: skimLoss, realTokens: real), taskLoss: task.loss, skimLoss: skimLoss,
                                 logits: task.logits, keptFraction: counts.total.map { Double($0) / Double(real) },
                                 keptTokens: counts.total, realTokens: real, realLengths: realLengths, keptPerSequence: counts.perSequence)
    }

    /// F before layer l (l = 0: the embedding output) = F after layer l − 1, [B·T, H].
    @inline(__always) func skimForwardedPointer(_ l: Int) -> UnsafeMutablePointer<Float> {
        l == 0 ? hiddenPointer(0) : skimState!.slice(skimState!.forwarded, l - 1, width: config.hiddenSize)
    }

    /// Makes sure the skim buffers hold `tokens` tokens (and gradient buffers in training).
    func prepareSkim(tokens: Int, training: Bool) throws -> TranskimmerState {
        if let s = skimState, s.capacity >= tokens, !training || s.hasGradientBuffers { return s }
        guard let predictors = PredictorOffsets.all(layout: layout, layers: config.numHiddenLayers) else {
            throw ModelError.invalidInput("a skim forward needs a model built with skim: .transkimmer")
        }
        let keep = skimState
        skimState = nil
        let state = TranskimmerState(capacity: max(tokens, keep?.capacity ?? 0), hidden: config.hiddenSize,
                                     predictorWidth: layout.predictorWidth, layers: config.numHiddenLayers, predictors: predictors,
                                     training: training || (keep?.hasGradientBuffers ?? false))
        skimState = state
        return state
    }

    private func drawNoise(_ noise: SkimNoise, into state: TranskimmerState, layers L: Int, tokens N: Int,
                           generator: inout SeededGenerator) {
        for l in 0..<L {
            let dst = state.slice(state.noise, l, width: 2)
            switch noise {
            case .none: dst.update(repeating: 0, count: N * 2)
            case .sampled: for i in 0..<(N * 2) { dst[i] = Float(generator.nextGumbel()) }
            case .fixed(let g): g.withUnsafeBufferPointer { dst.update(from: $0.baseAddress! + l * N * 2, count: N * 2) }
            }
        }
    }
}
