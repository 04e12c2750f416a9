import Foundation

extension CheckpointStore {
    /// Deletes every checkpoint except the `keepLast` newest (by step) and the one of step
    /// `best`, if any.
    ///
    /// - Returns: the deleted steps, ascending.
    @discardableResult
    public func prune(keepLast: Int, best: Int?) throws -> [Int] {
        precondition(keepLast >= 0, "keepLast must be ≥ 0")
        let steps = try steps()
        let kept = Set(steps.suffix(keepLast)).union(best.map { [$0] } ?? [])
        let doomed = steps.filter { !kept.contains($0) }
        for step in doomed {
            try remove(step: step)
        }
        return doomed
    }

    /// Deletes every checkpoint newer than `step`. After resuming from `step`, newer
    /// checkpoints (skipped as torn or corrupted) belong to an abandoned future and must not
    /// count among the newest kept by ``prune(keepLast:best:)``.
    ///
    /// - Returns: the deleted steps, ascending.
    @discardableResult
    public func discardCheckpoints(after step: Int) throws -> [Int] {
        let doomed = try steps().filter { $0 > step }
        for step in doomed {
            try remove(step: step)
        }
        return doomed
    }
}
