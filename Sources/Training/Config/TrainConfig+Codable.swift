import Foundation

extension TrainConfig {
    /// The YAML and JSON keys of the top level, and the shape each value must have.
    enum CodingKeys: String, CodingKey, CaseIterable, ConfigSchemaKey {
        case task, model, vocab, method, resume, seed, dropout, epochs, threads, skim
        case dataDir = "data_dir"
        case outputDir = "output_dir"
        case maxLength = "max_length"
        case docStride = "doc_stride"
        case batchSize = "batch_size"
        case gradAccumulation = "grad_accumulation"
        case lengthBucketing = "length_bucketing"
        case maxSteps = "max_steps"
        case trainLimit = "train_limit"
        case evalLimit = "eval_limit"
        case learningRate = "learning_rate"
        case warmupRatio = "warmup_ratio"
        case warmupSteps = "warmup_steps"
        case weightDecay = "weight_decay"
        case adamBeta1 = "adam_beta1"
        case adamBeta2 = "adam_beta2"
        case adamEpsilon = "adam_epsilon"
        case maxGradNorm = "max_grad_norm"
        case evalEvery = "eval_every"
        case saveEvery = "save_every"
        case keepLast = "keep_last"
        case keepBest = "keep_best"
        case allowReshard = "allow_reshard"
        case logEvery = "log_every"
        case overlapAllreduce = "overlap_allreduce"
        case watchdogWarnSeconds = "watchdog_warn_seconds"
        case watchdogLimitSeconds = "watchdog_limit_seconds"
        case distillTeacher = "distill_teacher"
        case distillAlpha = "distill_alpha"
        case distillTemperature = "distill_temperature"
        case distillHiddenWeight = "distill_hidden_weight"

        var field: ConfigField {
            switch self {
            case .task: return .required(.oneOf(TaskName.allCases.map(\.rawValue)))
            case .method: return .value(.oneOf(Method.allCases.map(\.rawValue)))
            case .dataDir, .model, .outputDir, .resume: return .value(.string)
            case .vocab, .distillTeacher: return .nullable(.string)
            case .maxLength, .docStride, .batchSize, .gradAccumulation, .epochs, .seed,
                 .saveEvery, .keepLast, .logEvery:
                return .value(.integer)
            case .maxSteps, .trainLimit, .evalLimit, .warmupSteps, .evalEvery, .threads, .lengthBucketing:
                return .nullable(.integer)
            case .learningRate, .warmupRatio, .weightDecay, .adamBeta1, .adamBeta2, .adamEpsilon,
                 .watchdogWarnSeconds, .watchdogLimitSeconds, .distillAlpha, .distillTemperature, .distillHiddenWeight:
                return .value(.number)
            case .maxGradNorm, .dropout: return .nullable(.number)
            case .keepBest, .allowReshard, .overlapAllreduce: return .value(.boolean)
            case .skim: return .value(.section(SkimConfig.CodingKeys.section))
            }
        }
    }

    /// Decodes a configuration: absent keys keep their defaults, and an empty or absent
    /// `output_dir` becomes `Checkpoints/<task>-<method>`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(task: try c.decode(TaskName.self, forKey: .task),
                  method: try c.decodeIfPresent(Method.self, forKey: .method) ?? .dense)
        try c.update(&dataDir, .dataDir)
        try c.update(&model, .model)
        try c.update(&vocab, .vocab)
        try c.update(&outputDir, .outputDir)
        if outputDir.isEmpty { outputDir = Self.defaultOutputDir(task: task, method: method) }
        try c.update(&maxLength, .maxLength)
        try c.update(&docStride, .docStride)
        try c.update(&batchSize, .batchSize)
        try c.update(&gradAccumulation, .gradAccumulation)
        try c.update(&lengthBucketing, .lengthBucketing)
        try c.update(&epochs, .epochs)
        try c.update(&maxSteps, .maxSteps)
        try c.update(&trainLimit, .trainLimit)
        try c.update(&evalLimit, .evalLimit)
        try c.update(&learningRate, .learningRate)
        try c.update(&warmupRatio, .warmupRatio)
        try c.update(&warmupSteps, .warmupSteps)
        try c.update(&weightDecay, .weightDecay)
        try c.update(&adamBeta1, .adamBeta1)
        try c.update(&adamBeta2, .adamBeta2)
        try c.update(&adamEpsilon, .adamEpsilon)
        try c.update(&maxGradNorm, .maxGradNorm)
        try c.update(&seed, .seed)
        try c.update(&dropout, .dropout)
        try c.update(&evalEvery, .evalEvery)
        try c.update(&saveEvery, .saveEvery)
        try c.update(&keepLast, .keepLast)
        try c.update(&keepBest, .keepBest)
        try c.update(&resume, .resume)
        try c.update(&allowReshard, .allowReshard)
        try c.update(&logEvery, .logEvery)
        try c.update(&threads, .threads)
        try c.update(&overlapAllreduce, .overlapAllreduce)
        try c.update(&watchdogWarnSeconds, .watchdogWarnSeconds)
        try c.update(&watchdogLimitSeconds, .watchdogLimitSeconds)
        try c.update(&distillTeacher, .distillTeacher)
        try c.update(&distillAlpha, .distillAlpha)
        try c.update(&distillTemperature, .distillTemperature)
        try c.update(&distillHiddenWeight, .distillHiddenWeight)
        try c.update(&skim, .skim)
    }

    /// Encodes every field, absent optionals as explicit nulls, in declaration order.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(task, forKey: .task)
        try c.encode(dataDir, forKey: .dataDir)
        try c.encode(model, forKey: .model)
        try c.encode(vocab, forKey: .vocab)
        try c.encode(outputDir, forKey: .outputDir)
        try c.encode(method, forKey: .method)
        try c.encode(maxLength, forKey: .maxLength)
        try c.encode(docStride, forKey: .docStride)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(gradAccumulation, forKey: .gradAccumulation)
        try c.encode(lengthBucketing, forKey: .lengthBucketing)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(maxSteps, forKey: .maxSteps)
        try c.encode(trainLimit, forKey: .trainLimit)
        try c.encode(evalLimit, forKey: .evalLimit)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(warmupRatio, forKey: .warmupRatio)
        try c.encode(warmupSteps, forKey: .warmupSteps)
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(adamBeta1, forKey: .adamBeta1)
        try c.encode(adamBeta2, forKey: .adamBeta2)
        try c.encode(adamEpsilon, forKey: .adamEpsilon)
        try c.encode(maxGradNorm, forKey: .maxGradNorm)
        try c.encode(seed, forKey: .seed)
        try c.encode(dropout, forKey: .dropout)
        try c.encode(evalEvery, forKey: .evalEvery)
        try c.encode(saveEvery, forKey: .saveEvery)
        try c.encode(keepLast, forKey: .keepLast)
        try c.encode(keepBest, forKey: .keepBest)
        try c.encode(resume, forKey: .resume)
        try c.encode(allowReshard, forKey: .allowReshard)
        try c.encode(logEvery, forKey: .logEvery)
        try c.encode(threads, forKey: .threads)
        try c.encode(overlapAllreduce, forKey: .overlapAllreduce)
        try c.encode(watchdogWarnSeconds, forKey: .watchdogWarnSeconds)
        try c.encode(watchdogLimitSeconds, forKey: .watchdogLimitSeconds)
        try c.encode(distillTeacher, forKey: .distillTeacher)
        try c.encode(distillAlpha, forKey: .distillAlpha)
        try c.encode(distillTemperature, forKey: .distillTemperature)
        try c.encode(distillHiddenWeight, forKey: .distillHiddenWeight)
        try c.encode(skim, forKey: .skim)
    }
}
