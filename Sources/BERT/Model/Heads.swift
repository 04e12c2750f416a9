import Kernels

/// Values the task head keeps for its backward (small: B × H at most, or B·T × 2).
struct HeadState {
    /// Classification: encoder output at token 0 [B, H], pooler output after tanh [B, H],
    /// classifier dropout mask [B, H] and the classifier input [B, H].
    var first: [Float] = [], pooled: [Float] = [], dropoutMask: [Float] = [], classifierInput: [Float] = []
    /// d(scale·loss)/d(logits), same layout as the logits.
    var dLogits: [Float] = []
    /// Distillation of the [CLS] state: d(scale·β·MSE)/d(first) [B, H] (empty without it).
    var dFirstMatch: [Float] = []
}

extension BertModel {
    /// Runs the head on the encoder output [B·T, H]; computes the loss and, in training, dLogits.
    func headForward(encoderOutput: UnsafePointer<Float>, target: ModelInput.Target, lossScale: Float,
                     generator: inout SeededGenerator) -> ForwardResult {
        let B = current.batch, T = current.seqLen, H = config.hiddenSize
        var state = HeadState()
        var logits: [Float]
        switch head {
        case .sequenceClassification(let labels):
            state.first = firstTokenStates(encoderOutput, batch: B, seqLen: T)
            var pre = [Float](repeating: 0, count: B * H)
            Linear.forward(x: state.first, weight: p(offsets.pooler), bias: p(offsets.poolerBias), y: &pre,
                           rows: B, inFeatures: H, outFeatures: H)
            state.pooled = pre
            Tanh.forward(x: pre, y: &state.pooled, count: B * H)
            state.classifierInput = state.pooled
            if current.training && classifierDropout > 0 {
                state.dropoutMask = [Float](repeating: 0, count: B * H)
                Dropout.sampleMask(&state.dropoutMask, count: B * H, p: classifierDropout, generator: &generator)
                Dropout.apply(&state.classifierInput, mask: state.dropoutMask, count: B * H)
            }
            logits = [Float](repeating: 0, count: B * labels)
            Linear.forward(x: state.classifierInput, weight: p(offsets.classifier), bias: p(offsets.classifierBias),
                           y: &logits, rows: B, inFeatures: H, outFeatures: labels)
        case .questionAnswering:
            logits = [Float](repeating: 0, count: B * T * 2)
            Linear.forward(x: encoderOutput, weight: p(offsets.classifier), bias: p(offsets.classifierBias),
                           y: &logits, rows: B * T, inFeatures: H, outFeatures: 2)
        }
        var loss = 0.0
        var dLogits = [Float](repeating: 0, count: current.training ? logits.count : 0)
        dLogits.withUnsafeMutableBufferPointer { d in
            let dPointer = current.training ? d.baseAddress : nil
            logits.withUnsafeBufferPointer { l in
                switch (target, head) {
                case (.classes(let classes), .sequenceClassification(let labels)):
                    loss = Losses.crossEntropy(logits: l.baseAddress!, targets: classes.map { $0 }, classes: labels,
                                               rowStride: labels, dLogits: dPointer, scale: lossScale)
                case (.distilled(let classes, let d), .sequenceClassification(let labels)):
                    loss = Losses.distillation(logits: l.baseAddress!, teacherLogits: d.teacherLogits, targets: classes,
                                               classes: labels, alpha: d.alpha, temperature: d.temperature,
                                               dLogits: dPointer, scale: lossScale)
                case (.scores(let scores), _):
                    loss = Losses.meanSquaredError(predictions: l.baseAddress!, targets: scores, dPredictions: dPointer, scale: lossScale)
                case (.spans(let start, let end), _):
                    loss = Losses.spanExtraction(logits: l.baseAddress!, batch: B, seqLen: T, startPositions: start,
                                                 endPositions: end, dLogits: dPointer, scale: lossScale)
                default: break
                }
            }
        }
        if case .distilled(_, let d) = target, d.matchesFirstToken, let teacherFirst = d.teacherFirstToken {
            let weight = d.firstTokenWeight
            if current.training { state.dFirstMatch = [Float](repeating: 0, count: B * H) }
            state.dFirstMatch.withUnsafeMutableBufferPointer { dFirst in
                state.first.withUnsafeBufferPointer { first in
                    loss += weight * Losses.meanSquaredError(predictions: first.baseAddress!, targets: teacherFirst,
                                                             dPredictions: current.training ? dFirst.baseAddress : nil,
                                                             scale: lossScale * Float(weight))
                }
            }
        }
        state.dLogits = dLogits
        headState = state
        return ForwardResult(loss: loss, logits: logits)
    }

    /// Token 0 ([CLS]) of each sequence of an encoder output [B·T, H]: [B, H].
    func firstTokenStates(_ encoderOutput: UnsafePointer<Float>, batch B: Int, seqLen T: Int) -> [Float] {
        let H = config.hiddenSize
        var first = [Float](repeating: 0, count: B * H)
        first.withUnsafeMutableBufferPointer { out in
            for b in 0..<B { (out.baseAddress! + b * H).update(from: encoderOutput + b * T * H, count: H) }
        }
        return first
    }

    /// Backward of the head: writes d(loss)/d(encoder output) [B·T, H] into `dEncoderOutput` (overwritten).
    func headBackward(encoderOutput: UnsafePointer<Float>, dEncoderOutput: UnsafeMutablePointer<Float>) {
        let B = current.batch, T = current.seqLen, H = config.hiddenSize
        let state = headState
        switch head {
        case .sequenceClassification(let labels):
            var dPooled = [Float](repeating: 0, count: B * H)
            Linear.backward(dy: state.dLogits, x: state.classifierInput, weight: p(offsets.classifier), dx: &dPooled,
                            dWeight: g(offsets.classifier), dBias: g(offsets.classifierBias), rows: B, inFeatures: H, outFeatures: labels)
            if !state.dropoutMask.isEmpty { Dropout.apply(&dPooled, mask: state.dropoutMask, count: B * H) }
            var dPre = [Float](repeating: 0, count: B * H)
            Tanh.backward(dy: dPooled, y: state.pooled, dx: &dPre, count: B * H)
            var dFirst = [Float](repeating: 0, count: B * H)
            Linear.backward(dy: dPre, x: state.first, weight: p(offsets.pooler), dx: &dFirst,
                            dWeight: g(offsets.pooler), dBias: g(offsets.poolerBias), rows: B, inFeatures: H, outFeatures: H)
            for i in 0..<state.dFirstMatch.count { dFirst[i] += state.dFirstMatch[i] }
            dEncoderOutput.update(repeating: 0, count: B * T * H)
            for b in 0..<B { for c in 0..<H { dEncoderOutput[b * T * H + c] = dFirst[b * H + c] } }
        case .questionAnswering:
            Linear.backward(dy: state.dLogits, x: encoderOutput, weight: p(offsets.classifier), dx: dEncoderOutput,
                            dWeight: g(offsets.classifier), dBias: g(offsets.classifierBias), rows: B * T, inFeatures: H, outFeatures: 2)
        }
    }
}
