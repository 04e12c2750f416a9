import BERT
import Foundation
import Kernels
import Text

/// Builds the model a configuration asks for from a Hugging Face model folder.
enum ModelFactory {
    /// The GLUE task of a configuration; SQuAD and Block-Skim are trained by other entry points.
    static func task(_ config: TrainConfig) throws -> GLUETask {
        guard let task = GLUETask.named(config.task.rawValue) else {
            throw TrainingError("task '\(config.task.rawValue)' is not a GLUE task; `skim train` fine-tunes GLUE tasks")
        }
        return task
    }

    static func skimMethod(_ config: TrainConfig) throws -> SkimMethod {
        switch config.method {
        case .dense: return .none
        case .transkimmer: return .transkimmer
        case .blockskim: throw TrainingError("method 'blockskim' is for SQuAD and is not available in `skim train` yet")
        }
    }

    /// `<model>/config.json` and `<model>/model.safetensors`: the encoder from the file, the task
    /// head (and skim predictors, on `skim.skim_layers` or every layer) initialised from a
    /// generator seeded with the run's seed, so every rank builds the same model. Dropout
    /// overridden by `config.dropout` if set.
    static func makeModel(_ config: TrainConfig, task: GLUETask) throws -> (BertModel, LoadReport) {
        let folder = URL(fileURLWithPath: config.model)
        let bertConfig = try BertConfiguration.load(from: folder.appendingPathComponent("config.json"))
        let skim = try skimMethod(config)
        let layers = bertConfig.numHiddenLayers
        if skim == .transkimmer, let bad = config.skim.skimLayers?.first(where: { $0 >= layers }) {
            throw TrainingError("'skim.skim_layers' lists layer \(bad), but \(config.model) has \(layers) layers (0–\(layers - 1))")
        }
        let model = BertModel(config: bertConfig, head: .sequenceClassification(numLabels: task.outputCount),
                              skim: skim, skimLayers: config.skim.skimLayers)
        var initGenerator = SeededGenerator(seed: UInt64(config.seed))
        let report = try model.load(safetensors: folder.appendingPathComponent("model.safetensors"), generator: &initGenerator)
        if let dropout = config.dropout {
            model.hiddenDropout = Float(dropout)
            model.attentionDropout = Float(dropout)
            model.classifierDropout = Float(dropout)
        }
        return (model, report)
    }
}
