import Foundation

/// Hyper-parameters of one AdamW update, as `torch.optim.AdamW`.
public struct AdamWSettings: Equatable {
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0.01
    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.epsilon = epsilon; self.weightDecay = weightDecay
    }
}

/// AdamW exactly as `torch.optim.AdamW` (bias correction on, decoupled weight decay):
/// p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
/// p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
public enum AdamW {
    /// Updates `count` parameters in place. `step` is 1-based (the step being taken);
    /// `decay` false skips weight decay (biases and LayerNorm weights).
    public static func update(
        parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
        step: Int, settings: AdamWSettings, decay: Bool
    ) {
        let b1 = settings.beta1, b2 = settings.beta2
        let bias1 = 1 - Float(pow(Double(b1), Double(step)))
        let bias2 = 1 - Float(pow(Double(b2), Double(step)))
        let stepSize = settings.learningRate / bias1
        let invSqrtBias2 = 1 / bias2.squareRoot()
        let shrink = decay ? 1 - settings.learningRate * settings.weightDecay : 1
        let eps = settings.epsilon
        for i in 0..<count {
            let g = gradients[i]
            let mi = b1 * m[i] + (1 - b1) * g
            let vi = b2 * v[i] + (1 - b2) * g * g
            m[i] = mi
            v[i] = vi
            let denominator = vi.squareRoot() * invSqrtBias2 + eps
            parameters[i] = parameters[i] * shrink - stepSize * mi / denominator
        }
    }
}
