import Foundation

/// One `"event":"train"` record of the run log, written by rank 0 every `log_every` steps:
///
///     {"epoch":0,"event":"train","loss":0.6931,"lr":5e-05,"step":10,"step_s":0.41,"tokens_per_s":9876.5}
///
/// `step` counts optimizer steps completed (the record of the first step has step 1), the same
/// count as a checkpoint's step, so ``JSONLinesLog/truncate(afterStep:)`` with the checkpoint's
/// step keeps exactly the records of the steps the checkpoint contains. Optional fields are
/// omitted when nil. The timing fields (``JSONLinesLog/timingKeys``) differ between runs; every
/// other field is a deterministic function of the run.
public struct TrainLogRecord: Encodable, Equatable, Sendable {
    /// Optimizer steps completed.
    public var step: Int
    /// The 0-based epoch of the step.
    public var epoch: Int
    /// The step's training loss (mean over the global batch, all ranks), task + skim terms.
    public var loss: Double
    /// Learning rate used by the step.
    public var learningRate: Double
    /// Tokens (real, unpadded, all ranks) per second of wall time over the logged interval.
    public var tokensPerSecond: Double
    /// Mean wall seconds per step over the logged interval.
    public var stepSeconds: Double
    /// Seconds rank 0 spent in the step's gradient allreduce not hidden behind compute (the
    /// step just logged).
    public var allreduceSeconds: Double?
    /// Global gradient norm before clipping, when computed.
    public var gradNorm: Double?
    /// The skim loss term L_skim (SPEC §2), for skimming methods.
    public var skimLoss: Double?
    /// λ of the step, for skimming methods.
    public var lambda: Double?
    /// τ of the step, for skimming methods.
    public var tau: Double?
    /// Target kept fraction of the step, with a target schedule.
    public var targetKeep: Double?
    /// Whether the step's skim decisions carried Gumbel noise, for skimming methods.
    public var gumbelNoise: Bool?
    /// Whether the step left the skim predictors unchanged, for skimming methods.
    public var predictorsFrozen: Bool?
    /// Kept fraction of real tokens per layer, for skimming methods.
    public var keptFraction: [Double]?
    /// The coordinator's price per kept token μ of the step, with `skim.keep_price_rate`.
    public var keepPrice: Double?
    /// Mean loss of the dense companion pass (unweighted), with `skim.dense_pass_weight`.
    public var densePassLoss: Double?

    /// A record with the required fields; set the optional ones as needed.
    public init(step: Int, epoch: Int, loss: Double, learningRate: Double,
                tokensPerSecond: Double, stepSeconds: Double) {
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.learningRate = learningRate
        self.tokensPerSecond = tokensPerSecond
        self.stepSeconds = stepSeconds
    }

    enum CodingKeys: String, CodingKey {
        case event, step, epoch, loss, lambda, tau
        case learningRate = "lr"
        case tokensPerSecond = "tokens_per_s"
        case stepSeconds = "step_s"
        case allreduceSeconds = "allreduce_s"
        case gradNorm = "grad_norm"
        case skimLoss = "skim_loss"
        case targetKeep = "target_keep"
        case gumbelNoise = "gumbel_noise"
        case predictorsFrozen = "predictors_frozen"
        case keptFraction = "kept"
        case keepPrice = "keep_price"
        case densePassLoss = "dense_pass_loss"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("train", forKey: .event)
        try c.encode(step, forKey: .step)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(loss, forKey: .loss)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(tokensPerSecond, forKey: .tokensPerSecond)
        try c.encode(stepSeconds, forKey: .stepSeconds)
        try c.encodeIfPresent(allreduceSeconds, forKey: .allreduceSeconds)
        try c.encodeIfPresent(gradNorm, forKey: .gradNorm)
        try c.encodeIfPresent(skimLoss, forKey: .skimLoss)
        try c.encodeIfPresent(lambda, forKey: .lambda)
        try c.encodeIfPresent(tau, forKey: .tau)
        try c.encodeIfPresent(targetKeep, forKey: .targetKeep)
        try c.encodeIfPresent(gumbelNoise, forKey: .gumbelNoise)
        try c.encodeIfPresent(predictorsFrozen, forKey: .predictorsFrozen)
        try c.encodeIfPresent(keptFraction, forKey: .keptFraction)
        try c.encodeIfPresent(keepPrice, forKey: .keepPrice)
        try c.encodeIfPresent(densePassLoss, forKey: .densePassLoss)
    }
}

/// One `"event":"eval"` record: the dev-set metrics after `step` optimizer steps, flat:
///
///     {"accuracy":0.9014,"epoch":1,"eval_loss":0.27,"eval_s":3.2,"event":"eval","examples":872,"step":4210}
public struct EvalLogRecord: Encodable, Equatable, Sendable {
    /// Keys of the record itself, which metric names must not use.
    public static let reservedKeys: Set<String> = ["event", "step", "epoch", "eval_s", "examples", "split"]

    /// Optimizer steps completed when evaluating.
    public var step: Int
    /// The 0-based epoch of the last step taken.
    public var epoch: Int
    /// Which split was evaluated (`dev`).
    public var split: String
    /// Number of examples evaluated (all ranks).
    public var examples: Int
    /// Metric values by name (`accuracy`, `f1`, `mcc`, `pearson`, `spearman`, `eval_loss`,
    /// `kept`, `speedup` …), none of them in ``reservedKeys``.
    public var metrics: [String: Double]
    /// Wall seconds of the evaluation.
    public var evalSeconds: Double

    /// A record; traps when a metric name is reserved.
    public init(step: Int, epoch: Int, split: String = "dev", examples: Int, metrics: [String: Double],
                evalSeconds: Double) {
        precondition(Set(metrics.keys).isDisjoint(with: Self.reservedKeys),
                     "metric names must not be one of \(Self.reservedKeys.sorted())")
        self.step = step
        self.epoch = epoch
        self.split = split
        self.examples = examples
        self.metrics = metrics
        self.evalSeconds = evalSeconds
    }

    private struct Key: CodingKey {
        let stringValue: String
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode("eval", forKey: Key("event"))
        try c.encode(step, forKey: Key("step"))
        try c.encode(epoch, forKey: Key("epoch"))
        try c.encode(split, forKey: Key("split"))
        try c.encode(examples, forKey: Key("examples"))
        try c.encode(evalSeconds, forKey: Key("eval_s"))
        for (name, value) in metrics {
            try c.encode(value, forKey: Key(name))
        }
    }
}

extension JSONLinesLog {
    /// Fields that measure time and so differ between two runs of the same computation.
    public static let timingKeys: Set<String> = ["tokens_per_s", "step_s", "allreduce_s", "eval_s", "elapsed_s", "time"]

    /// Every record of the log at `url`, in order; a torn last line (a crash mid-write) is
    /// ignored.
    ///
    /// - Throws: when another line is not a JSON object, naming the file and line number.
    public static func records(at url: URL) throws -> [[String: JSONValue]] {
        let data = try Data(contentsOf: url)
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var records: [[String: JSONValue]] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            do {
                records.append(try JSONDecoder().decode([String: JSONValue].self, from: line))
            } catch {
                if index == lines.count - 1 { break }
                throw CocoaError(.fileReadCorruptFile, userInfo: [
                    NSLocalizedDescriptionKey: "\(url.lastPathComponent):\(index + 1): not a JSON object",
                ])
            }
        }
        return records
    }

    /// The records of the log at `url` without ``timingKeys``: what a resumed run's log must
    /// share with an uninterrupted run's, value for value (losses bit for bit).
    public static func deterministicRecords(at url: URL) throws -> [[String: JSONValue]] {
        try records(at: url).map { $0.filter { !timingKeys.contains($0.key) } }
    }
}
