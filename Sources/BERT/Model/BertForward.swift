import Kernels

/// What one forward pass returns.
public struct ForwardResult {
    /// Mean loss over the batch (0 when the input has no target).
    public var loss: Double
    /// [B, numLabels] for classification, [B·T, 2] (start, end) for QA.
    public var logits: [Float]
}

extension BertModel {
    /// Runs the model on a batch. In training, dropout masks are drawn from `generator` and the
    /// gradient of `lossScale · loss` with respect to the logits is kept for `backward()`.
    public func forward(_ input: ModelInput, training: Bool, lossScale: Float = 1,
                        generator: inout SeededGenerator) throws -> ForwardResult {
        try input.validate(config, head: head)
        if training, case .none = input.target { throw ModelError.invalidInput("a training forward needs a target") }
        prepare(batch: input.batch, seqLen: input.seqLen, training: training)
        skimState?.active = false
        current = CurrentBatch(batch: input.batch, seqLen: input.seqLen, training: training,
                               inputIds: input.inputIds, typeIds: input.typeIds, attentionMask: input.attentionMask)
        embeddingsForward(generator: &generator)
        for l in 0..<config.numHiddenLayers { layerForward(l, keyKeep: nil, generator: &generator) }
        return headForward(encoderOutput: hiddenPointer(config.numHiddenLayers), target: input.target,
                           lossScale: lossScale, generator: &generator)
    }

    /// Inference without dropout and without a loss.
    public func predict(_ input: ModelInput) throws -> [Float] {
        var unused = SeededGenerator(seed: 0)
        var plain = input
        plain.target = .none
        return try forward(plain, training: false, generator: &unused).logits
    }

    /// Inference logits and the final hidden state of token 0 ([CLS]) per sequence [B, H]: what a
    /// distillation teacher gives its student (``Distillation``).
    public func predictWithFirstToken(_ input: ModelInput) throws -> (logits: [Float], firstToken: [Float]) {
        let logits = try predict(input)
        return (logits, firstTokenStates(hiddenPointer(config.numHiddenLayers), batch: input.batch, seqLen: input.seqLen))
    }

    /// Backward of the last training forward: adds every parameter's gradient into `gradients`.
    ///
    /// `gradientsReady(offset)` is called, last layer first, as soon as every gradient at element
    /// `offset` and above of the flat block is final: after the head, then after each layer. A
    /// data-parallel trainer starts reducing those while backward goes on (the embeddings, at
    /// offset 0, are final when `backward` returns).
    public func backward(gradientsReady: ((Int) throws -> Void)? = nil) rethrows {
        precondition(current.training, "backward needs a training forward first")
        if let skim = skimState, skim.active { return try skimBackward(skim, gradientsReady: gradientsReady) }
        let a = activations!
        headBackward(encoderOutput: hiddenPointer(config.numHiddenLayers), dEncoderOutput: a.dHidden.pointer)
        try gradientsReady?(layout.headOffset)
        for l in stride(from: config.numHiddenLayers - 1, through: 0, by: -1) {
            layerBackward(l, keyKeep: nil, dKeyKeep: nil)
            try gradientsReady?(layout.firstOffset(ofLayer: l))
        }
        embeddingsBackward()
    }

    /// Hidden states after the embeddings (l = 0) or after layer l − 1, [B·T·H] (a copy).
    public func hiddenState(_ l: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: hiddenPointer(l), count: current.tokens * config.hiddenSize))
    }

    /// Attention weights of layer l, [B, A, T, T] (a copy). Without skimming these are the probabilities.
    public func attentionWeights(_ l: Int) -> [Float] {
        let count = current.batch * config.numAttentionHeads * current.seqLen * current.seqLen
        return Array(UnsafeBufferPointer(start: attentionWeightsPointer(l), count: count))
    }

    // MARK: buffer addressing

    @inline(__always) func hiddenPointer(_ l: Int) -> UnsafeMutablePointer<Float> {
        activations!.hidden.pointer + l * activations!.tokens * config.hiddenSize
    }
    @inline(__always) func layerSlice(_ buffer: FlatBuffer, _ l: Int, width: Int) -> UnsafeMutablePointer<Float> {
        buffer.pointer + l * activations!.tokens * width
    }
    @inline(__always) func attentionWeightsPointer(_ l: Int) -> UnsafeMutablePointer<Float> {
        let a = activations!
        return a.attentionWeights.pointer + l * a.maxBatch * config.numAttentionHeads * a.maxSeqLen * a.maxSeqLen
    }
    @inline(__always) func attentionDropoutPointer(_ l: Int) -> UnsafeMutablePointer<Float> {
        let a = activations!
        return a.attentionDropout.pointer + l * a.maxBatch * config.numAttentionHeads * a.maxSeqLen * a.maxSeqLen
    }

    // MARK: embeddings

    func embeddingsForward(generator: inout SeededGenerator) {
        let a = activations!, H = config.hiddenSize, T = current.seqLen, N = current.tokens
        current.inputIds.withUnsafeBufferPointer { ids in
            Embedding.forward(ids: ids.baseAddress!, table: p(offsets.wordEmbeddings), out: a.embeddingSum.pointer,
                              rows: N, width: H, accumulate: false)
        }
        current.typeIds.withUnsafeBufferPointer { ids in
            Embedding.forward(ids: ids.baseAddress!, table: p(offsets.typeEmbeddings), out: a.embeddingSum.pointer,
                              rows: N, width: H, accumulate: true)
        }
        let positions = p(offsets.positionEmbeddings)
        for n in 0..<N {
            let dst = a.embeddingSum.pointer + n * H, src = positions + (n % T) * H
            for c in 0..<H { dst[c] += src[c] }
        }
        let out = hiddenPointer(0)
        LayerNorm.forward(x: a.embeddingSum.pointer, gamma: p(offsets.embeddingNormGamma), beta: p(offsets.embeddingNormBeta),
                          y: out, mean: a.embeddingMean.pointer, rstd: a.embeddingRstd.pointer,
                          rows: N, width: H, eps: config.layerNormEps)
        if current.training && hiddenDropout > 0 {
            Dropout.sampleMask(a.embeddingDropout.pointer, count: N * H, p: hiddenDropout, generator: &generator)
            Dropout.apply(out, mask: a.embeddingDropout.pointer, count: N * H)
        }
    }

    /// Consumes d(loss)/d(hidden[0]) in `dHidden`.
    func embeddingsBackward() {
        let a = activations!, H = config.hiddenSize, T = current.seqLen, N = current.tokens
        if hiddenDropout > 0 { Dropout.apply(a.dHidden.pointer, mask: a.embeddingDropout.pointer, count: N * H) }
        LayerNorm.backward(dy: a.dHidden.pointer, x: a.embeddingSum.pointer, gamma: p(offsets.embeddingNormGamma),
                           mean: a.embeddingMean.pointer, rstd: a.embeddingRstd.pointer, dx: a.dT1.pointer,
                           dGamma: g(offsets.embeddingNormGamma), dBeta: g(offsets.embeddingNormBeta), rows: N, width: H)
        let pad = Int32(config.padTokenId)
        current.inputIds.withUnsafeBufferPointer { ids in
            Embedding.backward(ids: ids.baseAddress!, dOut: a.dT1.pointer, dTable: g(offsets.wordEmbeddings),
                               rows: N, width: H, paddingIndex: pad)
        }
        current.typeIds.withUnsafeBufferPointer { ids in
            Embedding.backward(ids: ids.baseAddress!, dOut: a.dT1.pointer, dTable: g(offsets.typeEmbeddings),
                               rows: N, width: H, paddingIndex: nil)
        }
        let dPositions = g(offsets.positionEmbeddings)
        for n in 0..<N {
            let dst = dPositions + (n % T) * H, src = a.dT1.pointer + n * H
            for c in 0..<H { dst[c] += src[c] }
        }
    }
}
