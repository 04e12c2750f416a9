import Foundation

/// Linear warmup then linear decay to zero, exactly as Hugging Face
/// `get_linear_schedule_with_warmup` (SPEC §6). A pure function of the 0-based optimizer step
/// about to be taken, so a resumed run recomputes it from the step alone.
public struct LearningRateSchedule: Equatable, Sendable {
    /// The learning rate at the end of warmup.
    public let peak: Double
    /// Steps of linear warmup from 0.
    public let warmupSteps: Int
    /// Total optimizer steps of the run; the rate reaches 0 at this step.
    public let totalSteps: Int

    /// A schedule warming up over `warmupSteps` and decaying to 0 at `totalSteps`.
    public init(peak: Double, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The schedule of `config` for a run of `totalSteps` steps: `warmup_steps` if set, else
    /// ⌈totalSteps × warmup_ratio⌉ as the Hugging Face trainer does.
    public init(config: TrainConfig, totalSteps: Int) {
        self.init(peak: config.learningRate,
                  warmupSteps: config.warmupSteps ?? Int((Double(totalSteps) * config.warmupRatio).rounded(.up)),
                  totalSteps: totalSteps)
    }

    /// The factor applied to ``peak`` at `step`: step/warmup during warmup, then
    /// max(0, (total − step)/(total − warmup)), each denominator at least 1.
    public func multiplier(at step: Int) -> Double {
        if step < warmupSteps {
            return Double(step) / Double(max(1, warmupSteps))
        }
        return max(0, Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps)))
    }

    /// The learning rate of the optimizer step `step`.
    public func learningRate(at step: Int) -> Double {
        peak * multiplier(at: step)
    }
}
