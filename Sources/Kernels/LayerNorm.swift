/// LayerNorm over the last dimension: y = (x − mean)/√(var + eps) · γ + β, biased variance.
public enum LayerNorm {
    /// x, y: [rows, width]; mean, rstd: [rows] saved for backward. `y` may alias nothing else.
    public static func forward(
        x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        rows: Int, width: Int, eps: Float
    ) {
        let inv = 1 / Float(width)
        for r in 0..<rows {
            let xr = x + r * width
            let yr = y + r * width
            let mu = Reduce.sum(xr, count: width) * inv
            var acc = SIMD16<Float>()
            var i = 0
            while i + 16 <= width {
                let d = UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD16<Float>.self) - mu
                acc += d * d
                i += 16
            }
            var ss = acc.sum()
            while i < width { let d = xr[i] - mu; ss += d * d; i += 1 }
            let rs = 1 / (ss * inv + eps).squareRoot()
            mean[r] = mu
            rstd[r] = rs
            for c in 0..<width { yr[c] = (xr[c] - mu) * rs * gamma[c] + beta[c] }
        }
    }

    /// Backward of `forward`: dγ += Σ dy·x̂, dβ += Σ dy, and dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
    /// with dx̂ = dy·γ; `dx` is overwritten, or added to when `accumulate` is true. dx may alias dy.
    public static func backward(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>, dGamma: UnsafeMutablePointer<Float>?, dBeta: UnsafeMutablePointer<Float>?,
        rows: Int, width: Int, accumulate: Bool = false
    ) {
        let inv = 1 / Float(width)
        for r in 0..<rows {
            let xr = x + r * width
            let dyr = dy + r * width
            let dxr = dx + r * width
            let mu = mean[r]
            let rs = rstd[r]
            var sumD: Float = 0
            var sumDX: Float = 0
            for c in 0..<width {
                let xhat = (xr[c] - mu) * rs
                let dxhat = dyr[c] * gamma[c]
                sumD += dxhat
                sumDX += dxhat * xhat
            }
            if let dGamma, let dBeta {
                for c in 0..<width {
                    dGamma[c] += dyr[c] * (xr[c] - mu) * rs
                    dBeta[c] += dyr[c]
                }
            }
            let meanD = sumD * inv
            let meanDX = sumDX * inv
            if accumulate {
                for c in 0..<width {
                    let xhat = (xr[c] - mu) * rs
                    dxr[c] += rs * (dyr[c] * gamma[c] - meanD - xhat * meanDX)
                }
            } else {
                for c in 0..<width {
                    let xhat = (xr[c] - mu) * rs
                    dxr[c] = rs * (dyr[c] * gamma[c] - meanD - xhat * meanDX)
                }
            }
        }
    }
}
