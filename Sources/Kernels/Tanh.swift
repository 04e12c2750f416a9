/// Elementwise tanh (the BERT pooler's activation).
public enum Tanh {
    /// y[i] = tanh(x[i]).
    public static func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = fastTanh(x[i]) }
    }

    /// dx[i] = dy[i]·(1 − y[i]²), from the saved output y. dx may alias dy.
    public static func backward(dy: UnsafePointer<Float>, y: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dx[i] = dy[i] * (1 - y[i] * y[i]) }
    }
}
