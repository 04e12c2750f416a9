import Foundation

/// FLOPs accounting of SPEC §5, accumulated over sequences. Per layer and sequence with n tokens
/// run: MACs = n·(4H² + 2HF) + 2n²H; a layer's Transkimmer predictor, if it has one, adds
/// n_in·(HP + 2P) on the n_in tokens entering the layer (P its inner width, H in SPEC §5).
/// FLOPs = 2·MACs. Embeddings and the task head are not counted (identical in every model
/// compared). Three totals on the same sequences:
/// - skim: the skimming model on the actual kept counts (what the removal engine runs);
/// - dense: the dense model on the unpadded sequences (the honest baseline: `speedup`);
/// - padded dense: the dense model on sequences padded to the batch's length, the papers'
///   baseline (`paddedSpeedup`, inflated by padding; report it labelled as such).
public struct SkimFlops: Equatable {
    public let hidden: Int, intermediate: Int, layers: Int
    /// The predictors' inner width P.
    public let predictorWidth: Int
    /// Layer l carries a predictor (counted in the skimming model's FLOPs).
    public let hasPredictor: [Bool]
    /// Accumulated MACs per layer.
    public private(set) var skimLayerMACs: [Double], denseLayerMACs: [Double], paddedLayerMACs: [Double]
    /// Tokens run per layer, summed over sequences; real and padded tokens.
    public private(set) var keptTokens: [Int]
    public private(set) var realTokens = 0, paddedTokens = 0, sequences = 0

    /// `predictorLayers`: the layers with a predictor (nil: every layer); `predictorWidth`: their
    /// inner width (nil: the hidden size).
    public init(config: BertConfiguration, predictorLayers: [Int]? = nil, predictorWidth: Int? = nil) {
        hidden = config.hiddenSize; intermediate = config.intermediateSize; layers = config.numHiddenLayers
        self.predictorWidth = predictorWidth ?? config.hiddenSize
        let chosen = Set(predictorLayers ?? Array(0..<config.numHiddenLayers))
        hasPredictor = (0..<config.numHiddenLayers).map(chosen.contains)
        skimLayerMACs = [Double](repeating: 0, count: layers)
        denseLayerMACs = skimLayerMACs; paddedLayerMACs = skimLayerMACs
        keptTokens = [Int](repeating: 0, count: layers)
    }

    /// The accounting of `model`'s predictors (its layers and inner width).
    public init(model: BertModel) {
        self.init(config: model.config, predictorLayers: model.layout.predictorLayers,
                  predictorWidth: model.layout.predictorWidth)
    }

    /// MACs of one encoder layer on n tokens of one sequence.
    public func layerMACs(tokens n: Int) -> Double {
        let n = Double(n), H = Double(hidden), F = Double(intermediate)
        return n * (4 * H * H + 2 * H * F) + 2 * n * n * H
    }

    /// MACs of one Transkimmer predictor on n tokens.
    public func predictorMACs(tokens n: Int) -> Double {
        let H = Double(hidden), P = Double(predictorWidth)
        return Double(n) * (H * P + 2 * P)
    }

    /// One sequence: `realLength` real tokens, padded to `paddedLength`, `kept[l]` tokens run by layer l.
    public mutating func add(realLength: Int, paddedLength: Int, kept: [Int]) {
        precondition(kept.count == layers, "kept counts for \(layers) layers expected")
        var entering = realLength
        for l in 0..<layers {
            skimLayerMACs[l] += (hasPredictor[l] ? predictorMACs(tokens: entering) : 0) + layerMACs(tokens: kept[l])
            denseLayerMACs[l] += layerMACs(tokens: realLength)
            paddedLayerMACs[l] += layerMACs(tokens: paddedLength)
            keptTokens[l] += kept[l]
            entering = kept[l]
        }
        realTokens += realLength
        paddedTokens += paddedLength
        sequences += 1
    }

    /// Every sequence of a removal forward (padded length T of its batch).
    public mutating func add(_ result: SkimInferenceResult, paddedLength T: Int) {
        for b in result.realLengths.indices {
            add(realLength: result.realLengths[b], paddedLength: T, kept: result.keptPerSequence.map { $0[b] })
        }
    }

    /// Every sequence of a masked skim forward (same counts as the removal forward would run).
    public mutating func add(_ result: SkimForwardResult, paddedLength T: Int) {
        for b in result.realLengths.indices {
            add(realLength: result.realLengths[b], paddedLength: T, kept: result.keptPerSequence.map { $0[b] })
        }
    }

    public var skimFLOPs: Double { 2 * skimLayerMACs.reduce(0, +) }
    public var denseFLOPs: Double { 2 * denseLayerMACs.reduce(0, +) }
    public var paddedDenseFLOPs: Double { 2 * paddedLayerMACs.reduce(0, +) }
    /// FLOPs(dense, unpadded) / FLOPs(skimming): the speedup to report.
    public var speedup: Double { denseFLOPs / skimFLOPs }
    /// FLOPs(dense, padded to the batch length) / FLOPs(skimming): the papers' convention.
    public var paddedSpeedup: Double { paddedDenseFLOPs / skimFLOPs }
    /// Per layer: tokens run over real tokens.
    public var keptFraction: [Double] { keptTokens.map { Double($0) / Double(max(realTokens, 1)) } }
    /// Mean of `keptFraction` over the layers (layer 0 included): the logged `kept_mean`.
    public var meanKeptFraction: Double { keptFraction.reduce(0, +) / Double(max(keptFraction.count, 1)) }
    /// `keptFraction` for report lines, 3 decimals per layer: "1.000 0.723 0.326 …".
    public var keptFractionText: String { keptFraction.map { String(format: "%.3f", $0) }.joined(separator: " ") }

    /// Labelled report lines.
    public var summary: String {
        func g(_ x: Double) -> String { String(format: "%.4g", x) }
        return """
        kept fraction per layer: \(keptFractionText)
        FLOPs skimming model: \(g(skimFLOPs)) (predictors included); dense model, unpadded: \(g(denseFLOPs)); speedup \(String(format: "%.2f", speedup))×
        padded-baseline speedup (papers' convention, dense on padded sequences \(g(paddedDenseFLOPs))): \(String(format: "%.2f", paddedSpeedup))×
        """
    }
}
