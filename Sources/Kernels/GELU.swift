/// Exact (erf) GELU: y = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), as Hugging Face's "gelu".
public enum GELU {
    @usableFromInline static let invSqrt2: Float = 0.70710678118654752
    @usableFromInline static let invSqrt2Pi: Float = 0.39894228040143268

    /// y[i] = gelu(x[i]) for `count` elements.
    public static func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            y[i] = 0.5 * v * onePlusErf(v * invSqrt2)
        }
    }

    /// dx[i] = dy[i]·(Φ(x) + x·φ(x)), φ the standard normal density. dx may alias dy.
    /// The derivative is computed in chunks into a stack buffer first: with dx possibly aliasing dy,
    /// a single loop would not vectorise.
    public static func backward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>, count: Int) {
        let chunk = 512
        withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { derivative in
            let d = derivative.baseAddress!
            var start = 0
            while start < count {
                let n = min(chunk, count - start)
                let xs = x + start
                for i in 0..<n {
                    let v = xs[i]
                    let cdf = 0.5 * onePlusErf(v * invSqrt2)
                    let pdf = invSqrt2Pi * fastExp(-0.5 * v * v)
                    d[i] = cdf + v * pdf
                }
                for i in 0..<n { dx[start + i] = dy[start + i] * d[i] }
                start += n
            }
        }
    }
}
