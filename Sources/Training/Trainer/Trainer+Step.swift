import BERT
import Foundation
import Kernels
import Text

/// What one optimizer step measured (identical on every rank except the timings).
struct StepOutcome {
    /// Mean training loss over the global batch.
    var loss: Double
    /// Global gradient norm before clipping.
    var gradNorm: Double
    /// Real (unpadded) tokens of the global batch per second of this step.
    var tokensPerSecond: Double
    var seconds: Double
    /// Transkimmer: mean skim loss over the global batch and the kept fraction of real tokens per
    /// layer (nil for dense training).
    var skimLoss: Double?
    var keptFraction: [Double]?
    /// Transkimmer: kept real tokens per layer and real tokens of the global batch.
    var keptTokens: [Double]?
    var realTokens: Double
    /// `skim.dense_pass_weight`: mean loss of the dense companion pass over the global batch
    /// (unweighted; nil without that pass).
    var densePassLoss: Double?
}

extension Trainer {
    /// One optimizer step: every micro-batch forward and backward (the loss of each scaled by
    /// its share of the global batch), gradients summed across ranks, clipped, AdamW.
    /// `globalBatch` lists the example indices of the whole step; this rank takes positions
    /// rank, rank + N, … of it and cuts its part into grad_accumulation micro-batches.
    func trainStep(plan: StepPlan, globalBatch: [Int]) throws -> StepOutcome {
        let start = DispatchTime.now().uptimeNanoseconds
        let lossScale = Float(microBatch) / Float(config.batchSize)
        let mine = BatchSampler.shard(globalBatch, rank: rank, worldSize: communicator.size)
        model.gradients.zero()
        let layers = model.config.numHiddenLayers
        let skimming = config.method == .transkimmer
        let densePassWeight = skimming ? config.skim.densePassWeight : nil
        // Σ scaled loss, real tokens, Σ scaled skim loss, then kept real tokens per layer, then
        // Σ scaled dense-pass loss.
        let densePassSlot = 3 + (skimming ? layers : 0)
        var totals = [Double](repeating: 0, count: densePassSlot + (densePassWeight == nil ? 0 : 1))
        let microBatches = BatchSampler.split(mine, into: config.gradAccumulation)
        for (index, rows) in microBatches.enumerated() {
            var input = try train.modelInput(rows: rows)
            if let teacher, case .classes(let classes) = input.target {
                let said = try teacher.predictWithFirstToken(input)
                let hidden = config.distillHiddenWeight > 0
                input.target = .distilled(classes: classes, Distillation(
                    teacherLogits: said.logits, alpha: config.distillAlpha, temperature: config.distillTemperature,
                    teacherFirstToken: hidden ? said.firstToken : nil, firstTokenWeight: config.distillHiddenWeight))
            }
            if let weight = densePassWeight {
                // The dense companion pass first: its backward must follow its own forward.
                let dense = try model.forward(input, training: true, lossScale: lossScale * Float(weight),
                                              generator: &generator)
                model.backward()
                totals[0] += dense.loss * Double(lossScale) * weight
                totals[densePassSlot] += dense.loss * Double(lossScale)
            }
            if skimming {
                // μ from rank 0's plan; the reference length from this rank's controller (the same everywhere).
                let price = keepPrice.flatMap { controller in
                    plan.keepPrice.map { KeepPrice(price: $0, referenceTokens: Double(rows.count) * controller.meanExampleTokens) }
                }
                let settings = SkimSettings(lambda: plan.lambda, tau: plan.tau, targetKeep: plan.targetKeep,
                                            noise: plan.gumbelNoise ? .sampled : .none,
                                            detachPredictorInput: config.skim.detachPredictorInput, keepPrice: price)
                let result = try model.forward(input, training: true, lossScale: lossScale, generator: &generator,
                                               skim: settings)
                totals[0] += result.loss * Double(lossScale)
                totals[2] += result.skimLoss * Double(lossScale)
                for l in 0..<layers { totals[3 + l] += Double(result.keptTokens[l]) }
            } else {
                let result = try model.forward(input, training: true, lossScale: lossScale, generator: &generator)
                totals[0] += result.loss * Double(lossScale)
            }
            totals[1] += Double(input.realTokenCount)
            if config.overlapAllreduce && index == microBatches.count - 1 {
                // The loss is already divided by the global batch, hence scale 1.
                try model.backward(postingTo: reducer)
                try reducer.finish(scale: 1)
            } else {
                model.backward()
            }
        }
        if !config.overlapAllreduce { try reducer.reduceAll(scale: 1) }
        try totals.withUnsafeMutableBufferPointer { buffer in
            try watchdog.guarded("allreduce step loss", plan.step) { try communicator.allreduce(buffer, op: .sum) }
        }
        let loss = totals[0]
        guard loss.isFinite else {
            // Every rank holds the same reduced loss, so every rank stops here together.
            throw TrainingError("the training loss became \(loss) at step \(plan.step + 1) (learning rate \(plan.learningRate)); lower learning_rate or set max_grad_norm")
        }
        let gradNorm: Double
        if let maxNorm = config.maxGradNorm {
            gradNorm = AdamWOptimizer.clip(model.gradients, maxNorm: maxNorm)
        } else {
            gradNorm = AdamWOptimizer.globalNorm(model.gradients)
        }
        let settings = AdamWSettings(learningRate: Float(plan.learningRate), beta1: Float(config.adamBeta1),
                                     beta2: Float(config.adamBeta2), epsilon: Float(config.adamEpsilon),
                                     weightDecay: Float(config.weightDecay))
        if skimming { optimizer.setFrozen(plan.predictorsFrozen, where: \.isSkimPredictor) }
        optimizer.step(parameters: model.parameters, gradients: model.gradients, settings: settings)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return StepOutcome(loss: loss, gradNorm: gradNorm, tokensPerSecond: totals[1] / seconds, seconds: seconds,
                           skimLoss: skimming ? totals[2] : nil,
                           keptFraction: skimming ? (0..<layers).map { totals[3 + $0] / totals[1] } : nil,
                           keptTokens: skimming ? Array(totals[3..<(3 + layers)]) : nil, realTokens: totals[1],
                           densePassLoss: densePassWeight == nil ? nil : totals[densePassSlot])
    }
}
