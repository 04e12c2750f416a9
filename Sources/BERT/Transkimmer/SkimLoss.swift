/// The skim loss L_skim = (1/L) Σ_l (Σ_{b,t} M_l[b,t]·a[b,t]) / (Σ_{b,t} a[b,t]) (SPEC §2: real
/// tokens only; M is 0 on padding, so Σ M_l·a = Σ M_l) and kept-token counts.
enum SkimLoss {
    /// Kept tokens per layer and sequence from masks stacked as [L, stride] with [B, T] at the start of each layer.
    static func keptCounts(masks: UnsafePointer<Float>, layerStride: Int, layers L: Int, batch B: Int,
                           seqLen T: Int) -> (perSequence: [[Int]], total: [Int]) {
        var perSequence = [[Int]](repeating: [Int](repeating: 0, count: B), count: L)
        for l in 0..<L {
            let m = masks + l * layerStride
            for b in 0..<B {
                var kept = 0
                for t in 0..<T where m[b * T + t] != 0 { kept += 1 }
                perSequence[l][b] = kept
            }
        }
        return (perSequence, perSequence.map { $0.reduce(0, +) })
    }

    /// L_skim from kept real tokens per layer and the batch's real tokens.
    static func value(keptTokens: [Int], realTokens: Int) -> Double {
        guard !keptTokens.isEmpty, realTokens > 0 else { return 0 }
        return keptTokens.reduce(0.0) { $0 + Double($1) / Double(realTokens) } / Double(keptTokens.count)
    }

    /// d(scale·penalty)/dM_l[b,t] for a real token (the same for every layer and real token; 0 on padding).
    static func maskGradient(settings: SkimSettings, skimLoss: Double, scale: Float, layers L: Int, realTokens: Int) -> Float {
        Float(Double(scale) * settings.penaltySlope(skimLoss: skimLoss, realTokens: realTokens) / (Double(L) * Double(realTokens)))
    }
}
