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
    public static func backward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            let cdf = 0.5 * onePlusErf(v * invSqrt2)
            let pdf = invSqrt2Pi * fastExp(-0.5 * v * v)
            dx[i] = dy[i] * (cdf + v * pdf)
        }
    }
}
