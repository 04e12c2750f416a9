import Kernels

/// Where one predictor call keeps its intermediate values (pointers into caller-owned buffers).
/// All row-major over `rows` tokens: norm0 [rows, H]; dense1, norm2, act [rows, P] (P the
/// predictor's inner width); mean0, rstd0, mean2, rstd2 [rows]; logits [rows, 2] (column 0 skim, 1 keep).
struct PredictorTape {
    var norm0, mean0, rstd0, dense1, norm2, mean2, rstd2, act, logits: UnsafeMutablePointer<Float>
}

/// The Transkimmer predictor Pred(x) = W4·GELU(LN2(W1·LN0(x) + b1)) + b4 on a block of rows,
/// with inner width P = `offsets.width`.
enum SkimPredictor {
    /// Forward on x [rows, H]; fills every field of `tape`, logits last.
    static func forward(x: UnsafePointer<Float>, rows: Int, hidden H: Int, parameters w: UnsafeMutablePointer<Float>,
                        offsets o: PredictorOffsets, tape t: PredictorTape) {
        let eps = TranskimmerNames.layerNormEps, P = o.width
        LayerNorm.forward(x: x, gamma: w + o.norm0Gamma, beta: w + o.norm0Beta, y: t.norm0, mean: t.mean0, rstd: t.rstd0,
                          rows: rows, width: H, eps: eps)
        Linear.forward(x: t.norm0, weight: w + o.dense1, bias: w + o.dense1Bias, y: t.dense1, rows: rows, inFeatures: H, outFeatures: P)
        LayerNorm.forward(x: t.dense1, gamma: w + o.norm2Gamma, beta: w + o.norm2Beta, y: t.norm2, mean: t.mean2, rstd: t.rstd2,
                          rows: rows, width: P, eps: eps)
        GELU.forward(x: t.norm2, y: t.act, count: rows * P)
        Linear.forward(x: t.act, weight: w + o.dense4, bias: w + o.dense4Bias, y: t.logits, rows: rows, inFeatures: P, outFeatures: 2)
    }

    /// Backward from dLogits [rows, 2]: adds parameter gradients into `g` and d(loss)/dx into dx
    /// [rows, H] (added to, not overwritten); dx nil: the input is treated as a constant (detached)
    /// and d(loss)/dx is dropped. `scratchA`, `scratchB` hold rows·max(H, P) floats each.
    static func backward(dLogits: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, hidden H: Int,
                         parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafeMutablePointer<Float>,
                         offsets o: PredictorOffsets, tape t: PredictorTape, dx: UnsafeMutablePointer<Float>?,
                         scratchA: UnsafeMutablePointer<Float>, scratchB: UnsafeMutablePointer<Float>) {
        let P = o.width
        Linear.backward(dy: dLogits, x: t.act, weight: w + o.dense4, dx: scratchA, dWeight: g + o.dense4, dBias: g + o.dense4Bias,
                        rows: rows, inFeatures: P, outFeatures: 2)
        GELU.backward(dy: scratchA, x: t.norm2, dx: scratchA, count: rows * P)
        LayerNorm.backward(dy: scratchA, x: t.dense1, gamma: w + o.norm2Gamma, mean: t.mean2, rstd: t.rstd2, dx: scratchB,
                           dGamma: g + o.norm2Gamma, dBeta: g + o.norm2Beta, rows: rows, width: P)
        Linear.backward(dy: scratchB, x: t.norm0, weight: w + o.dense1, dx: scratchA, dWeight: g + o.dense1, dBias: g + o.dense1Bias,
                        rows: rows, inFeatures: H, outFeatures: P)
        // Without dx the input gradient lands in scratchB, which is free by now, and is dropped.
        LayerNorm.backward(dy: scratchA, x: x, gamma: w + o.norm0Gamma, mean: t.mean0, rstd: t.rstd0, dx: dx ?? scratchB,
                           dGamma: g + o.norm0Gamma, dBeta: g + o.norm0Beta, rows: rows, width: H, accumulate: dx != nil)
    }
}
