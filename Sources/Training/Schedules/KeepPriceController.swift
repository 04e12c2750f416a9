import Foundation

/// The coordinator's price per kept token (`skim.keep_price_rate`, an option beyond SPEC §7).
///
/// λ·(L_skim − r)² asks every batch for the kept fraction r. With length-bucketed batches that
/// means every sentence length too: a batch of 4-token phrases must skim as hard as a batch of
/// 60-token sentences. The price μ instead charges every kept token the same (``KeepPrice``) and
/// lets the task loss decide where a token is worth it; after each step μ moves by
///
///     μ ← max(0, μ + η·(K̄ − r·N) / N_ref)
///
/// with K̄ the global batch's kept real tokens averaged over layers, N its real tokens, r the
/// step's target and N_ref the real tokens of a global batch of average length. μ is an integral
/// of the kept-token surplus, so the fraction of all real tokens kept since the start follows r,
/// token-weighted (as FLOPs are), while single batches may keep more or less.
public struct KeepPriceController: Equatable, Sendable {
    /// η: the price change per unit of kept-fraction surplus in one step.
    public let rate: Double
    /// The mean real length of a training example (tokens).
    public let meanExampleTokens: Double
    /// μ for the next step; starts at 0 (a resume sets the checkpoint's).
    public internal(set) var price: Double = 0

    /// A controller with rate η > 0 for examples of `meanExampleTokens` real tokens on average.
    public init(rate: Double, meanExampleTokens: Double) {
        self.rate = rate
        self.meanExampleTokens = meanExampleTokens
    }

    /// Moves μ after a step whose global batch of `examples` examples and `realTokens` real
    /// tokens kept `keptTokens[l]` real tokens in layer l, against the step's target r.
    public mutating func update(keptTokens: [Double], realTokens: Double, examples: Int, target: Double) {
        guard !keptTokens.isEmpty, examples > 0 else { return }
        let keptMean = keptTokens.reduce(0, +) / Double(keptTokens.count)
        let surplus = (keptMean - target * realTokens) / (Double(examples) * meanExampleTokens)
        price = max(0, price + rate * surplus)
    }
}
