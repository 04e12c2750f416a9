import Foundation

/// Straight-through Gumbel-softmax keep decisions and the cumulative mask (SPEC §2).
///
/// Per token: z = (logits + g)/τ; soft = softmax(z); hard = one-hot(argmax z), a tie picks 0
/// (skim). A keep bias b (0 in SPEC) is added to the keep logit before the noise: b > 0 keeps more
/// tokens, b < 0 fewer (an inference operating point chosen after training). m = hard[keep] in the
/// forward, its gradient that of soft[keep]. [CLS] (position 0 of each sequence) has m = 1 as a
/// constant. M = m ⊙ M_prev, with M_prev = attention mask for the
/// first layer, so padding stays 0 and a skimmed token never returns.
enum SkimDecision {
    /// The hard decision for one token: keep iff z_keep > z_skim, with the keep bias in z_keep.
    @inline(__always)
    static func keep(logitSkim: Float, logitKeep: Float, noiseSkim: Float, noiseKeep: Float, keepBias: Float,
                     invTau: Float) -> Bool {
        (logitKeep + keepBias + noiseKeep) * invTau > (logitSkim + noiseSkim) * invTau
    }

    /// logits, noise [N, 2] (noise nil: 0); previous, m, mask, softKeep [N] with N = B·T.
    /// Writes softKeep = soft[keep], softProduct = soft[keep]·soft[skim] (both computed in Double,
    /// the product without cancellation), m (after forcing [CLS]) and mask = m ⊙ previous.
    static func forward(logits: UnsafePointer<Float>, noise: UnsafePointer<Float>?, tau: Float, keepBias: Float,
                        previous: UnsafePointer<Float>, tokens N: Int, seqLen T: Int,
                        softKeep: UnsafeMutablePointer<Float>, softProduct: UnsafeMutablePointer<Float>,
                        m: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>) {
        let invTau = 1 / tau
        for n in 0..<N {
            let g0 = noise?[2 * n] ?? 0, g1 = noise?[2 * n + 1] ?? 0
            let z0 = (logits[2 * n] + g0) * invTau, z1 = (logits[2 * n + 1] + keepBias + g1) * invTau
            let keepSoft = 1 / (1 + Foundation.exp(Double(z0) - Double(z1)))
            let skimSoft = 1 / (1 + Foundation.exp(Double(z1) - Double(z0)))
            softKeep[n] = Float(keepSoft)
            softProduct[n] = Float(keepSoft * skimSoft)
            let hard: Float = keep(logitSkim: logits[2 * n], logitKeep: logits[2 * n + 1], noiseSkim: g0, noiseKeep: g1,
                                   keepBias: keepBias, invTau: invTau) ? 1 : 0
            m[n] = n % T == 0 ? 1 : hard
            mask[n] = m[n] * previous[n]
        }
    }

    /// A layer without a predictor: m = 1 everywhere (soft keep 1, product 0, logits 0), so M = M_prev
    /// and its backward passes dMask on unchanged.
    static func keepAll(previous: UnsafePointer<Float>, tokens N: Int, logits: UnsafeMutablePointer<Float>,
                        softKeep: UnsafeMutablePointer<Float>, softProduct: UnsafeMutablePointer<Float>,
                        m: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>) {
        logits.update(repeating: 0, count: 2 * N)
        softKeep.update(repeating: 1, count: N)
        softProduct.update(repeating: 0, count: N)
        m.update(repeating: 1, count: N)
        mask.update(from: previous, count: N)
    }

    /// Backward of `forward` from dMask = d(loss)/dM [N] (complete for this layer). Writes dLogits
    /// [N, 2] = (−1, +1)·s_keep·s_skim·dm/τ with dm = dMask ⊙ previous (0 at [CLS]), then turns dMask
    /// into dMask ⊙ m in place: the product's gradient into the previous layer's mask.
    static func backward(dMask: UnsafeMutablePointer<Float>, previous: UnsafePointer<Float>, m: UnsafePointer<Float>,
                         softProduct: UnsafePointer<Float>, tau: Float, tokens N: Int, seqLen T: Int,
                         dLogits: UnsafeMutablePointer<Float>) {
        let invTau = 1 / tau
        for n in 0..<N {
            let dm: Float = n % T == 0 ? 0 : dMask[n] * previous[n]
            let dz = softProduct[n] * dm * invTau
            dLogits[2 * n] = -dz
            dLogits[2 * n + 1] = dz
            dMask[n] *= m[n]
        }
    }
}
