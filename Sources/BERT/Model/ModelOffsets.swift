/// Offsets of one encoder layer's tensors in the flat block.
struct LayerOffsets {
    let query, queryBias, key, keyBias, value, valueBias: Int
    let attentionOutput, attentionOutputBias, attentionNormGamma, attentionNormBeta: Int
    let intermediate, intermediateBias, output, outputBias, outputNormGamma, outputNormBeta: Int

    init(layout: ParameterLayout, layer l: Int) {
        let p = "bert.encoder.layer.\(l)."
        func o(_ s: String) -> Int { layout.offset(p + s) }
        query = o("attention.self.query.weight"); queryBias = o("attention.self.query.bias")
        key = o("attention.self.key.weight"); keyBias = o("attention.self.key.bias")
        value = o("attention.self.value.weight"); valueBias = o("attention.self.value.bias")
        attentionOutput = o("attention.output.dense.weight"); attentionOutputBias = o("attention.output.dense.bias")
        attentionNormGamma = o("attention.output.LayerNorm.weight"); attentionNormBeta = o("attention.output.LayerNorm.bias")
        intermediate = o("intermediate.dense.weight"); intermediateBias = o("intermediate.dense.bias")
        output = o("output.dense.weight"); outputBias = o("output.dense.bias")
        outputNormGamma = o("output.LayerNorm.weight"); outputNormBeta = o("output.LayerNorm.bias")
    }
}

/// Offsets of every tensor the forward and backward address, resolved once from the layout.
struct ModelOffsets {
    let wordEmbeddings, positionEmbeddings, typeEmbeddings, embeddingNormGamma, embeddingNormBeta: Int
    let layers: [LayerOffsets]
    /// Pooler and classifier (sequence classification) or qa_outputs (QA, in `classifier`).
    let pooler, poolerBias, classifier, classifierBias: Int

    init(layout: ParameterLayout, config: BertConfiguration, head: TaskHead) {
        wordEmbeddings = layout.offset("bert.embeddings.word_embeddings.weight")
        positionEmbeddings = layout.offset("bert.embeddings.position_embeddings.weight")
        typeEmbeddings = layout.offset("bert.embeddings.token_type_embeddings.weight")
        embeddingNormGamma = layout.offset("bert.embeddings.LayerNorm.weight")
        embeddingNormBeta = layout.offset("bert.embeddings.LayerNorm.bias")
        layers = (0..<config.numHiddenLayers).map { LayerOffsets(layout: layout, layer: $0) }
        switch head {
        case .sequenceClassification:
            pooler = layout.offset("bert.pooler.dense.weight"); poolerBias = layout.offset("bert.pooler.dense.bias")
            classifier = layout.offset("classifier.weight"); classifierBias = layout.offset("classifier.bias")
        case .questionAnswering:
            pooler = -1; poolerBias = -1
            classifier = layout.offset("qa_outputs.weight"); classifierBias = layout.offset("qa_outputs.bias")
        }
    }
}
