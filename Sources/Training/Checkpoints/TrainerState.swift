import Foundation

/// `trainer_state.json`: where the run stands when a checkpoint is written, and the identities
/// a resume must match (ARCHITECTURE.md, "Coordinator, checkpoints, resume").
///
/// Written by rank 0. Schedules are pure functions of the step (SPEC §7); their values at the
/// last step are stored for people reading the file and for checking that a resumed run
/// recomputes the same values.
public struct TrainerState: Codable, Equatable, Sendable {
    /// The file name inside a checkpoint.
    public static let fileName = "trainer_state.json"

    /// Optimizer steps completed; the resumed run takes step `step` next (0-based).
    public var step: Int
    /// The 0-based epoch the next step belongs to.
    public var epoch: Int
    /// Batches of `epoch` already consumed by every rank (the sampler position); the resumed
    /// run continues with batch `cursor` of the epoch's shard.
    public var cursor: Int
    /// Total optimizer steps of the run.
    public var totalSteps: Int
    /// Learning rate of the last step taken.
    public var learningRate: Double
    /// Skim-loss weight λ of the last step taken.
    public var lambda: Double
    /// Gumbel temperature τ of the last step taken.
    public var tau: Double
    /// Target kept fraction of the last step taken, nil without a target schedule.
    public var targetKeep: Double?
    /// The coordinator's price per kept token for the next step (``KeepPriceController``; it
    /// depends on the run so far, not on the step alone, so a resume restores it from here); nil
    /// without `skim.keep_price_rate`.
    public var keepPrice: Double?
    /// ``TrainConfig/canonicalHash()`` of ``config``, as ``Fingerprint/hex(_:)``.
    public var configHash: String
    /// The run's effective configuration, so that a resume can name what changed.
    public var config: TrainConfig
    /// The parameter layout's fingerprint, as ``Fingerprint/hex(_:)``.
    public var layoutFingerprint: String
    /// Number of ranks that wrote the checkpoint.
    public var worldSize: Int
    /// Identity of the training data (examples and their order source).
    public var dataFingerprint: String
    /// Every logged evaluation so far, one dictionary of metric values per evaluation
    /// (conventionally with a `step` entry).
    public var metricsHistory: [[String: Double]]
    /// The best evaluation so far.
    public var best: BestCheckpoint?

    /// A state with explicit values; ``configHash`` is computed from `config`.
    public init(step: Int, epoch: Int, cursor: Int, totalSteps: Int,
                learningRate: Double, lambda: Double, tau: Double, targetKeep: Double?, keepPrice: Double? = nil,
                config: TrainConfig, layoutFingerprint: UInt64, worldSize: Int, dataFingerprint: String,
                metricsHistory: [[String: Double]], best: BestCheckpoint?) {
        self.step = step
        self.epoch = epoch
        self.cursor = cursor
        self.totalSteps = totalSteps
        self.learningRate = learningRate
        self.lambda = lambda
        self.tau = tau
        self.targetKeep = targetKeep
        self.keepPrice = keepPrice
        self.configHash = Fingerprint.hex(config.canonicalHash())
        self.config = config
        self.layoutFingerprint = Fingerprint.hex(layoutFingerprint)
        self.worldSize = worldSize
        self.dataFingerprint = dataFingerprint
        self.metricsHistory = metricsHistory
        self.best = best
    }

    /// A state whose schedule values are those of `plan`, the plan of the last step taken
    /// (so `step` = `plan.step + 1`), with `keepPrice` the price for the next step.
    public init(after plan: StepPlan, keepPrice: Double? = nil, epoch: Int, cursor: Int, totalSteps: Int,
                config: TrainConfig, layoutFingerprint: UInt64, worldSize: Int, dataFingerprint: String,
                metricsHistory: [[String: Double]], best: BestCheckpoint?) {
        self.init(step: plan.step + 1, epoch: epoch, cursor: cursor, totalSteps: totalSteps,
                  learningRate: plan.learningRate, lambda: plan.lambda, tau: plan.tau, targetKeep: plan.targetKeep,
                  keepPrice: keepPrice, config: config, layoutFingerprint: layoutFingerprint, worldSize: worldSize,
                  dataFingerprint: dataFingerprint, metricsHistory: metricsHistory, best: best)
    }

    enum CodingKeys: String, CodingKey {
        case step, epoch, cursor, lambda, tau, best, config
        case totalSteps = "total_steps"
        case learningRate = "learning_rate"
        case targetKeep = "target_keep"
        case keepPrice = "keep_price"
        case configHash = "config_hash"
        case layoutFingerprint = "layout_fingerprint"
        case worldSize = "world_size"
        case dataFingerprint = "data_fingerprint"
        case metricsHistory = "metrics_history"
    }

    /// Encodes every key, absent optionals as explicit nulls.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(step, forKey: .step)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(cursor, forKey: .cursor)
        try c.encode(totalSteps, forKey: .totalSteps)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(lambda, forKey: .lambda)
        try c.encode(tau, forKey: .tau)
        try c.encode(targetKeep, forKey: .targetKeep)
        try c.encode(keepPrice, forKey: .keepPrice)
        try c.encode(configHash, forKey: .configHash)
        try c.encode(config, forKey: .config)
        try c.encode(layoutFingerprint, forKey: .layoutFingerprint)
        try c.encode(worldSize, forKey: .worldSize)
        try c.encode(dataFingerprint, forKey: .dataFingerprint)
        try c.encode(metricsHistory, forKey: .metricsHistory)
        try c.encode(best, forKey: .best)
    }

    /// The JSON file contents: sorted keys, non-finite metrics as strings.
    public func jsonData() throws -> Data {
        try CheckpointJSON.encode(self)
    }

    /// Reads ``jsonData()``; errors name `path`.
    public init(jsonData: Data, path: String = TrainerState.fileName) throws {
        self = try CheckpointJSON.decode(TrainerState.self, from: jsonData, path: path)
    }
}
