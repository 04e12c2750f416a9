import Kernels

/// Packing of the removal engine: gathering real tokens, skim decisions on the packed rows,
/// compaction of the kept rows, scattering of final states into the padded output.
extension SkimInference {
    /// Packs the real tokens' embedding outputs from `output` into X; sets positions and segments. Returns n.
    func gatherRealTokens(_ input: ModelInput, buffers u: PackedBuffers, hidden H: Int) -> Int {
        let T = input.seqLen
        var n = 0
        for b in 0..<input.batch {
            u.segmentStart[b] = n
            for t in 0..<T where input.attentionMask[b * T + t] != 0 {
                let p = b * T + t
                u.positions[n] = p
                (u.x.pointer + n * H).update(from: u.output.pointer + p * H, count: H)
                n += 1
            }
            u.segmentLength[b] = n - u.segmentStart[b]
        }
        return n
    }

    /// A layer's predictor on the n packed rows, then the decisions: a kept row moves up to its new packed
    /// index, a skimmed row's state (its last layer's output) goes to `output` at its position.
    /// [CLS] (t = 0) is always kept. `noise` [B·T, 2] is indexed by position; `keepBias` is added to
    /// every keep logit. Returns the new n.
    func skimStep(_ predictor: PredictorOffsets, rows n: Int, batch B: Int, seqLen T: Int, noise: UnsafePointer<Float>?,
                  keepBias: Float, invTau: Float, buffers u: PackedBuffers) -> Int {
        let H = model.config.hiddenSize
        let tape = u.predictorTape
        SkimPredictor.forward(x: u.x.pointer, rows: n, hidden: H, parameters: model.parameters.pointer,
                              offsets: predictor, tape: tape)
        let logits = tape.logits, x = u.x.pointer, out = u.output.pointer
        var w = 0
        for b in 0..<B {
            let start = u.segmentStart[b], end = start + u.segmentLength[b]
            u.segmentStart[b] = w
            for r in start..<end {
                let p = u.positions[r]
                let keep = p % T == 0 || SkimDecision.keep(logitSkim: logits[2 * r], logitKeep: logits[2 * r + 1],
                                                           noiseSkim: noise?[2 * p] ?? 0, noiseKeep: noise?[2 * p + 1] ?? 0,
                                                           keepBias: keepBias, invTau: invTau)
                if keep {
                    if w != r {
                        (x + w * H).update(from: x + r * H, count: H)
                        u.positions[w] = p
                    }
                    w += 1
                } else {
                    (out + p * H).update(from: x + r * H, count: H)
                }
            }
            u.segmentLength[b] = w - u.segmentStart[b]
        }
        return w
    }

    /// Writes the packed rows' states to their positions in `output`.
    func scatter(rows: Range<Int>, buffers u: PackedBuffers, hidden H: Int) {
        for r in rows { (u.output.pointer + u.positions[r] * H).update(from: u.x.pointer + r * H, count: H) }
    }
}
