/// Sizes of one multi-head self-attention call.
public struct AttentionShape: Equatable {
    /// Sequences in the batch (B), padded length (T), heads (A), head size (d); width H = A·d.
    public var batch: Int, seqLen: Int, heads: Int, headDim: Int
    public init(batch: Int, seqLen: Int, heads: Int, headDim: Int) {
        self.batch = batch; self.seqLen = seqLen; self.heads = heads; self.headDim = headDim
    }
    public var width: Int { heads * headDim }
    /// Elements of one probability tensor [B, A, T, T].
    public var probabilityCount: Int { batch * heads * seqLen * seqLen }
}

/// Scaled dot-product self-attention over per-sequence key masks.
///
/// Layouts: q, k, v, context are [B·T, H] with head h in columns h·d ..< (h+1)·d. `keyValid` is the
/// attention mask [B, T] (1 real, 0 padding): padded keys get probability exactly 0. The optional
/// `keyKeep` [B, T] is Transkimmer's cumulative keep mask M: P_j = e_j·M_j / Σ_k e_k·M_k with
/// e_j = exp(s_j − max over unpadded keys). `weights` [B, A, T, T] receives e_j / Σ_k e_k·M_k
/// (equal to P when there is no keep mask); backward needs it.
public enum Attention {
    public static func forward(
        shape: AttentionShape, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        keyValid: UnsafePointer<Float>, keyKeep: UnsafePointer<Float>?,
        weights: UnsafeMutablePointer<Float>, dropoutMask: UnsafePointer<Float>?,
        context: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let T = shape.seqLen, H = shape.width, d = shape.headDim
        let scale = 1 / Float(d).squareRoot()
        for b in 0..<shape.batch {
            let valid = keyValid + b * T
            let keep = keyKeep.map { $0 + b * T }
            for h in 0..<shape.heads {
                let w = weights + (b * shape.heads + h) * T * T
                let qb = q + b * T * H + h * d, kb = k + b * T * H + h * d, vb = v + b * T * H + h * d
                BLAS.gemm(transA: false, transB: true, m: T, n: T, k: d, alpha: scale,
                          a: qb, lda: H, b: kb, ldb: H, beta: 0, c: w, ldc: T)
                for row in 0..<T { normalizeRow(w + row * T, count: T, valid: valid, keep: keep) }
                // Probabilities used for the context: P = weights ⊙ M (⊙ dropout).
                var probs = UnsafePointer(w)
                if keep != nil || dropoutMask != nil {
                    let p = scratch
                    for row in 0..<T {
                        let src = w + row * T, dst = p + row * T
                        let dm = dropoutMask.map { $0 + (b * shape.heads + h) * T * T + row * T }
                        for j in 0..<T {
                            var value = src[j]
                            if let keep { value *= keep[j] }
                            if let dm { value *= dm[j] }
                            dst[j] = value
                        }
                    }
                    probs = UnsafePointer(p)
                }
                BLAS.gemm(transA: false, transB: false, m: T, n: d, k: T,
                          a: probs, lda: T, b: vb, ldb: H, beta: 0, c: context + b * T * H + h * d, ldc: H)
            }
        }
    }

    /// Turns one row of scaled scores into weights e_j / Σ_k e_k·M_k (padded keys 0).
    @inline(__always)
    static func normalizeRow(_ row: UnsafeMutablePointer<Float>, count T: Int,
                             valid: UnsafePointer<Float>, keep: UnsafePointer<Float>?) {
        var maxValue = -Float.greatestFiniteMagnitude
        for j in 0..<T where valid[j] != 0 && row[j] > maxValue { maxValue = row[j] }
        var denominator: Float = 0
        for j in 0..<T {
            let e = valid[j] != 0 ? fastExp(row[j] - maxValue) : 0
            row[j] = e
            denominator += keep.map { e * $0[j] } ?? e
        }
        let inv = 1 / denominator
        for j in 0..<T { row[j] *= inv }
    }

    /// Backward of `forward`. dContext [B·T, H] in; dq, dk, dv [B·T, H] out (overwritten).
    /// With a keep mask, dKeyKeep [B, T] is added to: ∂L/∂M_j = Σ_{heads, rows} w_j·(dP_j − Σ_k P_k·dP_k).
    /// `scratch` holds 2·T·T floats.
    public static func backward(
        shape: AttentionShape, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        keyKeep: UnsafePointer<Float>?, weights: UnsafePointer<Float>, dropoutMask: UnsafePointer<Float>?,
        dContext: UnsafePointer<Float>,
        dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
        dKeyKeep: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>
    ) {
        let T = shape.seqLen, H = shape.width, d = shape.headDim
        let scale = 1 / Float(d).squareRoot()
        let probs = scratch, dP = scratch + T * T
        for b in 0..<shape.batch {
            let keep = keyKeep.map { $0 + b * T }
            for h in 0..<shape.heads {
                let offset = (b * shape.heads + h) * T * T
                let w = weights + offset
                let dm = dropoutMask.map { $0 + offset }
                let base = b * T * H + h * d
                // Dropped-out probabilities as used in the forward product.
                for row in 0..<T {
                    for j in 0..<T {
                        var value = w[row * T + j]
                        if let keep { value *= keep[j] }
                        if let dm { value *= dm[row * T + j] }
                        probs[row * T + j] = value
                    }
                }
                // dV = Pᵀ·dC ; dP = dC·Vᵀ
                BLAS.gemm(transA: true, transB: false, m: T, n: d, k: T,
                          a: probs, lda: T, b: dContext + base, ldb: H, beta: 0, c: dv + base, ldc: H)
                BLAS.gemm(transA: false, transB: true, m: T, n: T, k: d,
                          a: dContext + base, lda: H, b: v + base, ldb: H, beta: 0, c: dP, ldc: T)
                // Through dropout, then through the (masked) softmax: dS_j = P_j (dP_j − u), u = Σ P_k dP_k.
                for row in 0..<T {
                    let wr = w + row * T, dPr = dP + row * T
                    if let dm { for j in 0..<T { dPr[j] *= dm[row * T + j] } }
                    var u: Float = 0
                    if let keep {
                        for j in 0..<T { u += wr[j] * keep[j] * dPr[j] }
                        for j in 0..<T {
                            let g = wr[j] * (dPr[j] - u)
                            dKeyKeep?[b * T + j] += g
                            dPr[j] = g * keep[j]
                        }
                    } else {
                        for j in 0..<T { u += wr[j] * dPr[j] }
                        for j in 0..<T { dPr[j] = wr[j] * (dPr[j] - u) }
                    }
                }
                // dQ = dS·K·scale ; dK = dSᵀ·Q·scale
                BLAS.gemm(transA: false, transB: false, m: T, n: d, k: T, alpha: scale,
                          a: dP, lda: T, b: k + base, ldb: H, beta: 0, c: dq + base, ldc: H)
                BLAS.gemm(transA: true, transB: false, m: T, n: d, k: T, alpha: scale,
                          a: dP, lda: T, b: q + base, ldb: H, beta: 0, c: dk + base, ldc: H)
            }
        }
    }
}
