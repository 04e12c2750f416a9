/// Fully connected layer y = x·Wᵀ + b with weights stored [out, in] (the checkpoint layout).
public enum Linear {
    /// y[n, out] = x[n, in] · W[out, in]ᵀ + b[out]; `bias` may be nil.
    public static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, rows n: Int, inFeatures: Int, outFeatures: Int
    ) {
        if let bias {
            for r in 0..<n { (y + r * outFeatures).update(from: bias, count: outFeatures) }
        }
        BLAS.gemm(transA: false, transB: true, m: n, n: outFeatures, k: inFeatures,
                  a: x, lda: inFeatures, b: weight, ldb: inFeatures,
                  beta: bias == nil ? 0 : 1, c: y, ldc: outFeatures)
    }

    /// Backward of `forward`: dW[out, in] += dyᵀ·x, db[out] += Σ_rows dy, and dx[n, in] = dy·W
    /// (overwritten, or added to when `accumulateInput` is true). Any of dx, dW, db may be nil.
    public static func backward(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?,
        rows n: Int, inFeatures: Int, outFeatures: Int, accumulateInput: Bool = false
    ) {
        if let dx {
            BLAS.gemm(transA: false, transB: false, m: n, n: inFeatures, k: outFeatures,
                      a: dy, lda: outFeatures, b: weight, ldb: inFeatures,
                      beta: accumulateInput ? 1 : 0, c: dx, ldc: inFeatures)
        }
        if let dWeight {
            BLAS.gemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: n,
                      a: dy, lda: outFeatures, b: x, ldb: inFeatures,
                      beta: 1, c: dWeight, ldc: inFeatures)
        }
        if let dBias { Reduce.addColumnSums(dy, rows: n, columns: outFeatures, into: dBias) }
    }
}
