/// Where the Gumbel noise of the skim decisions comes from.
public enum SkimNoise: Equatable {
    /// No noise: keep iff logit_keep > logit_skim (SPEC §2 inference decision).
    case none
    /// g ~ Gumbel(0, 1) drawn from the forward's generator: L·B·T·2 values, layer-major, drawn
    /// in one block at the start of the forward (before any dropout mask).
    case sampled
    /// Given noise g [L, B, T, 2] (layer, example, position, class 0 skim / 1 keep), e.g. a fixture's.
    case fixed([Float])
}

/// Transkimmer settings of one forward (the coordinator's λ(step), τ(step), r(step); SPEC §2, §7).
public struct SkimSettings: Equatable {
    /// Weight λ of the skim loss in the total loss.
    public var lambda: Double
    /// Gumbel-softmax temperature τ > 0.
    public var tau: Double
    /// Target kept fraction r: the skim term becomes λ·(L_skim − r)²; nil: the plain penalty λ·L_skim.
    public var targetKeep: Double?
    /// Noise of the decisions; `.sampled` in training.
    public var noise: SkimNoise
    /// Added to every keep logit before the decision (logit units; 0 is SPEC's rule). Positive keeps
    /// more tokens, negative fewer: the inference operating point (`skim.inference_keep_bias`).
    public var keepBias: Double
    /// Backward treats each predictor's input (the hidden states before its layer) as a constant:
    /// the predictors still learn from the task and skim losses, but their gradient does not flow
    /// into the encoder (`skim.detach_predictor_input`). false is SPEC §2's full backward.
    public var detachPredictorInput: Bool
    /// A price per kept real token, added to the skim term (an option beyond SPEC §2; nil: none).
    public var keepPrice: KeepPrice?

    public init(lambda: Double, tau: Double, targetKeep: Double? = nil, noise: SkimNoise = .sampled, keepBias: Double = 0,
                detachPredictorInput: Bool = false, keepPrice: KeepPrice? = nil) {
        self.lambda = lambda; self.tau = tau; self.targetKeep = targetKeep; self.noise = noise; self.keepBias = keepBias
        self.detachPredictorInput = detachPredictorInput; self.keepPrice = keepPrice
    }

    /// Deterministic decisions, as inference (λ and τ do not change the decisions; the skim loss is still reported).
    public static let inference = SkimSettings(lambda: 0, tau: 1, noise: .none)

    /// Deterministic decisions with a keep bias (keep iff logit_keep + bias > logit_skim).
    public static func inference(keepBias: Double) -> SkimSettings {
        SkimSettings(lambda: 0, tau: 1, noise: .none, keepBias: keepBias)
    }

    /// The skim term added to the task loss for a batch with skim loss `skimLoss` over `realTokens`
    /// real tokens: λ·(L_skim − r)² or λ·L_skim, plus the keep price's term.
    public func penalty(skimLoss: Double, realTokens: Int) -> Double {
        let batchTerm: Double
        if let r = targetKeep { batchTerm = lambda * (skimLoss - r) * (skimLoss - r) } else { batchTerm = lambda * skimLoss }
        return batchTerm + (keepPrice?.term(skimLoss: skimLoss, realTokens: realTokens) ?? 0)
    }

    /// d(penalty)/d(L_skim) for a batch of `realTokens` real tokens.
    public func penaltySlope(skimLoss: Double, realTokens: Int) -> Double {
        let batchSlope = targetKeep.map { 2 * lambda * (skimLoss - $0) } ?? lambda
        return batchSlope + (keepPrice?.slope(realTokens: realTokens) ?? 0)
    }
}

/// A price per kept real token and layer: the term μ·L_skim·N/N_ref = μ·(Σ_l kept_l / L)/N_ref for
/// a batch of N real tokens. Every kept token costs μ/(L·N_ref) of loss whatever its batch's length,
/// unlike λ·(L_skim − r)², which asks every batch for the same kept fraction. The trainer's
/// coordinator moves μ so that the kept fraction of all tokens trained on follows the target.
public struct KeepPrice: Equatable, Sendable {
    /// μ ≥ 0, in loss units per kept token and layer, times the reference token count.
    public var price: Double
    /// N_ref > 0: the real tokens of a batch of average length (the batch's examples × the mean
    /// real length of the training examples); the same for every batch of the run.
    public var referenceTokens: Double

    public init(price: Double, referenceTokens: Double) {
        self.price = price; self.referenceTokens = referenceTokens
    }

    /// μ·L_skim·N/N_ref.
    func term(skimLoss: Double, realTokens: Int) -> Double {
        price * skimLoss * Double(realTokens) / referenceTokens
    }

    /// d(term)/d(L_skim) = μ·N/N_ref.
    func slope(realTokens: Int) -> Double {
        price * Double(realTokens) / referenceTokens
    }
}

/// What a Transkimmer forward returns.
public struct SkimForwardResult {
    /// Total loss L_task + penalty (λ·L_skim, or λ·(L_skim − r)² with a target; plus the keep price's term).
    public var loss: Double
    /// Task loss (mean over the batch; 0 without a target).
    public var taskLoss: Double
    /// L_skim = (1/L) Σ_l kept real tokens after layer l's decision / real tokens (SPEC §2).
    public var skimLoss: Double
    /// [B, numLabels] for classification, [B·T, 2] for QA (as `ForwardResult`).
    public var logits: [Float]
    /// Per layer: real tokens kept (mask M_l, [CLS] included) over all real tokens of the batch.
    public var keptFraction: [Double]
    /// Per layer: real tokens kept in the whole batch; `realTokens`: real tokens of the batch.
    public var keptTokens: [Int]
    public var realTokens: Int
    /// Real tokens per sequence [B].
    public var realLengths: [Int]
    /// Per layer, per sequence: tokens kept by layer l (what a removal forward runs layer l on) [L][B].
    public var keptPerSequence: [[Int]]
}
