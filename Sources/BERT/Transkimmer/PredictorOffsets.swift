import Kernels

/// Offsets of one layer's skim predictor `bert.encoder.layer.<l>.skim_predictor.<k>.*` in the flat
/// block: Pred(x) = W4·GELU(LN2(W1·LN0(x) + b1)) + b4 (the indices of the reference
/// `nn.Sequential(LayerNorm, Linear, LayerNorm, GELU, Linear)`; k = 3 is the GELU, no tensors).
struct PredictorOffsets {
    /// LN0 γ, β [H]; Linear H→P W1 [P, H], b1 [P]; LN2 γ, β [P]; Linear P→2 W4 [2, P], b4 [2].
    let norm0Gamma, norm0Beta, dense1, dense1Bias, norm2Gamma, norm2Beta, dense4, dense4Bias: Int
    /// The inner width P (the hidden size H unless the layout chose another).
    let width: Int

    /// Nil when the layout has no predictor for layer `l`.
    init?(layout: ParameterLayout, layer l: Int) {
        let p = TranskimmerNames.prefix(layer: l)
        guard let n0 = layout.spec(p + "0.weight") else { return nil }
        norm0Gamma = n0.offset; norm0Beta = layout.offset(p + "0.bias")
        dense1 = layout.offset(p + "1.weight"); dense1Bias = layout.offset(p + "1.bias")
        norm2Gamma = layout.offset(p + "2.weight"); norm2Beta = layout.offset(p + "2.bias")
        width = layout.predictorWidth
        dense4 = layout.offset(p + "4.weight"); dense4Bias = layout.offset(p + "4.bias")
    }

    /// Each layer's predictor (nil for a layer without one), or nil if no layer has one.
    static func all(layout: ParameterLayout, layers: Int) -> [PredictorOffsets?]? {
        let result = (0..<layers).map { PredictorOffsets(layout: layout, layer: $0) }
        return result.contains { $0 != nil } ? result : nil
    }
}

/// Names and constants of the Transkimmer predictors (the names survive Hugging Face export:
/// `BertForSequenceClassification` ignores them, our loader reads them back).
public enum TranskimmerNames {
    /// `bert.encoder.layer.<l>.skim_predictor.`
    public static func prefix(layer l: Int) -> String { "bert.encoder.layer.\(l).skim_predictor." }
    /// Whether `name` is a predictor tensor of any layer (with or without the `bert.` prefix).
    public static func isPredictorTensor(_ name: String) -> Bool { name.contains(".skim_predictor.") }
    /// Predictor LayerNorm epsilon (PyTorch's default, as the reference predictor), not BERT's 1e-12.
    public static let layerNormEps: Float = 1e-5
    /// "Unbalanced" initial bias of the last Linear (skim, keep): every token kept at the start.
    public static let unbalancedBias: (skim: Float, keep: Float) = (-5, 5)
    /// Standard deviation of the last Linear's initial weight.
    public static let lastWeightStd: Float = 0.02
}

extension TensorSpec {
    /// Whether the tensor belongs to a Transkimmer predictor (their own AdamW parameter group).
    public var isSkimPredictor: Bool { TranskimmerNames.isPredictorTensor(name) }
}

extension BertModel {
    /// SPEC §2 initialisation of a predictor tensor: LayerNorms γ = 1, β = 0; Linear H→P as BERT
    /// (N(0, initializer_range²), bias 0); last Linear weight N(0, 0.02²), bias (−5, +5).
    /// Returns false for tensors that are not predictor tensors.
    func initializeSkimPredictor(_ spec: TensorSpec, generator: inout SeededGenerator) -> Bool {
        guard spec.isSkimPredictor else { return false }
        let values = UnsafeMutableBufferPointer(start: parameters.pointer + spec.offset, count: spec.count)
        if spec.name.hasSuffix(".4.weight") {
            generator.fillNormal(values, std: TranskimmerNames.lastWeightStd)
        } else if spec.name.hasSuffix(".4.bias") {
            values[0] = TranskimmerNames.unbalancedBias.skim
            values[1] = TranskimmerNames.unbalancedBias.keep
        } else if spec.shape.count == 2 {
            generator.fillNormal(values, std: config.initializerRange)
        } else {
            values.update(repeating: spec.name.hasSuffix(".weight") ? 1 : 0)
        }
        return true
    }
}
