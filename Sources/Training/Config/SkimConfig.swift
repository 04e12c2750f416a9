import Foundation

/// The `skim:` section of a ``TrainConfig``: Transkimmer and Block-Skim settings and their
/// schedules (SPEC §2, §3, §7). Every field has a default.
public struct SkimConfig: Codable, Equatable, Sendable {
    // MARK: Transkimmer

    /// Weight λ of the skim loss (the final value when ``lambdaWarmupSteps`` > 0).
    public var lambda: Double = 0.5
    /// Steps of linear warmup of λ from 0; 0 keeps λ constant.
    public var lambdaWarmupSteps: Int = 0
    /// Gumbel-softmax temperature τ (the start value when annealed).
    public var tau: Double = 1.0
    /// Final temperature of exponential annealing; set together with ``tauAnnealSteps``.
    public var tauMin: Double?
    /// Steps over which τ anneals from ``tau`` to ``tauMin``.
    public var tauAnnealSteps: Int?
    /// Final target kept fraction r in (0, 1]; when set the skim loss becomes λ·(L_skim − r)².
    public var targetKeep: Double?
    /// Steps over which the target falls linearly from 1.0 to ``targetKeep`` (0: at once).
    public var targetSteps: Int?
    /// Learning rate of the skim predictors as a multiple of the model's (a parameter group of its
    /// own). The +5/−5 initialisation needs hundreds of steps at BERT's learning rate before any
    /// token is skimmed; a larger rate lets the predictors follow the target schedule from the start.
    public var predictorLRScale: Double = 1
    /// Sample Gumbel noise at inference too, as the reference implementation does.
    public var inferenceNoise: Bool = false
    /// Added to every keep logit in the inference decisions (logit units): keep iff
    /// logit_keep + bias > logit_skim. 0 is SPEC's rule; a positive bias keeps more tokens (more
    /// accurate, slower), a negative one fewer. Chooses the operating point of a trained model
    /// without retraining (`skim calibrate` finds the bias for a target FLOPs speedup); training
    /// decisions do not use it.
    public var inferenceKeepBias: Double = 0
    /// Training decisions carry Gumbel noise for the first this many steps and are deterministic
    /// afterwards (keep iff logit_keep > logit_skim, as at inference; the straight-through
    /// gradient still flows through softmax(logits/τ)); nil: noise throughout (SPEC §2).
    public var gumbelNoiseSteps: Int?
    /// From this 0-based optimizer step on, the predictors are frozen: their parameters and Adam
    /// moments stop changing while the encoder trains on (λ still applies); nil: never.
    public var predictorFreezeStep: Int?
    /// The predictors' gradient stops at their input: the skim loss and the straight-through
    /// gradient train the predictors only, and the encoder learns from the task loss alone
    /// (through the masked attention and the forwarding); false: SPEC §2's full backward.
    public var detachPredictorInput: Bool = false
    /// η of the coordinator's price per kept token (``KeepPriceController``): every kept real token
    /// costs the same price μ, moved after each step by η × the global batch's kept-fraction surplus
    /// over the target, so that the fraction of all tokens trained on follows ``targetKeep`` while
    /// single batches (lengths) keep more or less. Needs ``targetKeep``; adds to λ's term (set λ 0
    /// for the price alone). nil: no price.
    public var keepPriceRate: Double?
    /// Weight w of a dense companion pass: every micro-batch also runs the model on every token
    /// (predictors unused) with the same target, and w × that loss joins the step's objective, so
    /// the encoder keeps learning from whole sentences while it learns to skim. Costs one more
    /// forward and backward per micro-batch. nil: no dense pass (SPEC §2).
    public var densePassWeight: Double?

    // MARK: Block-Skim

    /// Tokens per block; a multiple of 4 dividing ``TrainConfig/maxLength``.
    public var blockSize: Int = 32
    /// Weight α of the block-relevance loss.
    public var alpha: Double = 0.1
    /// Class weight β of relevant blocks in the relevance cross-entropy.
    public var beta: Double = 20
    /// Keep a block at inference iff P(relevant) ≥ threshold.
    public var threshold: Double = 0.01
    /// Layers with a predictor (Transkimmer: a token predictor; Block-Skim: a block predictor);
    /// nil means every layer. A Transkimmer layer without one runs every token the layer before kept.
    public var skimLayers: [Int]?
    /// Inner width P of every Transkimmer predictor (LN → Linear H→P → LN → GELU → Linear P→2);
    /// nil: the hidden size H (SPEC §2). A narrower predictor costs H·P + 2P multiply-adds per
    /// token instead of H² + 2H, which the FLOPs speedup counts: at a given speedup the model can
    /// keep more tokens.
    public var predictorWidth: Int?
    /// Use the reference's label rule (relevant iff more than one answer token).
    public var referenceLabelRule: Bool = false

    /// A section with every default.
    public init() {}
}
