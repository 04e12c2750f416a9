import Kernels

/// AdamW over a whole parameter layout: Adam moments m and v in two flat blocks of the same
/// layout, the step counter, and per-tensor weight-decay flags (no decay on biases and LayerNorm
/// weights unless `decayEverything`).
public final class AdamWOptimizer {
    public let layout: ParameterLayout
    public let m: FlatBuffer
    public let v: FlatBuffer
    /// Optimizer steps taken so far (the next step is `step + 1`).
    public var step: Int = 0
    private let decay: [Bool]
    /// Multiplier of the learning rate per tensor (1 unless set): a parameter group with its own
    /// learning rate, as in PyTorch (the decoupled decay uses the scaled rate too).
    public private(set) var learningRateScale: [Float]
    /// Per tensor: true when frozen (its parameters and moments are left as they are by ``step``).
    public private(set) var frozen: [Bool]

    public init(layout: ParameterLayout, decayEverything: Bool = false) {
        self.layout = layout
        m = FlatBuffer(count: layout.totalCount)
        v = FlatBuffer(count: layout.totalCount)
        decay = layout.tensors.map { decayEverything || $0.decay }
        learningRateScale = [Float](repeating: 1, count: layout.tensors.count)
        frozen = [Bool](repeating: false, count: layout.tensors.count)
    }

    /// Sets the learning-rate multiplier of every tensor for which `selects` is true.
    public func setLearningRateScale(_ scale: Float, where selects: (TensorSpec) -> Bool) {
        for (i, spec) in layout.tensors.enumerated() where selects(spec) { learningRateScale[i] = scale }
    }

    /// Freezes (or thaws) every tensor for which `selects` is true.
    public func setFrozen(_ isFrozen: Bool, where selects: (TensorSpec) -> Bool) {
        for (i, spec) in layout.tensors.enumerated() where selects(spec) { frozen[i] = isFrozen }
    }

    /// Takes one step on every tensor that is not frozen, with the given (already averaged,
    /// already clipped) gradients.
    public func step(parameters: FlatBuffer, gradients: FlatBuffer, settings: AdamWSettings) {
        step += 1
        for (i, spec) in layout.tensors.enumerated() where !frozen[i] {
            var tensorSettings = settings
            tensorSettings.learningRate *= learningRateScale[i]
            AdamW.update(parameters: parameters.pointer + spec.offset, gradients: gradients.pointer + spec.offset,
                         m: m.pointer + spec.offset, v: v.pointer + spec.offset, count: spec.count,
                         step: step, settings: tensorSettings, decay: decay[i])
        }
    }

    /// Global L2 norm of the gradients (padding between tensors is zero and does not count).
    public static func globalNorm(_ gradients: FlatBuffer) -> Double {
        Reduce.sumOfSquares(gradients.pointer, count: gradients.count).squareRoot()
    }

    /// Scales the gradients so that their global norm is at most `maxNorm` (as
    /// `torch.nn.utils.clip_grad_norm_`: factor maxNorm / (norm + 1e-6) when below 1). Returns the norm before clipping.
    @discardableResult
    public static func clip(_ gradients: FlatBuffer, maxNorm: Double) -> Double {
        let norm = globalNorm(gradients)
        let factor = Float(maxNorm / (norm + 1e-6))
        if factor < 1 {
            for i in 0..<gradients.count { gradients.pointer[i] *= factor }
        }
        return norm
    }
}
