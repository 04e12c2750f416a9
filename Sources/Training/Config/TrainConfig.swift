import Foundation

/// Everything one training run is configured with.
///
/// Decoded strictly from YAML by ``TrainConfig/load(file:overrides:)``: unknown keys, wrong
/// types and out-of-range values are errors naming the key and where it came from. Every field
/// except ``task`` has a default, so a configuration file holds only what differs. YAML keys are
/// the snake_case forms listed in ``CodingKeys``.
public struct TrainConfig: Codable, Equatable, Sendable {
    // MARK: What to train

    /// The task to fine-tune on. Required.
    public var task: TaskName
    /// Folder holding the task data (GLUE TSV folders, SQuAD JSON).
    public var dataDir: String = "Data"
    /// A Hugging Face model folder (config.json, vocab.txt, model.safetensors).
    public var model: String = "Models/all-MiniLM-L6-v2"
    /// The WordPiece vocabulary file; nil means `<model>/vocab.txt`.
    public var vocab: String?
    /// Where checkpoints and logs go. Empty in a file means `Checkpoints/<task>-<method>`; the
    /// decoded value is always the resolved path.
    public var outputDir: String
    /// Dense fine-tuning or one of the skimming methods.
    public var method: Method = .dense

    // MARK: Data and batching

    /// Maximum tokens per sequence (window length for SQuAD).
    public var maxLength: Int = 128
    /// Stride between SQuAD windows, in tokens.
    public var docStride: Int = 128
    /// Global examples per optimizer step, summed over every rank and micro-step.
    public var batchSize: Int = 32
    /// Micro-steps accumulated before each optimizer step.
    public var gradAccumulation: Int = 1
    /// Length bucketing: each epoch's permutation is cut into pools of this many global batches,
    /// each pool sorted by length before it is cut into batches, and the batches shuffled. Less
    /// padding (SST-2: ~1.1× the real tokens instead of ~3×), the same examples per epoch. nil:
    /// uniformly random batches, as Hugging Face's Trainer.
    public var lengthBucketing: Int?
    /// Passes over the training data (ignored when ``maxSteps`` is set).
    public var epochs: Int = 2
    /// Optimizer steps to take; overrides ``epochs``.
    public var maxSteps: Int?
    /// Use only the first N training examples of the file, before shuffling (quick runs, CI).
    public var trainLimit: Int?
    /// Use only the first N evaluation examples of the file (quick runs, CI).
    public var evalLimit: Int?

    // MARK: Optimizer (SPEC §6)

    /// Peak learning rate reached at the end of warmup.
    public var learningRate: Double = 5e-5
    /// Fraction of the total steps spent in linear warmup (rounded up to whole steps).
    public var warmupRatio: Double = 0.06
    /// Warmup length in steps; overrides ``warmupRatio``.
    public var warmupSteps: Int?
    /// Decoupled AdamW weight decay (not applied to biases and LayerNorm weights).
    public var weightDecay: Double = 0.01
    /// AdamW β1.
    public var adamBeta1: Double = 0.9
    /// AdamW β2.
    public var adamBeta2: Double = 0.999
    /// AdamW ε.
    public var adamEpsilon: Double = 1e-8
    /// Global gradient-norm clipping threshold; nil disables clipping.
    public var maxGradNorm: Double?

    // MARK: Randomness

    /// Seed of every random generator of the run.
    public var seed: Int = 42
    /// Replaces the model configuration's hidden and attention dropout when set.
    public var dropout: Double?

    // MARK: Evaluation, checkpoints, logging

    /// Evaluate every N optimizer steps; nil evaluates at the end of each epoch.
    public var evalEvery: Int?
    /// Save a checkpoint every N optimizer steps; 0 saves only at the end.
    public var saveEvery: Int = 0
    /// Number of most recent checkpoints kept.
    public var keepLast: Int = 2
    /// Also keep the checkpoint with the best evaluation metric.
    public var keepBest: Bool = true
    /// Whether and from where to resume.
    public var resume: ResumePolicy = .auto
    /// Allow resuming a checkpoint written with a different number of ranks (not bitwise).
    public var allowReshard: Bool = false
    /// Write a log record every N optimizer steps.
    public var logEvery: Int = 10

    // MARK: Machine

    /// BLAS threads per rank; nil leaves the library's default.
    public var threads: Int?
    /// Reduce gradient buckets with non-blocking allreduces posted during backward, as soon as
    /// their layers are done, instead of blocking allreduces after backward.
    public var overlapAllreduce: Bool = false
    /// Report a rank stuck in one collective after this many seconds.
    public var watchdogWarnSeconds: Double = 60
    /// End the process when a rank is stuck in one collective this many seconds.
    public var watchdogLimitSeconds: Double = 600

    // MARK: Distillation

    /// A fine-tuned model folder of the same task whose logits the run distils from
    /// (`Losses.distillation`); nil trains on the labels alone. Classification tasks only.
    public var distillTeacher: String?
    /// Weight α of the distillation term; the label cross-entropy gets 1 − α.
    public var distillAlpha: Double = 0.5
    /// Softmax temperature T of the distillation term.
    public var distillTemperature: Double = 2
    /// Weight β of a second distillation term: the mean squared difference between the student's
    /// and the teacher's final hidden state of [CLS] (the pooler's input), per feature; 0: none.
    public var distillHiddenWeight: Double = 0

    // MARK: Skimming

    /// Settings of the skimming methods (SPEC §2, §3, §7).
    public var skim: SkimConfig = SkimConfig()

    /// A configuration with every default, for `task` and `method`.
    public init(task: TaskName, method: Method = .dense) {
        self.task = task
        self.method = method
        self.outputDir = Self.defaultOutputDir(task: task, method: method)
    }

    /// The vocabulary file: ``vocab`` if set, else `vocab.txt` in the ``model`` folder.
    public var vocabularyPath: String {
        vocab ?? (model.hasSuffix("/") ? model + "vocab.txt" : model + "/vocab.txt")
    }

    /// The output directory used when none is configured: `Checkpoints/<task>-<method>`.
    public static func defaultOutputDir(task: TaskName, method: Method) -> String {
        "Checkpoints/\(task.rawValue)-\(method.rawValue)"
    }
}
