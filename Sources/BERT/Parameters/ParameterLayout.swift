/// The task head on top of the encoder.
public enum TaskHead: Equatable, Codable {
    /// Pooler + classifier; `numLabels == 1` is regression (MSE).
    case sequenceClassification(numLabels: Int)
    /// Per-token start/end logits.
    case questionAnswering
}

/// Which token-skimming predictors the model carries.
public enum SkimMethod: String, Equatable, Codable {
    case none, transkimmer
}

/// One tensor of the flat parameter block.
public struct TensorSpec: Equatable {
    /// Hugging Face name, e.g. `bert.encoder.layer.3.attention.self.query.weight`.
    public let name: String
    public let shape: [Int]
    /// Offset in floats from the start of the block (a multiple of 16: 64-byte aligned).
    public let offset: Int
    /// Weight decay applies (not to biases and LayerNorm weights).
    public let decay: Bool
    /// Encoder layer the tensor belongs to (nil for embeddings and heads).
    public let layer: Int?
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

/// Every parameter tensor once, in Hugging Face `named_parameters()` order, over one flat block.
public struct ParameterLayout: Equatable {
    public let tensors: [TensorSpec]
    /// The skim predictors the layout carries.
    public let skim: SkimMethod
    /// Encoder layers that carry a Transkimmer predictor, ascending (empty without predictors).
    public let predictorLayers: [Int]
    /// Inner width P of every Transkimmer predictor (LN(H) → Linear H→P → LN(P) → GELU → Linear
    /// P→2): the hidden size H as in SPEC §2 unless chosen smaller or larger.
    public let predictorWidth: Int
    /// Floats in the block, including alignment padding.
    public let totalCount: Int
    private let indexByName: [String: Int]

    /// Builds the layout of a BERT with the given head and skim predictors. `skimLayers` chooses
    /// the layers with a Transkimmer predictor (nil: every layer); a layer without one keeps every
    /// token the layer before it kept. `predictorWidth` is the predictors' inner width (nil: the
    /// hidden size). Both are ignored without Transkimmer predictors.
    public init(config c: BertConfiguration, head: TaskHead, skim: SkimMethod = .none, skimLayers: [Int]? = nil,
                predictorWidth: Int? = nil) {
        let chosen = skim == .transkimmer ? Set(skimLayers ?? Array(0..<c.numHiddenLayers)) : []
        precondition(chosen.allSatisfy { (0..<c.numHiddenLayers).contains($0) },
                     "skim layers \(chosen.sorted()) outside 0..<\(c.numHiddenLayers)")
        let P = predictorWidth ?? c.hiddenSize
        precondition(P > 0, "predictor width \(P) must be positive")
        var specs: [TensorSpec] = []
        var offset = 0
        func add(_ name: String, _ shape: [Int], decay: Bool, layer: Int? = nil) {
            specs.append(TensorSpec(name: name, shape: shape, offset: offset, decay: decay, layer: layer))
            offset += (shape.reduce(1, *) + 15) / 16 * 16
        }
        func linear(_ prefix: String, out: Int, in: Int, layer: Int? = nil) {
            add(prefix + ".weight", [out, `in`], decay: true, layer: layer)
            add(prefix + ".bias", [out], decay: false, layer: layer)
        }
        func layerNorm(_ prefix: String, _ width: Int, layer: Int? = nil) {
            add(prefix + ".weight", [width], decay: false, layer: layer)
            add(prefix + ".bias", [width], decay: false, layer: layer)
        }
        let H = c.hiddenSize
        add("bert.embeddings.word_embeddings.weight", [c.vocabSize, H], decay: true)
        add("bert.embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, H], decay: true)
        add("bert.embeddings.token_type_embeddings.weight", [c.typeVocabSize, H], decay: true)
        layerNorm("bert.embeddings.LayerNorm", H)
        for l in 0..<c.numHiddenLayers {
            let p = "bert.encoder.layer.\(l)."
            linear(p + "attention.self.query", out: H, in: H, layer: l)
            linear(p + "attention.self.key", out: H, in: H, layer: l)
            linear(p + "attention.self.value", out: H, in: H, layer: l)
            linear(p + "attention.output.dense", out: H, in: H, layer: l)
            layerNorm(p + "attention.output.LayerNorm", H, layer: l)
            linear(p + "intermediate.dense", out: c.intermediateSize, in: H, layer: l)
            linear(p + "output.dense", out: H, in: c.intermediateSize, layer: l)
            layerNorm(p + "output.LayerNorm", H, layer: l)
            if chosen.contains(l) {
                let s = p + "skim_predictor."
                layerNorm(s + "0", H, layer: l)
                linear(s + "1", out: P, in: H, layer: l)
                layerNorm(s + "2", P, layer: l)
                linear(s + "4", out: 2, in: P, layer: l)
            }
        }
        switch head {
        case .sequenceClassification(let labels):
            linear("bert.pooler.dense", out: H, in: H)
            linear("classifier", out: labels, in: H)
        case .questionAnswering:
            linear("qa_outputs", out: 2, in: H)
        }
        tensors = specs
        self.skim = skim
        predictorLayers = (0..<c.numHiddenLayers).filter(chosen.contains)
        self.predictorWidth = P
        totalCount = offset
        indexByName = Dictionary(uniqueKeysWithValues: specs.enumerated().map { ($1.name, $0) })
    }

    public func index(of name: String) -> Int? { indexByName[name] }
    public func spec(_ name: String) -> TensorSpec? { indexByName[name].map { tensors[$0] } }

    /// Offset of a tensor that the layout is known to hold (a programming error otherwise).
    public func offset(_ name: String) -> Int {
        guard let i = indexByName[name] else { preconditionFailure("layout has no tensor \(name)") }
        return tensors[i].offset
    }

    /// Offset of the first tensor of encoder layer `l`: backward has finished every gradient from
    /// here to the end of the block once it has finished layer l.
    public func firstOffset(ofLayer l: Int) -> Int {
        guard let spec = tensors.first(where: { $0.layer == l }) else { preconditionFailure("layout has no layer \(l)") }
        return spec.offset
    }

    /// Offset of the first head tensor (pooler or QA outputs): the tensors after the last layer.
    public var headOffset: Int {
        guard let last = tensors.lastIndex(where: { $0.layer != nil }), last + 1 < tensors.count else {
            preconditionFailure("layout has no head after its layers")
        }
        return tensors[last + 1].offset
    }

    /// Parameters proper, without alignment padding.
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.count } }

    /// FNV-1a hash of every name, shape and offset: equal layouts, equal fingerprints.
    public var fingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        func mix(_ value: Int) { withUnsafeBytes(of: UInt64(value).littleEndian) { $0.forEach(mix) } }
        for t in tensors {
            t.name.utf8.forEach(mix)
            t.shape.forEach(mix)
            mix(t.offset)
            mix(t.decay ? 1 : 0)
        }
        return hash
    }
}
