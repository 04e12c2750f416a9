import Foundation

/// A value outside its allowed range: the dotted key and what is wrong.
struct ConfigIssue: Equatable {
    /// The dotted key path (`skim.tau`).
    let key: String
    /// The problem, naming the key.
    let message: String
}

extension TrainConfig {
    /// Checks every range and cross-field rule; throws the first problem found.
    public func validate() throws {
        if let issue = validationIssues().first {
            throw ConfigError(.invalidValue, key: issue.key, location: "configuration", message: issue.message)
        }
    }

    /// The examples each rank processes per micro-step with `worldSize` ranks.
    ///
    /// - Throws: ``ConfigError`` when `batch_size` is not divisible by the world size times
    ///   `grad_accumulation`.
    public func microBatchSize(worldSize: Int) throws -> Int {
        let parts = worldSize * gradAccumulation
        guard worldSize > 0, batchSize % parts == 0 else {
            throw ConfigError(.invalidValue, key: "batch_size", location: "configuration",
                              message: "'batch_size' \(batchSize) is not divisible by \(worldSize) ranks × "
                                  + "grad_accumulation \(gradAccumulation) = \(parts)")
        }
        return batchSize / parts
    }

    /// Every range or cross-field problem, in key order.
    func validationIssues() -> [ConfigIssue] {
        var rules = RuleList()
        rules.positive("max_length", maxLength)
        rules.positive("doc_stride", docStride)
        rules.positive("batch_size", batchSize)
        rules.positive("grad_accumulation", gradAccumulation)
        rules.require(batchSize % max(gradAccumulation, 1) == 0, "batch_size",
                      "'batch_size' \(batchSize) must be divisible by 'grad_accumulation' \(gradAccumulation)")
        rules.positive("length_bucketing", lengthBucketing)
        rules.positive("epochs", epochs)
        rules.positive("max_steps", maxSteps)
        rules.positive("train_limit", trainLimit)
        rules.positive("eval_limit", evalLimit)
        rules.positive("learning_rate", learningRate)
        rules.inRange("warmup_ratio", warmupRatio, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        rules.nonNegative("warmup_steps", warmupSteps)
        rules.nonNegative("weight_decay", weightDecay)
        rules.inRange("adam_beta1", adamBeta1, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        rules.inRange("adam_beta2", adamBeta2, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        rules.positive("adam_epsilon", adamEpsilon)
        rules.positive("max_grad_norm", maxGradNorm)
        rules.nonNegative("seed", seed)
        if let dropout = dropout {
            rules.inRange("dropout", dropout, "in [0, 1)") { $0 >= 0 && $0 < 1 }
        }
        rules.positive("eval_every", evalEvery)
        rules.nonNegative("save_every", saveEvery)
        rules.positive("keep_last", keepLast)
        rules.positive("log_every", logEvery)
        rules.positive("threads", threads)
        rules.positive("watchdog_warn_seconds", watchdogWarnSeconds)
        rules.positive("watchdog_limit_seconds", watchdogLimitSeconds)
        rules.require(watchdogWarnSeconds <= watchdogLimitSeconds, "watchdog_warn_seconds",
                      "'watchdog_warn_seconds' \(watchdogWarnSeconds) must not exceed 'watchdog_limit_seconds' \(watchdogLimitSeconds)")
        rules.require(!outputDir.isEmpty, "output_dir", "'output_dir' must not be empty")
        rules.require(!model.isEmpty, "model", "'model' must not be empty")
        rules.require(vocab.map { !$0.isEmpty } ?? true, "vocab", "'vocab' must not be empty (omit it for <model>/vocab.txt)")
        rules.require(method != .blockskim || task == .squad, "method",
                      "'method' blockskim needs an extractive QA task (squad), not \(task.rawValue)")
        if method == .blockskim {
            rules.require(maxLength % max(skim.blockSize, 1) == 0, "max_length",
                          "'max_length' \(maxLength) must be a multiple of 'skim.block_size' \(skim.blockSize)")
        }
        let transkimmerOnly = [("skim.dense_pass_weight", skim.densePassWeight != nil),
                               ("skim.predictor_width", skim.predictorWidth != nil)]
        for (key, isSet) in transkimmerOnly {
            rules.require(!isSet || method == .transkimmer, key, "'\(key)' needs 'method' transkimmer, not \(method.rawValue)")
        }
        rules.inRange("distill_alpha", distillAlpha, "in [0, 1]") { $0 >= 0 && $0 <= 1 }
        rules.positive("distill_temperature", distillTemperature)
        rules.nonNegative("distill_hidden_weight", distillHiddenWeight)
        rules.require(distillHiddenWeight == 0 || distillTeacher != nil, "distill_hidden_weight",
                      "'distill_hidden_weight' needs 'distill_teacher'")
        rules.require(distillTeacher.map { !$0.isEmpty } ?? true, "distill_teacher",
                      "'distill_teacher' must not be empty (omit it to train without a teacher)")
        rules.require(distillTeacher == nil || ![.stsb, .squad].contains(task), "distill_teacher",
                      "'distill_teacher' needs a classification task, not \(task.rawValue)")
        skim.addIssues(to: &rules)
        return rules.issues
    }
}

extension SkimConfig {
    /// Adds the problems of the `skim:` section, with keys prefixed `skim.`.
    func addIssues(to rules: inout RuleList) {
        rules.nonNegative("skim.lambda", lambda)
        rules.nonNegative("skim.lambda_warmup_steps", lambdaWarmupSteps)
        rules.positive("skim.tau", tau)
        rules.positive("skim.predictor_lr_scale", predictorLRScale)
        rules.positive("skim.tau_min", tauMin)
        if let tauMin = tauMin {
            rules.require(tauMin <= tau, "skim.tau_min", "'skim.tau_min' \(tauMin) must not exceed 'skim.tau' \(tau)")
        }
        rules.positive("skim.tau_anneal_steps", tauAnnealSteps)
        rules.require((tauMin == nil) == (tauAnnealSteps == nil), tauMin == nil ? "skim.tau_anneal_steps" : "skim.tau_min",
                      "'skim.tau_min' and 'skim.tau_anneal_steps' must be set together")
        if let targetKeep = targetKeep {
            rules.inRange("skim.target_keep", targetKeep, "in (0, 1]") { $0 > 0 && $0 <= 1 }
        }
        rules.nonNegative("skim.target_steps", targetSteps)
        rules.require(targetSteps == nil || targetKeep != nil, "skim.target_steps",
                      "'skim.target_steps' needs 'skim.target_keep'")
        rules.positive("skim.keep_price_rate", keepPriceRate)
        rules.require(keepPriceRate == nil || targetKeep != nil, "skim.keep_price_rate",
                      "'skim.keep_price_rate' needs 'skim.target_keep' (the kept fraction the price steers to)")
        rules.positive("skim.dense_pass_weight", densePassWeight)
        rules.positive("skim.predictor_width", predictorWidth)
        rules.nonNegative("skim.gumbel_noise_steps", gumbelNoiseSteps)
        rules.nonNegative("skim.predictor_freeze_step", predictorFreezeStep)
        rules.inRange("skim.inference_keep_bias", inferenceKeepBias, "a finite number (logit units)") { _ in true }
        rules.positive("skim.block_size", blockSize)
        rules.require(blockSize % 4 == 0, "skim.block_size",
                      "'skim.block_size' \(blockSize) must be a multiple of 4 (two 2×2 poolings)")
        rules.nonNegative("skim.alpha", alpha)
        rules.positive("skim.beta", beta)
        rules.inRange("skim.threshold", threshold, "in [0, 1]") { $0 >= 0 && $0 <= 1 }
        if let layers = skimLayers {
            rules.require(!layers.isEmpty, "skim.skim_layers", "'skim.skim_layers' must not be empty (omit it for all layers)")
            rules.require(layers.allSatisfy { $0 >= 0 }, "skim.skim_layers", "'skim.skim_layers' must hold layer indices ≥ 0")
            rules.require(Set(layers).count == layers.count, "skim.skim_layers", "'skim.skim_layers' lists a layer twice")
        }
    }
}

/// Collects range problems; numbers must also be finite.
struct RuleList {
    /// The problems found so far.
    private(set) var issues: [ConfigIssue] = []

    /// Records `message` for `key` unless `condition` holds.
    mutating func require(_ condition: Bool, _ key: String, _ message: String) {
        if !condition { issues.append(ConfigIssue(key: key, message: message)) }
    }

    /// Requires a finite number satisfying `test`, described as `range`.
    mutating func inRange(_ key: String, _ value: Double, _ range: String, _ test: (Double) -> Bool) {
        require(value.isFinite && test(value), key, "'\(key)' must be \(range), found \(value)")
    }

    /// Requires a finite number > 0 when set.
    mutating func positive(_ key: String, _ value: Double?) {
        if let value = value { inRange(key, value, "> 0") { $0 > 0 } }
    }

    /// Requires a finite number ≥ 0 when set.
    mutating func nonNegative(_ key: String, _ value: Double?) {
        if let value = value { inRange(key, value, "≥ 0") { $0 >= 0 } }
    }

    /// Requires an integer > 0 when set.
    mutating func positive(_ key: String, _ value: Int?) {
        if let value = value { require(value > 0, key, "'\(key)' must be > 0, found \(value)") }
    }

    /// Requires an integer ≥ 0 when set.
    mutating func nonNegative(_ key: String, _ value: Int?) {
        if let value = value { require(value >= 0, key, "'\(key)' must be ≥ 0, found \(value)") }
    }
}
