import BERT
import Distributed
import Foundation
import Kernels
import Logging
import Text

/// Data-parallel fine-tuning of a BERT on a GLUE task (ARCHITECTURE.md, "Trainer").
///
/// Every rank holds the whole model and trains on its shard of each global batch; gradients are
/// summed across ranks by a ``GradientReducer`` (the loss is already divided by the global batch,
/// so the sum is the global mean gradient). Rank 0 is the coordinator: it computes each step's
/// ``StepPlan`` (learning rate, skim schedule values, evaluate/save/stop flags) and broadcasts it,
/// writes checkpoints and the JSON Lines log, and prints the progress line. Every decision that
/// changes which collectives run next is taken collectively, so no rank can wait for another
/// forever; a ``Watchdog`` ends a rank stuck in a collective anyway.
public final class Trainer {
    public let config: TrainConfig
    let communicator: Communicator
    let logger: Logger
    let task: GLUETask
    let model: BertModel
    /// The fine-tuned model distilled from (`distill_teacher`), run without dropout.
    let teacher: BertModel?
    let optimizer: AdamWOptimizer
    let train: EncodedSplit
    let dev: EncodedSplit
    /// One seeded permutation of the training set per epoch, cut into global batches (a final
    /// partial batch is left out so that every rank takes the same number of steps).
    let sampler: BatchSampler
    /// Optimizer steps per epoch.
    let stepsPerEpoch: Int
    /// Examples per micro-batch on one rank: batch_size / (ranks × grad_accumulation).
    let microBatch: Int
    /// Optimizer steps of the whole run.
    public let totalSteps: Int
    let learningRates: LearningRateSchedule
    let skimSchedule: SkimSchedule
    /// The coordinator's price per kept token (`skim.keep_price_rate`); rank 0's goes into each plan.
    var keepPrice: KeepPriceController?
    let watchdog: Watchdog
    let reducer: GradientReducer
    let store: CheckpointStore
    /// The run's JSON Lines log (rank 0 only).
    let log: JSONLinesLog?
    /// This rank's generator: dropout masks and Gumbel noise.
    var generator: SeededGenerator
    /// Optimizer steps taken.
    var step = 0
    var metricsHistory: [[String: Double]] = []
    /// The best evaluation so far (by the task's first metric).
    var best: BestCheckpoint?
    /// Step, metric name and value of the last evaluation.
    var lastEvaluation: (step: Int, name: String, value: Double)?
    /// Plan of the last step taken (its schedule values go into checkpoints).
    var lastPlan: StepPlan?

    /// Deliberate crashes for the resume tests.
    public var faults = FaultInjection()

    var rank: Int { communicator.rank }
    var isCoordinator: Bool { communicator.rank == 0 }

    /// Loads data and model, agrees with every other rank on what is trained (handshake), and
    /// resumes from a checkpoint if the configuration asks for it.
    public init(config: TrainConfig, communicator: Communicator, logger: Logger) throws {
        self.config = config
        self.communicator = communicator
        self.logger = logger
        if let threads = config.threads { BLAS.threads = threads }
        task = try ModelFactory.task(config)

        let root = URL(fileURLWithPath: config.dataDir)
        let tokenizer = try WordPieceTokenizer(vocabularyFile: URL(fileURLWithPath: config.vocabularyPath))
        train = try EncodedSplit(task: task, split: "train", root: root, tokenizer: tokenizer,
                                 maxLength: config.maxLength, limit: config.trainLimit)
        dev = try EncodedSplit(task: task, split: "dev", root: root, tokenizer: tokenizer,
                               maxLength: config.maxLength, limit: config.evalLimit)
        let share = communicator.size * config.gradAccumulation
        guard config.batchSize % share == 0 else {
            throw TrainingError("batch_size \(config.batchSize) must be a multiple of ranks × grad_accumulation = \(communicator.size) × \(config.gradAccumulation)")
        }
        microBatch = config.batchSize / share
        sampler = try BatchSampler(examples: train.examples, batchSize: config.batchSize,
                                   order: config.lengthBucketing.map { .lengthBucketed(poolBatches: $0) } ?? .shuffled,
                                   seed: UInt64(config.seed), dropLast: true)
        stepsPerEpoch = sampler.batchCount
        guard stepsPerEpoch > 0 else {
            throw TrainingError("\(train.file.path): \(train.count) training examples, fewer than one batch of \(config.batchSize)")
        }
        totalSteps = config.maxSteps ?? config.epochs * stepsPerEpoch
        learningRates = LearningRateSchedule(config: config, totalSteps: totalSteps)
        skimSchedule = SkimSchedule(config: config.skim)
        if config.method == .transkimmer, let rate = config.skim.keepPriceRate {
            let meanTokens = Double(train.examples.reduce(0) { $0 + $1.ids.count }) / Double(train.count)
            keepPrice = KeepPriceController(rate: rate, meanExampleTokens: meanTokens)
        }

        let (model, report) = try ModelFactory.makeModel(config, task: task)
        self.model = model
        if let folder = config.distillTeacher {
            let teacher = try ModelFactory.makeTeacher(from: folder, student: model, task: task)
            if config.distillHiddenWeight > 0 && teacher.config.hiddenSize != model.config.hiddenSize {
                throw TrainingError("'distill_hidden_weight' needs a teacher of the student's width: \(folder) has hidden size \(teacher.config.hiddenSize), the model \(model.config.hiddenSize)")
            }
            self.teacher = teacher
        } else {
            teacher = nil
        }
        optimizer = AdamWOptimizer(layout: model.layout)
        if config.method == .transkimmer {
            optimizer.setLearningRateScale(Float(config.skim.predictorLRScale), where: \.isSkimPredictor)
        }
        generator = SeededGenerator(seed: Self.generatorSeed(config.seed, rank: communicator.rank))

        watchdog = Watchdog(rank: communicator.rank, warnAfter: config.watchdogWarnSeconds,
                            limit: config.watchdogLimitSeconds)
        reducer = try GradientReducer(communicator: communicator, model: model, watchdog: watchdog)
        store = CheckpointStore(root: URL(fileURLWithPath: config.outputDir))
        log = communicator.rank == 0 ? try Self.openLog(config) : nil

        if isCoordinator {
            let fresh = report.initialized.isEmpty ? "none" : Self.summarize(report.initialized)
            logger.info("model \(config.model): \(report.loaded.count) tensors loaded; initialised: \(fresh)")
            if let teacher = config.distillTeacher {
                logger.info("distilling from \(teacher): α \(config.distillAlpha), temperature \(config.distillTemperature), [CLS] state weight \(config.distillHiddenWeight)")
            }
            if config.method == .transkimmer, let weight = config.skim.densePassWeight {
                logger.info("dense companion pass on every micro-batch, weight \(weight)")
            }
            if config.method == .transkimmer, let width = config.skim.predictorWidth {
                logger.info("skim predictors \(width) wide (hidden size \(model.config.hiddenSize))")
            }
            logger.info("\(task.name): \(train.count) training examples, \(dev.count) dev examples; \(communicator.size) rank(s), micro-batch \(microBatch) × \(config.gradAccumulation) per rank, \(totalSteps) steps; BLAS \(BLAS.coreName) × \(BLAS.threads)")
        }
        try handshake()
        try watchdog.guarded("broadcast initial parameters") {
            try communicator.broadcast(model.parameters.buffer, root: 0)
        }
        try resumeIfAsked()
    }

    deinit { watchdog.stop() }

    /// The JSON Lines log inside the output directory.
    public static let logFileName = "metrics.jsonl"

    static func openLog(_ config: TrainConfig) throws -> JSONLinesLog {
        let directory = URL(fileURLWithPath: config.outputDir)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try config.yaml().write(to: directory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        return try JSONLinesLog(url: directory.appendingPathComponent(Self.logFileName))
    }

    /// Every rank must train the same model on the same data with the same batch settings.
    func handshake() throws {
        var fields = Handshake()
        fields.add("layout_fingerprint", hex: model.layout.fingerprint)
        fields.add("config_hash", hex: config.canonicalHash())
        fields.add("train_data_fingerprint", hex: train.fingerprint)
        fields.add("dev_data_fingerprint", hex: dev.fingerprint)
        if let teacher {
            fields.add("teacher_fingerprint", hex: ReplicaFingerprint.of(UnsafeBufferPointer(teacher.parameters.buffer)))
        }
        fields.add("batch_size", config.batchSize)
        fields.add("grad_accumulation", config.gradAccumulation)
        fields.add("world_size", communicator.size)
        try watchdog.guarded("startup handshake") { try fields.verify(on: communicator) }
    }

    /// The data identity stored in checkpoints.
    var dataFingerprint: String { Fingerprint.hex(train.fingerprint) }

    /// Trains to the end, evaluating and checkpointing as configured; returns the final dev metrics.
    @discardableResult
    public func run() throws -> TrainingSummary {
        let progress = isCoordinator ? ProgressLine(totalSteps: totalSteps, startStep: step, every: config.logEvery) : nil
        var orderEpoch = step / stepsPerEpoch
        var batches = sampler.batches(epoch: orderEpoch)
        var lastMetrics: [String: Double] = metricsHistory.last ?? [:]
        while step < totalSteps {
            let plan = try broadcastPlan()
            if plan.epoch != orderEpoch {
                orderEpoch = plan.epoch
                batches = sampler.batches(epoch: orderEpoch)
            }
            let outcome = try trainStep(plan: plan, globalBatch: batches[plan.step % stepsPerEpoch])
            step = plan.step + 1
            lastPlan = plan
            if let kept = outcome.keptTokens, let target = plan.targetKeep {
                keepPrice?.update(keptTokens: kept, realTokens: outcome.realTokens, examples: config.batchSize, target: target)
            }
            if step % config.logEvery == 0 || plan.flags.contains(.stop) {
                var record = TrainLogRecord(step: step, epoch: plan.epoch, loss: outcome.loss,
                                            learningRate: plan.learningRate,
                                            tokensPerSecond: outcome.tokensPerSecond, stepSeconds: outcome.seconds)
                record.gradNorm = outcome.gradNorm
                record.allreduceSeconds = reducer.statistics.lastExposedSeconds
                if let kept = outcome.keptFraction {
                    record.skimLoss = outcome.skimLoss
                    record.keptFraction = kept
                    record.lambda = plan.lambda
                    record.tau = plan.tau
                    record.targetKeep = plan.targetKeep
                    record.gumbelNoise = plan.gumbelNoise
                    record.predictorsFrozen = plan.predictorsFrozen
                    record.keepPrice = plan.keepPrice
                    record.densePassLoss = outcome.densePassLoss
                }
                try log?.append(record)
            }
            let keptMean = outcome.keptFraction.map { $0.reduce(0, +) / Double(max(1, $0.count)) }
            progress?.update(step: step, loss: outcome.loss, keptFraction: keptMean, learningRate: plan.learningRate,
                             tokensPerSecond: outcome.tokensPerSecond)
            faults.killIfAsked(afterStep: step, rank: rank)
            var improved = false
            if plan.flags.contains(.evaluate) {
                (lastMetrics, improved) = try evaluateAndRecord(epoch: plan.epoch)
            }
            if plan.flags.contains(.save) || (config.keepBest && improved) { try saveCheckpoint() }
            if plan.flags.contains(.stop) { break }
        }
        progress?.finish()
        let hash = try verifyIdenticalParameters()
        if isCoordinator {
            logger.info("finished at step \(step): \(Self.describe(lastMetrics)); parameter hash \(Fingerprint.hex(hash)) on every rank")
        }
        return TrainingSummary(step: step, metrics: lastMetrics, parameterHash: hash)
    }

    /// Rank 0 computes the plan of the next step from the schedules; every rank receives it.
    func broadcastPlan() throws -> StepPlan {
        var values = [Double](repeating: 0, count: StepPlan.encodedCount)
        if isCoordinator {
            let next = step + 1
            let endOfEpoch = next % stepsPerEpoch == 0
            var flags: StepPlan.Flags = []
            if let every = config.evalEvery { if next % every == 0 { flags.insert(.evaluate) } } else if endOfEpoch {
                flags.insert(.evaluate)
            }
            if config.saveEvery > 0 && next % config.saveEvery == 0 { flags.insert(.save) }
            if next == totalSteps { flags.formUnion([.evaluate, .save, .stop]) }
            values = StepPlan(step: step, epoch: step / stepsPerEpoch, learningRate: learningRates,
                              skim: skimSchedule, keepPrice: keepPrice, flags: flags).encoded()
        }
        try values.withUnsafeMutableBufferPointer { buffer in
            try watchdog.guarded("broadcast step plan", step) { try communicator.broadcast(buffer, root: 0) }
        }
        return try StepPlan(encoded: values)
    }

    /// After training every rank must hold the same parameters; returns their fingerprint.
    func verifyIdenticalParameters() throws -> UInt64 {
        let comparison = try watchdog.guarded("compare parameter fingerprints") {
            try communicator.compareReplicas(UnsafeBufferPointer(model.parameters.buffer))
        }
        guard comparison.allIdentical else {
            throw TrainingError("parameters differ between ranks after training: fingerprints \(comparison.fingerprints.map(Fingerprint.hex)), ranks \(comparison.differingRanks) differ from rank 0")
        }
        return comparison.fingerprints[rank]
    }

    /// Tensor names grouped by what follows the layer number: "skim_predictor.* (6 layers), classifier.*".
    static func summarize(_ names: [String]) -> String {
        var groups: [String: Set<String>] = [:]
        var order: [String] = []
        for name in names {
            let parts = name.split(separator: ".").map(String.init)
            let key: String, layer: String
            if let i = parts.firstIndex(of: "layer"), i + 2 < parts.count {
                key = parts[(i + 2)...].dropLast().joined(separator: ".") + ".*"
                layer = parts[i + 1]
            } else {
                key = parts.dropLast().joined(separator: ".") + ".*"
                layer = ""
            }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].insert(layer)
        }
        return order.map { key in
            let layers = groups[key]!.filter { !$0.isEmpty }.count
            return layers > 0 ? "\(key) (\(layers) layers)" : key
        }.joined(separator: ", ")
    }

    static func describe(_ metrics: [String: Double]) -> String {
        metrics.filter { $0.key != "step" }.sorted { $0.key < $1.key }
            .map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: ", ")
    }
}

/// What a finished run reports.
public struct TrainingSummary: Sendable {
    public let step: Int
    public let metrics: [String: Double]
    public let parameterHash: UInt64
}
