import Kernels

/// Backward of the Transkimmer training forward: through the head into F, the forwarding, each
/// layer's masked attention (into M), the cumulative product, the straight-through decisions and
/// the predictors, literally as SPEC §2 (skimmed tokens' stale values included).
extension BertModel {
    /// Called by `backward()` after a skim training forward; adds every gradient (BERT and predictors).
    func skimBackward(_ s: TranskimmerState, gradientsReady: ((Int) throws -> Void)?) rethrows {
        let a = activations!, L = config.numHiddenLayers, H = config.hiddenSize, T = current.seqLen, N = current.tokens
        let dF = s.dForwarded.pointer, dHidden = a.dHidden.pointer, dMask = s.dMask.pointer, valid = s.valid.pointer
        headBackward(encoderOutput: skimForwardedPointer(L), dEncoderOutput: dF)
        try gradientsReady?(layout.headOffset)
        dHidden.update(repeating: 0, count: N * H)
        dMask.update(repeating: 0, count: N)
        let dSkim = SkimLoss.maskGradient(settings: s.settings, skimLoss: s.skimLoss, scale: s.lossScale, layers: L,
                                          realTokens: s.realTokens)
        let tau = Float(s.settings.tau)
        for l in stride(from: L - 1, through: 0, by: -1) {
            let mask = s.slice(s.mask, l)
            // dHidden holds d/d hidden[l+1] from layer l+1 and predictor l+1; add the forwarding's share.
            Forwarding.backward(dForwarded: dF, previous: skimForwardedPointer(l), layerOutput: hiddenPointer(l + 1),
                                mask: mask, dLayerOutput: dHidden, dMask: dMask, tokens: N, hidden: H)
            for n in 0..<N { dMask[n] += dSkim * valid[n] }
            layerBackward(l, keyKeep: mask, dKeyKeep: dMask)
            // dMask is now complete for layer l: into the predictor's logits, and on to M_{l−1}
            // (unchanged through a layer without a predictor, where M_l = M_{l−1}).
            if let predictor = s.predictors[l] {
                SkimDecision.backward(dMask: dMask, previous: l == 0 ? valid : s.slice(s.mask, l - 1),
                                      m: s.slice(s.decision, l), softProduct: s.slice(s.softProduct, l), tau: tau,
                                      tokens: N, seqLen: T, dLogits: s.dLogits.pointer)
                SkimPredictor.backward(dLogits: s.dLogits.pointer, x: hiddenPointer(l), rows: N, hidden: H,
                                       parameters: parameters.pointer, gradients: gradients.pointer, offsets: predictor,
                                       tape: s.tape(l, hidden: H), dx: s.settings.detachPredictorInput ? nil : dHidden, scratchA: s.scratchA.pointer, scratchB: s.scratchB.pointer)
            }
            // Layer l and its predictor, if any (stored after it), are final.
            try gradientsReady?(layout.firstOffset(ofLayer: l))
        }
        // F before layer 0 is the embedding output hidden[0].
        for i in 0..<(N * H) { dHidden[i] += dF[i] }
        embeddingsBackward()
    }
}
