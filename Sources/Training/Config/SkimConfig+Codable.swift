import Foundation

extension SkimConfig {
    /// The YAML and JSON keys of the `skim:` section, and the shape each value must have.
    enum CodingKeys: String, CodingKey, CaseIterable, ConfigSchemaKey {
        case lambda, tau, alpha, beta, threshold
        case lambdaWarmupSteps = "lambda_warmup_steps"
        case tauMin = "tau_min"
        case tauAnnealSteps = "tau_anneal_steps"
        case targetKeep = "target_keep"
        case targetSteps = "target_steps"
        case predictorLRScale = "predictor_lr_scale"
        case inferenceNoise = "inference_noise"
        case inferenceKeepBias = "inference_keep_bias"
        case gumbelNoiseSteps = "gumbel_noise_steps"
        case predictorFreezeStep = "predictor_freeze_step"
        case detachPredictorInput = "detach_predictor_input"
        case keepPriceRate = "keep_price_rate"
        case densePassWeight = "dense_pass_weight"
        case blockSize = "block_size"
        case skimLayers = "skim_layers"
        case predictorWidth = "predictor_width"
        case referenceLabelRule = "reference_label_rule"

        var field: ConfigField {
            switch self {
            case .lambda, .tau, .alpha, .beta, .threshold, .predictorLRScale, .inferenceKeepBias: return .value(.number)
            case .tauMin, .targetKeep, .keepPriceRate, .densePassWeight: return .nullable(.number)
            case .lambdaWarmupSteps, .blockSize: return .value(.integer)
            case .tauAnnealSteps, .targetSteps, .gumbelNoiseSteps, .predictorFreezeStep, .predictorWidth: return .nullable(.integer)
            case .inferenceNoise, .referenceLabelRule, .detachPredictorInput: return .value(.boolean)
            case .skimLayers: return .nullable(.integerList)
            }
        }
    }

    /// Decodes the section; absent keys keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        try c.update(&lambda, .lambda)
        try c.update(&lambdaWarmupSteps, .lambdaWarmupSteps)
        try c.update(&tau, .tau)
        try c.update(&tauMin, .tauMin)
        try c.update(&tauAnnealSteps, .tauAnnealSteps)
        try c.update(&targetKeep, .targetKeep)
        try c.update(&targetSteps, .targetSteps)
        try c.update(&predictorLRScale, .predictorLRScale)
        try c.update(&inferenceNoise, .inferenceNoise)
        try c.update(&inferenceKeepBias, .inferenceKeepBias)
        try c.update(&gumbelNoiseSteps, .gumbelNoiseSteps)
        try c.update(&predictorFreezeStep, .predictorFreezeStep)
        try c.update(&detachPredictorInput, .detachPredictorInput)
        try c.update(&keepPriceRate, .keepPriceRate)
        try c.update(&densePassWeight, .densePassWeight)
        try c.update(&blockSize, .blockSize)
        try c.update(&alpha, .alpha)
        try c.update(&beta, .beta)
        try c.update(&threshold, .threshold)
        try c.update(&skimLayers, .skimLayers)
        try c.update(&predictorWidth, .predictorWidth)
        try c.update(&referenceLabelRule, .referenceLabelRule)
    }

    /// Encodes every field, absent optionals as explicit nulls, in declaration order.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lambda, forKey: .lambda)
        try c.encode(lambdaWarmupSteps, forKey: .lambdaWarmupSteps)
        try c.encode(tau, forKey: .tau)
        try c.encode(tauMin, forKey: .tauMin)
        try c.encode(tauAnnealSteps, forKey: .tauAnnealSteps)
        try c.encode(targetKeep, forKey: .targetKeep)
        try c.encode(targetSteps, forKey: .targetSteps)
        try c.encode(predictorLRScale, forKey: .predictorLRScale)
        try c.encode(inferenceNoise, forKey: .inferenceNoise)
        try c.encode(inferenceKeepBias, forKey: .inferenceKeepBias)
        try c.encode(gumbelNoiseSteps, forKey: .gumbelNoiseSteps)
        try c.encode(predictorFreezeStep, forKey: .predictorFreezeStep)
        try c.encode(detachPredictorInput, forKey: .detachPredictorInput)
        try c.encode(keepPriceRate, forKey: .keepPriceRate)
        try c.encode(densePassWeight, forKey: .densePassWeight)
        try c.encode(blockSize, forKey: .blockSize)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(beta, forKey: .beta)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(skimLayers, forKey: .skimLayers)
        try c.encode(predictorWidth, forKey: .predictorWidth)
        try c.encode(referenceLabelRule, forKey: .referenceLabelRule)
    }
}
