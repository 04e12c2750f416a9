import BERT
import Distributed
import Foundation
import Kernels
import Logging
import Text

/// What `skim eval` measured.
public struct EvaluationReport {
    public let task: String
    public let checkpoint: String
    public let examples: Int
    public let metrics: [MetricValue]
    /// Transkimmer: kept tokens and FLOPs of skimming vs dense on the same sequences.
    public let flops: SkimFlops?
    /// Transkimmer: the keep bias of the inference decisions (`skim.inference_keep_bias`).
    public let keepBias: Double?
    /// Wall-clock seconds of the model's inference (removal engine when skimming), slowest rank.
    public let seconds: Double
    /// Transkimmer: wall-clock seconds of dense inference on the same batches (same engine, nothing skimmed).
    public let denseSeconds: Double?

    /// Human-readable lines: metrics, and for Transkimmer kept fractions, FLOPs and wall-clock speedups.
    public var lines: [String] {
        var lines = ["\(task) dev, \(examples) examples: "
                        + metrics.map { String(format: "%@ %.4f", $0.name, $0.value) }.joined(separator: ", ")]
        if let flops {
            if let keepBias, keepBias != 0 {
                lines.append(String(format: "decisions: keep iff logit_keep %+.4g > logit_skim (skim.inference_keep_bias)", keepBias))
            }
            lines.append("kept fraction per layer: " + flops.keptFractionText)
            lines.append(String(format: "FLOPs: skimming %.3g, dense (same unpadded sequences) %.3g → speedup %.2f×",
                                flops.skimFLOPs, flops.denseFLOPs, flops.speedup))
            lines.append(String(format: "FLOPs speedup against the papers' padded baseline (every sequence padded to max_length): %.2f×",
                                flops.paddedSpeedup))
        }
        if let denseSeconds {
            lines.append(String(format: "wall clock: dense %.2f s, skimming %.2f s → speedup %.2f× (batch %d)",
                                denseSeconds, seconds, denseSeconds / seconds, Evaluation.batchSize))
        } else {
            lines.append(String(format: "wall clock: %.2f s", seconds))
        }
        return lines
    }

    /// One JSON object for a JSON Lines log.
    public var record: [String: JSONValue] {
        var record: [String: JSONValue] = ["event": .string("eval_report"), "task": .string(task),
                                           "checkpoint": .string(checkpoint), "examples": .number(Double(examples)),
                                           "inference_s": .number(seconds)]
        for metric in metrics { record[metric.name] = .number(metric.value) }
        if let flops {
            record["kept"] = .array(flops.keptFraction.map { .number($0) })
            record["skim_flops"] = .number(flops.skimFLOPs)
            record["dense_flops"] = .number(flops.denseFLOPs)
            record["flops_speedup"] = .number(flops.speedup)
            record["padded_baseline_flops_speedup"] = .number(flops.paddedSpeedup)
            record["keep_bias"] = .number(keepBias ?? 0)
        }
        if let denseSeconds {
            record["dense_inference_s"] = .number(denseSeconds)
            record["wall_clock_speedup"] = .number(denseSeconds / seconds)
        }
        return record
    }
}

/// A verified checkpoint loaded for inference: its configuration (with overrides applied), task,
/// model and tokenizer.
struct LoadedCheckpoint {
    let config: TrainConfig
    let task: GLUETask
    let model: BertModel
    let tokenizer: WordPieceTokenizer

    /// The checkpoint's manifest is verified first; the configuration is the one it was trained
    /// with (from `trainer_state.json`), with `overrides` (`key=value`) applied.
    init(_ checkpoint: URL, overrides: [String]) throws {
        let store = CheckpointStore(root: checkpoint.deletingLastPathComponent())
        let saved = try store.checkpoint(at: checkpoint)
        let state = try saved.trainerState()
        config = try TrainConfig.parse(yaml: state.config.yaml(),
                                       fileName: checkpoint.appendingPathComponent(CheckpointFileName.trainerState).path,
                                       overrides: overrides)
        if let threads = config.threads { BLAS.threads = threads }
        task = try ModelFactory.task(config)
        (model, _) = try ModelFactory.makeModel(config, task: task)
        var unused = SeededGenerator(seed: 0)
        let loaded = try model.load(safetensors: saved.url(CheckpointFileName.model), generator: &unused)
        guard loaded.initialized.isEmpty else {
            throw TrainingError("\(saved.url(CheckpointFileName.model).path) lacks \(loaded.initialized.joined(separator: ", "))")
        }
        tokenizer = try WordPieceTokenizer(vocabularyFile: URL(fileURLWithPath: config.vocabularyPath))
    }

    /// The task's `split` ("dev", "train"), its first `limit` examples if given.
    func split(_ name: String, limit: Int?) throws -> EncodedSplit {
        try EncodedSplit(task: task, split: name, root: URL(fileURLWithPath: config.dataDir),
                         tokenizer: tokenizer, maxLength: config.maxLength, limit: limit)
    }
}

/// Evaluates a saved checkpoint on its task's dev split, shared by every rank.
public enum CheckpointEvaluator {
    /// The configuration is the one the checkpoint was trained with, with `overrides`
    /// (`key=value`) applied, e.g. another `data_dir`, `eval_limit` or `skim.inference_keep_bias`.
    /// The report is also appended to `eval.jsonl` beside the checkpoint.
    public static func evaluate(checkpoint: URL, overrides: [String], communicator: Communicator,
                                logger: Logger) throws -> EvaluationReport {
        let loaded = try LoadedCheckpoint(checkpoint, overrides: overrides)
        let config = loaded.config
        let dev = try loaded.split("dev", limit: config.evalLimit)
        let decisions = Evaluation.Decisions(config, rank: communicator.rank)
        let outcome = try Evaluation.run(model: loaded.model, split: dev, paddedLength: config.maxLength,
                                         communicator: communicator, measureDense: true, decisions: decisions)
        let report = EvaluationReport(task: loaded.task.name, checkpoint: checkpoint.path, examples: dev.count,
                                      metrics: outcome.metrics, flops: outcome.flops,
                                      keepBias: outcome.flops == nil ? nil : decisions.keepBias,
                                      seconds: outcome.inferenceSeconds, denseSeconds: outcome.denseSeconds)
        if communicator.rank == 0 {
            let log = try JSONLinesLog(url: checkpoint.deletingLastPathComponent().appendingPathComponent("eval.jsonl"))
            try log.append(report.record)
        }
        return report
    }
}
