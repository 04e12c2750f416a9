/// Forwarding of skimmed tokens' last states (SPEC §2): F_l = F_{l−1} ⊙ (1 − M_l) + H_l ⊙ M_l,
/// row by row. M is exactly 0 or 1, so the forward is a row select (bitwise the formula's value).
enum Forwarding {
    /// previous (F_{l−1}), layerOutput (H_l), out (F_l): [N, H]; mask [N].
    static func forward(previous: UnsafePointer<Float>, layerOutput: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                        out: UnsafeMutablePointer<Float>, tokens N: Int, hidden H: Int) {
        for n in 0..<N {
            let src = mask[n] != 0 ? layerOutput + n * H : previous + n * H
            (out + n * H).update(from: src, count: H)
        }
    }

    /// Backward from dF = d(loss)/dF_l [N, H] (in dForwarded): dMask[n] += Σ_c dF·(H_l − F_{l−1}),
    /// dLayerOutput += dF ⊙ M (added), and dForwarded becomes d(loss)/dF_{l−1} = dF ⊙ (1 − M).
    static func backward(dForwarded: UnsafeMutablePointer<Float>, previous: UnsafePointer<Float>,
                         layerOutput: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                         dLayerOutput: UnsafeMutablePointer<Float>, dMask: UnsafeMutablePointer<Float>,
                         tokens N: Int, hidden H: Int) {
        for n in 0..<N {
            let d = dForwarded + n * H, h = layerOutput + n * H, f = previous + n * H
            var s: Float = 0
            for c in 0..<H { s += d[c] * (h[c] - f[c]) }
            dMask[n] += s
            if mask[n] != 0 {
                let dh = dLayerOutput + n * H
                for c in 0..<H { dh[c] += d[c] }
                d.update(repeating: 0, count: H)
            }
        }
    }
}
