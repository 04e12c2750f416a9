import Foundation

/// The coordinator's skim schedules (SPEC §7): the skim-loss weight λ, the Gumbel temperature
/// τ, the target kept fraction r, whether decisions carry Gumbel noise and whether the predictors
/// are frozen, each a pure function of the 0-based optimizer step.
public struct SkimSchedule: Equatable, Sendable {
    /// Exponential annealing of τ from its start value to ``minimum`` over ``steps`` steps.
    public struct Annealing: Equatable, Sendable {
        /// The final temperature τmin.
        public var minimum: Double
        /// Steps over which τ reaches τmin.
        public var steps: Int

        /// Annealing to `minimum` over `steps` steps.
        public init(minimum: Double, steps: Int) {
            self.minimum = minimum
            self.steps = steps
        }
    }

    /// A linear fall of the target kept fraction from 1.0 to ``keep`` over ``steps`` steps.
    public struct Target: Equatable, Sendable {
        /// The final target kept fraction r_final in (0, 1].
        public var keep: Double
        /// Steps of the fall; 0 uses r_final from the first step.
        public var steps: Int

        /// A target reaching `keep` after `steps` steps.
        public init(keep: Double, steps: Int) {
            self.keep = keep
            self.steps = steps
        }
    }

    /// The final skim-loss weight λ.
    public var lambda: Double
    /// Steps of linear warmup of λ from 0; 0 keeps λ constant.
    public var lambdaWarmupSteps: Int
    /// The starting temperature τ0.
    public var tau: Double
    /// Annealing of τ; nil keeps τ constant.
    public var tauAnnealing: Annealing?
    /// The target kept fraction schedule; nil when the skim loss is a plain penalty.
    public var target: Target?
    /// Steps whose training decisions carry Gumbel noise; later ones are deterministic. nil: all.
    public var gumbelNoiseSteps: Int?
    /// The first step with frozen predictors; nil: they train throughout.
    public var predictorFreezeStep: Int?

    /// A schedule with explicit settings.
    public init(lambda: Double, lambdaWarmupSteps: Int = 0, tau: Double,
                tauAnnealing: Annealing? = nil, target: Target? = nil, gumbelNoiseSteps: Int? = nil,
                predictorFreezeStep: Int? = nil) {
        self.lambda = lambda
        self.lambdaWarmupSteps = lambdaWarmupSteps
        self.tau = tau
        self.tauAnnealing = tauAnnealing
        self.target = target
        self.gumbelNoiseSteps = gumbelNoiseSteps
        self.predictorFreezeStep = predictorFreezeStep
    }

    /// The schedule of a configuration's `skim:` section.
    public init(config: SkimConfig) {
        var annealing: Annealing?
        if let minimum = config.tauMin, let steps = config.tauAnnealSteps {
            annealing = Annealing(minimum: minimum, steps: steps)
        }
        self.init(lambda: config.lambda, lambdaWarmupSteps: config.lambdaWarmupSteps, tau: config.tau,
                  tauAnnealing: annealing,
                  target: config.targetKeep.map { Target(keep: $0, steps: config.targetSteps ?? 0) },
                  gumbelNoiseSteps: config.gumbelNoiseSteps, predictorFreezeStep: config.predictorFreezeStep)
    }

    /// λ(step) = λ·min(step, N)/N with N warmup steps, or λ when N is 0.
    public func lambda(at step: Int) -> Double {
        lambda * Self.progress(step, over: lambdaWarmupSteps)
    }

    /// τ(step) = τ0·(τmin/τ0)^(min(step, N)/N) when annealed over N steps, else τ0.
    public func tau(at step: Int) -> Double {
        guard let annealing = tauAnnealing else { return tau }
        return tau * pow(annealing.minimum / tau, Self.progress(step, over: annealing.steps))
    }

    /// r(step) = 1 + (r_final − 1)·min(step, N)/N, or nil when no target is configured.
    public func targetKeep(at step: Int) -> Double? {
        guard let target = target else { return nil }
        return 1 + (target.keep - 1) * Self.progress(step, over: target.steps)
    }

    /// Whether the training decisions of `step` carry Gumbel noise: step < N with N noisy steps.
    public func gumbelNoise(at step: Int) -> Bool {
        guard let steps = gumbelNoiseSteps else { return true }
        return step < steps
    }

    /// Whether the predictors are frozen at `step`: step ≥ F with freeze step F.
    public func predictorsFrozen(at step: Int) -> Bool {
        guard let first = predictorFreezeStep else { return false }
        return step >= first
    }

    /// min(step, steps)/steps for steps ≥ 0, clamped at 0; 1 when `steps` is 0 (final value at once).
    private static func progress(_ step: Int, over steps: Int) -> Double {
        guard steps > 0 else { return 1 }
        return Double(min(max(step, 0), steps)) / Double(steps)
    }
}
