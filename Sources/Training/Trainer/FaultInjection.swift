import Foundation

/// Crashes on purpose, for the tests that prove a killed run resumes exactly: the process sends
/// itself SIGKILL (no cleanup, no flushing, like the OOM killer or a lost node).
public struct FaultInjection: Sendable {
    /// Die right after this optimizer step (after its log record, before any checkpoint of it).
    public var killAfterStep: Int?
    /// Die while writing the checkpoint of this step, after its model file is in the draft.
    public var killDuringSaveOfStep: Int?
    /// Only this rank dies (nil: every rank).
    public var rank: Int?

    public init() {}

    func killIfAsked(afterStep step: Int, rank: Int) {
        if killAfterStep == step { die(rank) }
    }

    func killIfAsked(duringSaveOf step: Int, rank: Int) {
        if killDuringSaveOfStep == step { die(rank) }
    }

    private func die(_ current: Int) {
        guard self.rank == nil || self.rank == current else { return }
        kill(getpid(), SIGKILL)
    }
}
