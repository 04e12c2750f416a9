import Kernels

/// A BERT encoder with a task head over one flat parameter block and one flat gradient block
/// (the layout's order, Hugging Face names). Forward keeps every activation backward needs;
/// backward adds (+=) into `gradients`, which the caller zeroes once per optimizer step.
public final class BertModel {
    public let config: BertConfiguration
    public let head: TaskHead
    public let layout: ParameterLayout
    public let parameters: FlatBuffer
    public let gradients: FlatBuffer

    var activations: BertActivations?
    let offsets: ModelOffsets
    /// Shape and settings of the last forward.
    var current = CurrentBatch()
    var headState = HeadState()
    /// Transkimmer buffers and the last skim forward (nil until the first one; see Transkimmer/).
    var skimState: TranskimmerState?

    /// Dropout probabilities used in training (from the configuration; overridable).
    public var hiddenDropout: Float
    public var attentionDropout: Float
    public var classifierDropout: Float

    /// `skimLayers`: the layers with a Transkimmer predictor (nil: every layer); `predictorWidth`:
    /// their inner width (nil: the hidden size); see `ParameterLayout`.
    public init(config: BertConfiguration, head: TaskHead, skim: SkimMethod = .none, skimLayers: [Int]? = nil,
                predictorWidth: Int? = nil) {
        self.config = config
        self.head = head
        layout = ParameterLayout(config: config, head: head, skim: skim, skimLayers: skimLayers, predictorWidth: predictorWidth)
        parameters = FlatBuffer(count: layout.totalCount)
        gradients = FlatBuffer(count: layout.totalCount)
        offsets = ModelOffsets(layout: layout, config: config, head: head)
        hiddenDropout = config.hiddenDropoutProb
        attentionDropout = config.attentionProbsDropoutProb
        classifierDropout = config.classifierDropout ?? config.hiddenDropoutProb
    }

    /// Pointer to a parameter tensor's values.
    @inline(__always) func p(_ offset: Int) -> UnsafeMutablePointer<Float> { parameters.pointer + offset }
    /// Pointer to a parameter tensor's gradient.
    @inline(__always) func g(_ offset: Int) -> UnsafeMutablePointer<Float> { gradients.pointer + offset }

    /// Values of one named tensor (a copy), for tests and export.
    public func tensor(_ name: String) -> [Float]? {
        guard let spec = layout.spec(name) else { return nil }
        return Array(UnsafeBufferPointer(start: parameters.pointer + spec.offset, count: spec.count))
    }

    /// Gradient of one named tensor (a copy).
    public func gradient(_ name: String) -> [Float]? {
        guard let spec = layout.spec(name) else { return nil }
        return Array(UnsafeBufferPointer(start: gradients.pointer + spec.offset, count: spec.count))
    }

    /// Initialises every parameter as Hugging Face does: Linear and embedding weights N(0, initializer_range²),
    /// biases 0, LayerNorm weight 1 and bias 0, the padding row of the word embeddings 0.
    public func initializeWeights(generator: inout SeededGenerator) {
        for spec in layout.tensors { initialize(spec, generator: &generator) }
    }

    func initialize(_ spec: TensorSpec, generator: inout SeededGenerator) {
        if initializeSkimPredictor(spec, generator: &generator) { return }
        let values = UnsafeMutableBufferPointer(start: parameters.pointer + spec.offset, count: spec.count)
        let isLayerNormWeight = spec.shape.count == 1 && !spec.name.hasSuffix(".bias") && !spec.decay
        if spec.shape.count == 1 {
            values.update(repeating: isLayerNormWeight ? 1 : 0)
        } else {
            generator.fillNormal(values, std: config.initializerRange)
        }
        if spec.name == "bert.embeddings.word_embeddings.weight" {
            let H = config.hiddenSize
            (parameters.pointer + spec.offset + config.padTokenId * H).update(repeating: 0, count: H)
        }
    }

    /// Makes sure activation buffers hold a batch of this shape.
    func prepare(batch: Int, seqLen: Int, training: Bool) {
        if let a = activations, a.fits(batch: batch, seqLen: seqLen), !training || a.dHidden.count > 0 { return }
        let keep = activations
        let maxBatch = max(batch, keep?.maxBatch ?? 0)
        let maxSeqLen = max(seqLen, keep?.maxSeqLen ?? 0)
        activations = nil
        activations = BertActivations(config: config, maxBatch: maxBatch, maxSeqLen: maxSeqLen,
                                      training: training || (keep?.dHidden.count ?? 0) > 0)
    }
}

/// Shape and mode of the batch the activations currently hold.
struct CurrentBatch {
    var batch = 0, seqLen = 0
    var training = false
    var inputIds: [Int32] = []
    var typeIds: [Int32] = []
    var attentionMask: [Float] = []
    var tokens: Int { batch * seqLen }
}
