import Foundation

/// What rank 0 decides for one optimizer step and broadcasts to every rank: the schedule values
/// and whether to evaluate, save or stop after the step. Encodes to a fixed ``encodedCount``
/// Doubles so that one fixed-size broadcast carries it.
public struct StepPlan: Equatable, Sendable {
    /// Actions to take after the step.
    public struct Flags: OptionSet, Equatable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Run evaluation after this step.
        public static let evaluate = Flags(rawValue: 1 << 0)
        /// Write a checkpoint after this step.
        public static let save = Flags(rawValue: 1 << 1)
        /// End training after this step.
        public static let stop = Flags(rawValue: 1 << 2)
        /// Every defined flag.
        public static let all: Flags = [.evaluate, .save, .stop]
    }

    /// The 0-based optimizer step about to be taken.
    public var step: Int
    /// The 0-based epoch the step belongs to.
    public var epoch: Int
    /// Learning rate of this step.
    public var learningRate: Double
    /// Skim-loss weight λ of this step.
    public var lambda: Double
    /// Gumbel-softmax temperature τ of this step.
    public var tau: Double
    /// Target kept fraction of this step, nil when the skim loss is a plain penalty.
    public var targetKeep: Double?
    /// Whether this step's skim decisions carry Gumbel noise (else deterministic, as at inference).
    public var gumbelNoise: Bool
    /// Whether the skim predictors are frozen in this step (their optimizer update is skipped).
    public var predictorsFrozen: Bool
    /// The coordinator's price per kept token μ for this step (``KeepPriceController``), nil when
    /// `skim.keep_price_rate` is not set.
    public var keepPrice: Double?
    /// Actions after the step.
    public var flags: Flags

    /// A plan with explicit values.
    public init(step: Int, epoch: Int, learningRate: Double, lambda: Double, tau: Double,
                targetKeep: Double?, gumbelNoise: Bool = true, predictorsFrozen: Bool = false, keepPrice: Double? = nil,
                flags: Flags) {
        self.step = step
        self.epoch = epoch
        self.learningRate = learningRate
        self.lambda = lambda
        self.tau = tau
        self.targetKeep = targetKeep
        self.gumbelNoise = gumbelNoise
        self.predictorsFrozen = predictorsFrozen
        self.keepPrice = keepPrice
        self.flags = flags
    }

    /// The plan of `step` with its values read from the schedules and the keep price's controller.
    public init(step: Int, epoch: Int, learningRate: LearningRateSchedule, skim: SkimSchedule,
                keepPrice: KeepPriceController? = nil, flags: Flags) {
        self.init(step: step, epoch: epoch, learningRate: learningRate.learningRate(at: step),
                  lambda: skim.lambda(at: step), tau: skim.tau(at: step),
                  targetKeep: skim.targetKeep(at: step), gumbelNoise: skim.gumbelNoise(at: step),
                  predictorsFrozen: skim.predictorsFrozen(at: step), keepPrice: keepPrice?.price, flags: flags)
    }

    // MARK: Fixed-size encoding

    /// Number of Doubles in the encoding.
    public static let encodedCount = 11
    /// First slot of every encoding, so a buffer that never received a plan is recognised.
    static let marker: Double = 0x5_C1A9
    /// ``targetKeep`` of nil is encoded as this value (targets lie in (0, 1]).
    static let noTarget: Double = -1
    /// ``keepPrice`` of nil is encoded as this value (prices are ≥ 0).
    static let noPrice: Double = -1

    /// `[marker, step, epoch, learningRate, lambda, tau, targetKeep or -1, flags, gumbelNoise 1/0,
    /// predictorsFrozen 1/0, keepPrice or -1]`.
    /// Steps and epochs below 2⁵³ are exact.
    public func encoded() -> [Double] {
        [Self.marker, Double(step), Double(epoch), learningRate, lambda, tau,
         targetKeep ?? Self.noTarget, Double(flags.rawValue), gumbelNoise ? 1 : 0, predictorsFrozen ? 1 : 0,
         keepPrice ?? Self.noPrice]
    }

    /// Decodes ``encoded()``; throws when the buffer is not a plan.
    public init(encoded values: [Double]) throws {
        guard values.count == Self.encodedCount else {
            throw StepPlanError("expected \(Self.encodedCount) values, got \(values.count)")
        }
        guard values[0] == Self.marker else {
            throw StepPlanError("missing marker (got \(values[0])): the buffer holds no step plan")
        }
        guard let step = Self.exactCount(values[1]), let epoch = Self.exactCount(values[2]) else {
            throw StepPlanError("step \(values[1]) or epoch \(values[2]) is not a whole number ≥ 0")
        }
        guard let raw = Self.exactCount(values[7]), raw <= Int(Flags.all.rawValue) else {
            throw StepPlanError("unknown flags \(values[7])")
        }
        guard values[8] == 0 || values[8] == 1 else {
            throw StepPlanError("Gumbel noise switch \(values[8]) is neither 0 nor 1")
        }
        guard values[9] == 0 || values[9] == 1 else {
            throw StepPlanError("predictor freeze switch \(values[9]) is neither 0 nor 1")
        }
        guard values[10] == Self.noPrice || values[10] >= 0 else {
            throw StepPlanError("keep price \(values[10]) is negative")
        }
        self.init(step: step, epoch: epoch, learningRate: values[3], lambda: values[4], tau: values[5],
                  targetKeep: values[6] == Self.noTarget ? nil : values[6], gumbelNoise: values[8] == 1,
                  predictorsFrozen: values[9] == 1, keepPrice: values[10] == Self.noPrice ? nil : values[10],
                  flags: Flags(rawValue: UInt8(raw)))
    }

    /// `value` as an Int when it is a whole number in [0, 2⁵³].
    private static func exactCount(_ value: Double) -> Int? {
        guard value >= 0, value <= 9_007_199_254_740_992, value.rounded() == value else { return nil }
        return Int(value)
    }
}

/// A buffer that does not decode to a ``StepPlan``.
public struct StepPlanError: Error, CustomStringConvertible, LocalizedError {
    /// What is wrong with the buffer.
    public let description: String

    init(_ description: String) { self.description = "step plan: " + description }

    /// The same as ``description``.
    public var errorDescription: String? { description }
}
