import Distributed
import Foundation
import Logging

/// One keep bias tried by the calibration and what it gave on the calibration examples.
public struct KeepBiasProbe: Equatable, Sendable {
    /// Added to every keep logit (logit units).
    public let keepBias: Double
    /// FLOPs of dense over skimming inference on the same unpadded sequences.
    public let speedup: Double
    /// Kept fraction of real tokens, mean over the layers.
    public let keptMean: Double
}

/// What `skim calibrate` found.
public struct KeepBiasCalibration: Sendable {
    public let targetSpeedup: Double
    /// The split and the number of its examples the speedups were measured on.
    public let split: String
    public let examples: Int
    /// Every bias tried, in the order tried.
    public let probes: [KeepBiasProbe]
    /// The largest bias tried whose speedup reaches the target (the most tokens kept at that speed).
    public let chosen: KeepBiasProbe

    /// One JSON object for a JSON Lines log.
    public var record: [String: JSONValue] {
        ["event": .string("keep_bias_calibration"), "target_speedup": .number(targetSpeedup),
         "split": .string(split), "examples": .number(Double(examples)), "keep_bias": .number(chosen.keepBias),
         "flops_speedup": .number(chosen.speedup), "kept_mean": .number(chosen.keptMean),
         "probes": .array(probes.map { .array([.number($0.keepBias), .number($0.speedup)]) })]
    }
}

/// Chooses a trained Transkimmer model's inference operating point without retraining: the keep
/// bias (`skim.inference_keep_bias`) at which skimming inference reaches a target FLOPs speedup on
/// a split's inputs. Only the token counts decide; labels are never read, so calibrating on the
/// dev inputs leaves the dev metric an honest measurement (and matches the speed reported there).
///
/// The speedup falls as the bias grows (more tokens kept). From bias 0 the search doubles its
/// step (±1, ±2, … up to ±64) until the target is bracketed, then bisects the bracket until the
/// speedup is within 0.1% above the target or the bracket is 1e-4 logit units wide. Every rank
/// evaluates its share of the examples and takes the same decisions.
public enum KeepBiasCalibrator {
    /// Largest bias magnitude tried before giving up.
    static let limit = 64.0
    /// Narrowest bracket bisected, logit units.
    static let resolution = 1e-4
    /// A speedup this close above the target (relative) ends the search.
    static let closeEnough = 1e-3

    /// `examples`: the first ones of the split; nil: on dev the evaluation's (`eval_limit`), on
    /// train the first 4,000 (fewer with a smaller `train_limit`).
    public static func calibrate(checkpoint: URL, targetSpeedup: Double, split name: String, examples: Int?,
                                 overrides: [String], communicator: Communicator,
                                 logger: Logger) throws -> KeepBiasCalibration {
        guard targetSpeedup > 1, targetSpeedup.isFinite else {
            throw TrainingError("the target FLOPs speedup must be a number > 1, got \(targetSpeedup)")
        }
        guard ["train", "dev"].contains(name) else { throw TrainingError("calibrate on split 'train' or 'dev', not '\(name)'") }
        if let examples, examples <= 0 { throw TrainingError("calibration needs at least one example, got \(examples)") }
        let loaded = try LoadedCheckpoint(checkpoint, overrides: overrides)
        guard loaded.model.layout.skim == .transkimmer else {
            throw TrainingError("\(checkpoint.path) is not a Transkimmer model (method \(loaded.config.method.rawValue)); nothing to calibrate")
        }
        let config = loaded.config
        let split = try loaded.split(name, limit: examples ?? (name == "dev" ? config.evalLimit : min(config.trainLimit ?? 4000, 4000)))
        var decisions = Evaluation.Decisions(loaded.config, rank: communicator.rank)
        var probes: [KeepBiasProbe] = []
        func probe(_ bias: Double) throws -> KeepBiasProbe {
            decisions.keepBias = bias
            let outcome = try Evaluation.run(model: loaded.model, split: split, paddedLength: loaded.config.maxLength,
                                             communicator: communicator, decisions: decisions)
            guard let flops = outcome.flops else { preconditionFailure("a Transkimmer evaluation counts FLOPs") }
            let result = KeepBiasProbe(keepBias: bias, speedup: flops.speedup, keptMean: flops.meanKeptFraction)
            if communicator.rank == 0 {
                logger.info("keep bias \(String(format: "%+.4f", bias)): FLOPs speedup \(String(format: "%.3f", result.speedup))×, mean kept \(String(format: "%.3f", result.keptMean))")
            }
            probes.append(result)
            return result
        }

        // Bracket: `fast` reaches the target, `slow` does not, and fast.keepBias < slow.keepBias.
        var fast: KeepBiasProbe?, slow: KeepBiasProbe?
        let start = try probe(0)
        if start.speedup >= targetSpeedup { fast = start } else { slow = start }
        var step = start.speedup >= targetSpeedup ? 1.0 : -1.0
        while (fast == nil || slow == nil) && abs(step) <= limit {
            let next = try probe(step)
            if next.speedup >= targetSpeedup { fast = next } else { slow = next }
            step *= 2
        }
        guard var fast else {
            throw TrainingError(String(format: "even with keep bias %.0f the FLOPs speedup on %d %@ examples is %.2f×, below the target %.2f×",
                                       -limit, split.count, name, probes.last!.speedup, targetSpeedup))
        }
        if var slow {
            while slow.keepBias - fast.keepBias > resolution && fast.speedup > targetSpeedup * (1 + closeEnough) {
                let middle = try probe((fast.keepBias + slow.keepBias) / 2)
                if middle.speedup >= targetSpeedup { fast = middle } else { slow = middle }
            }
        }
        let best = probes.filter { $0.speedup >= targetSpeedup }.max { $0.keepBias < $1.keepBias } ?? fast
        return KeepBiasCalibration(targetSpeedup: targetSpeedup, split: name, examples: split.count, probes: probes,
                                   chosen: best)
    }
}
