import BERT
import Distributed
import Foundation
import Kernels
import Text

/// What one evaluation measured, identical on every rank.
struct EvaluationOutcome {
    var metrics: [MetricValue]
    /// Transkimmer only: kept tokens and FLOPs of the removal forward on these examples (padded
    /// baseline: every sequence padded to max_length, as the papers count).
    var flops: SkimFlops?
    /// Seconds of skimming (or dense) inference summed over the batches, the slowest rank's.
    var inferenceSeconds: Double
    /// Seconds of dense inference of the same batches (only with `measureDense`).
    var denseSeconds: Double?
}

/// Dev-set evaluation shared by every rank: rank r predicts examples r, r + N, r + 2N, …; the
/// predictions (and, when skimming, each example's kept-token counts) are gathered so that
/// every rank computes the same metrics over the whole split.
///
/// A Transkimmer model is evaluated as it is deployed: the removal engine with deterministic
/// decisions runs every layer on the kept tokens only, with `skim.inference_keep_bias` added to
/// the keep logits. With `skim.inference_noise` the decisions add Gumbel noise at the schedule's
/// final τ, as the reference code does at inference, drawn from a generator seeded by the run's
/// seed and the rank (the same predictions on every run).
enum Evaluation {
    /// Examples per forward pass on one rank.
    static let batchSize = 32

    /// How the inference decisions are taken: the keep bias, and optional Gumbel noise.
    struct Decisions {
        /// Added to every keep logit (`skim.inference_keep_bias`).
        var keepBias: Double
        /// Gumbel noise (`skim.inference_noise`): temperature and generator seed; nil: deterministic.
        var noise: (tau: Double, seed: UInt64)?

        /// The decisions `config` asks for on this rank.
        init(_ config: TrainConfig, rank: Int) {
            keepBias = config.skim.inferenceKeepBias
            if config.skim.inferenceNoise {
                noise = (config.skim.tauMin ?? config.skim.tau, UInt64(config.seed) &* 1_000_003 &+ UInt64(rank) &+ 0x5EED)
            }
        }
    }

    static func run(model: BertModel, split: EncodedSplit, paddedLength: Int, communicator: Communicator,
                    measureDense: Bool = false, decisions: Decisions) throws -> EvaluationOutcome {
        let skimming = model.layout.skim == .transkimmer
        let layers = model.config.numHiddenLayers
        let width = skimming ? 2 + layers : 1  // prediction bits, then real length and kept per layer
        let ranks = communicator.size
        let slots = (split.count + ranks - 1) / ranks
        // This rank's examples, longest first so that batches carry little padding.
        let mine = stride(from: communicator.rank, to: split.count, by: ranks).sorted {
            split.examples[$0].length > split.examples[$1].length
        }
        var local = [Int64](repeating: Int64(Float.nan.bitPattern), count: slots * width)
        let engine = skimming ? SkimInference(model: model, maxBatch: batchSize, maxSeqLen: paddedLength) : nil
        var seconds = 0.0, denseSeconds = 0.0
        var noiseGenerator = SeededGenerator(seed: decisions.noise?.seed ?? 0)
        var start = 0
        while start < mine.count {
            let rows = Array(mine[start..<min(start + batchSize, mine.count)])
            let input = try split.modelInput(rows: rows)
            if measureDense, let engine {
                denseSeconds += try timed { _ = try engine.forwardDense(input) }
            }
            var logits: [Float] = []
            var kept: [[Int]] = []
            seconds += try timed {
                if let engine {
                    let result = try decisions.noise.map {
                        try engine.forward(input, noise: .sampled, tau: $0.tau, keepBias: decisions.keepBias,
                                           generator: &noiseGenerator)
                    } ?? engine.forward(input, keepBias: decisions.keepBias)
                    logits = result.logits
                    kept = result.keptPerSequence
                } else {
                    logits = try model.predict(input)
                }
            }
            for (row, index) in rows.enumerated() {
                let base = (index / ranks) * width
                local[base] = Int64(prediction(logits, row: row, outputs: split.task.outputCount).bitPattern)
                if skimming {
                    local[base + 1] = Int64(split.examples[index].length)
                    for l in 0..<layers { local[base + 2 + l] = Int64(kept[l][row]) }
                }
            }
            start += batchSize
        }
        let all = try communicator.allgather(local)
        let slowest = try communicator.allreduce(seconds, op: .max)
        let slowestDense = try communicator.allreduce(denseSeconds, op: .max)
        func value(_ index: Int, _ field: Int) -> Int64 { all[((index % ranks) * slots + index / ranks) * width + field] }
        let predictions = (0..<split.count).map { Float(bitPattern: UInt32(truncatingIfNeeded: value($0, 0))) }
        var flops: SkimFlops?
        if skimming {
            var counter = SkimFlops(model: model)
            for index in 0..<split.count {
                counter.add(realLength: Int(value(index, 1)), paddedLength: paddedLength,
                            kept: (0..<layers).map { Int(value(index, 2 + $0)) })
            }
            flops = counter
        }
        return EvaluationOutcome(metrics: try metrics(predictions, split: split), flops: flops,
                                 inferenceSeconds: slowest, denseSeconds: measureDense && skimming ? slowestDense : nil)
    }

    /// The class index (as Float) of the largest logit, or the score of a regression head.
    static func prediction(_ logits: [Float], row: Int, outputs: Int) -> Float {
        guard outputs > 1 else { return logits[row] }
        var best = 0
        for c in 1..<outputs where logits[row * outputs + c] > logits[row * outputs + best] { best = c }
        return Float(best)
    }

    static func metrics(_ predictions: [Float], split: EncodedSplit) throws -> [MetricValue] {
        switch split.task.labels {
        case .classes:
            let labels = try split.examples.map { example -> Int in
                guard case .classIndex(let c) = example.label else { throw TrainingError("\(split.file.path): an example without a class label") }
                return c
            }
            return split.task.scores(predictedClasses: predictions.map { Int($0) }, labels: labels)
        case .regression:
            let targets = try split.examples.map { example -> Double in
                guard case .score(let s) = example.label else { throw TrainingError("\(split.file.path): an example without a score") }
                return Double(s)
            }
            return split.task.scores(predictedValues: predictions.map(Double.init), targets: targets)
        }
    }

    static func timed(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

extension Trainer {
    /// Evaluates on the dev split, logs the result and remembers it (for the best checkpoint).
    /// `improved` tells whether the first metric beat every earlier evaluation (the same on every
    /// rank, since every rank computes the metrics from the same gathered predictions).
    func evaluateAndRecord(epoch: Int) throws -> (metrics: [String: Double], improved: Bool) {
        var improved = false
        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = try watchdog.guarded("evaluation", step) {
            try Evaluation.run(model: model, split: dev, paddedLength: config.maxLength, communicator: communicator,
                               decisions: Evaluation.Decisions(config, rank: rank))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var metrics = Dictionary(uniqueKeysWithValues: outcome.metrics.map { ($0.name, $0.value) })
        if let flops = outcome.flops {
            metrics["flops_speedup"] = flops.speedup
            metrics["kept_mean"] = flops.meanKeptFraction
        }
        try log?.append(EvalLogRecord(step: step, epoch: epoch, examples: dev.count, metrics: metrics, evalSeconds: seconds))
        if isCoordinator {
            logger.info("step \(step) dev: \(Self.describe(metrics)) (\(String(format: "%.1f", seconds)) s)")
            if let flops = outcome.flops {
                logger.info("kept fraction per layer: \(flops.keptFractionText)")
            }
        }
        if let primary = outcome.metrics.first {
            lastEvaluation = (step, primary.name, primary.value)
            let candidate = BestCheckpoint(metric: primary.name, value: primary.value, step: step, higherIsBetter: true)
            if best.map({ $0.isImproved(by: candidate) }) ?? true {
                best = candidate
                improved = true
            }
        }
        metrics["step"] = Double(step)
        metricsHistory.append(metrics)
        return (metrics, improved)
    }
}
