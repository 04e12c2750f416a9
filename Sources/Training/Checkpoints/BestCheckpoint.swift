import Foundation

/// The best evaluation so far: which metric, its value, the step it was reached at, and the
/// direction of improvement. Stored as `best.json` in the checkpoint root and in the trainer
/// state.
public struct BestCheckpoint: Codable, Equatable, Sendable {
    /// Name of the metric (`accuracy`, `f1`, `mcc`, …).
    public var metric: String
    /// Its value.
    public var value: Double
    /// The step whose checkpoint reached it.
    public var step: Int
    /// Whether larger values are better.
    public var higherIsBetter: Bool

    /// A record with explicit values.
    public init(metric: String, value: Double, step: Int, higherIsBetter: Bool) {
        self.metric = metric
        self.value = value
        self.step = step
        self.higherIsBetter = higherIsBetter
    }

    enum CodingKeys: String, CodingKey {
        case metric, value, step
        case higherIsBetter = "higher_is_better"
    }

    /// Whether `candidate` is strictly better than this record (NaN never is; ties keep the
    /// older record).
    public func isImproved(by candidate: BestCheckpoint) -> Bool {
        guard !candidate.value.isNaN else { return false }
        guard !value.isNaN else { return true }
        return higherIsBetter ? candidate.value > value : candidate.value < value
    }
}

extension CheckpointStore {
    /// The file holding the best checkpoint record.
    public var bestFile: URL { root.appendingPathComponent("best.json") }

    /// The best checkpoint record, or nil when none was recorded.
    public func best() throws -> BestCheckpoint? {
        guard let data = FileManager.default.contents(atPath: bestFile.path) else { return nil }
        return try CheckpointJSON.decode(BestCheckpoint.self, from: data, path: relativePath(bestFile))
    }

    /// Records `candidate` when there is no record yet or it improves on the record.
    ///
    /// - Returns: whether it became the best.
    /// - Throws: ``CheckpointError`` when the record tracks another metric or direction.
    @discardableResult
    public func updateBest(_ candidate: BestCheckpoint) throws -> Bool {
        if let current = try best() {
            guard current.metric == candidate.metric, current.higherIsBetter == candidate.higherIsBetter else {
                throw CheckpointError(path: relativePath(bestFile),
                                      problem: "tracks '\(current.metric)' (higher is better: \(current.higherIsBetter)), "
                                          + "not '\(candidate.metric)' (higher is better: \(candidate.higherIsBetter))")
            }
            guard current.isImproved(by: candidate) else { return false }
        }
        try setBest(candidate)
        return true
    }

    /// Replaces the record atomically (nil removes it), as when resuming restores the record
    /// saved in the trainer state.
    public func setBest(_ record: BestCheckpoint?) throws {
        guard let record = record else {
            if FileManager.default.fileExists(atPath: bestFile.path) {
                try FileManager.default.removeItem(at: bestFile)
            }
            return
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try DurableFile.write(CheckpointJSON.encode(record), to: bestFile)
    }
}
