import Foundation

/// A configuration key whose value differs between a checkpoint's run and the resuming run.
public struct ConfigDifference: Equatable, Sendable, CustomStringConvertible {
    /// The dotted key (`learning_rate`, `skim.tau`).
    public let key: String
    /// The value the checkpoint was trained with, as compact JSON.
    public let saved: String
    /// The value of this run, as compact JSON.
    public let current: String

    /// `'learning_rate' was 5e-05, now 3e-05`.
    public var description: String { "'\(key)' was \(saved), now \(current)" }
}

extension TrainConfig {
    /// Keys that may differ between a run and its resume, because they say where and how the
    /// run is executed or kept, not what it computes or logs:
    ///
    /// - `resume`, `allow_reshard`: how to continue;
    /// - `output_dir`: a run directory may be moved or copied;
    /// - `threads`: BLAS threads per rank (the resume stays bitwise only if the BLAS gives the
    ///   same results for any thread count; keep it unchanged when that matters);
    /// - `watchdog_warn_seconds`, `watchdog_limit_seconds`: hang detection;
    /// - `save_every`, `keep_last`, `keep_best`: which checkpoints are written and kept.
    ///
    /// Everything else must be equal. In particular `epochs` and `max_steps` are refused: they
    /// set the total step count, hence the learning-rate decay of every step, so a run resumed
    /// with more epochs is a different run (start a new one from the checkpoint's
    /// `model.safetensors` instead). `eval_every` and `log_every` are refused because they
    /// change the run log, which must equal the log of an uninterrupted run.
    public static let resumeMutableKeys: Set<String> = [
        "resume", "allow_reshard", "output_dir", "threads",
        "watchdog_warn_seconds", "watchdog_limit_seconds",
        "save_every", "keep_last", "keep_best",
    ]

    /// The keys, outside ``resumeMutableKeys``, whose values differ between `saved` (the
    /// checkpoint's configuration) and this one, sorted by key. Empty when the run may resume.
    public func resumeDifferences(from saved: TrainConfig) -> [ConfigDifference] {
        let old = Self.flatValues(saved)
        let new = Self.flatValues(self)
        return Set(old.keys).union(new.keys).sorted().compactMap { key in
            guard !Self.resumeMutableKeys.contains(key) else { return nil }
            let before = old[key] ?? .null
            let after = new[key] ?? .null
            return before == after ? nil : ConfigDifference(key: key, saved: before.description, current: after.description)
        }
    }

    /// Every field as a dotted key and its JSON value.
    private static func flatValues(_ config: TrainConfig) -> [String: JSONValue] {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try JSONDecoder().decode(JSONValue.self, from: encoder.encode(config)).flattened()
        } catch {
            preconditionFailure("a TrainConfig always encodes to JSON: \(error)")
        }
    }
}
