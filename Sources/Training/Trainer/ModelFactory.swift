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
    /// head (and skim predictors, on `skim.skim_layers` or every layer, `skim.predictor_width` wide) initialised from a
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
                              skim: skim, skimLayers: config.skim.skimLayers, predictorWidth: config.skim.predictorWidth)
        var initGenerator = SeededGenerator(seed: UInt64(config.seed))
        let report = try model.load(safetensors: folder.appendingPathComponent("model.safetensors"), generator: &initGenerator)
        if let dropout = config.dropout {
            model.hiddenDropout = Float(dropout)
            model.attentionDropout = Float(dropout)
            model.classifierDropout = Float(dropout)
        }
        return (model, report)
    }

    /// The teacher of a distillation run: a dense model of `task` from the Hugging Face folder
    /// `folder`, every tensor (head included) loaded from its file, with the student's
    /// vocabulary size so that both read the same token ids.
    static func makeTeacher(from folder: String, student: BertModel, task: GLUETask) throws -> BertModel {
        let url = URL(fileURLWithPath: folder)
        let config = try BertConfiguration.load(from: url.appendingPathComponent("config.json"))
        guard config.vocabSize == student.config.vocabSize else {
            throw TrainingError("'distill_teacher' \(folder) has a vocabulary of \(config.vocabSize) tokens, the model \(student.config.vocabSize)")
        }
        let teacher = BertModel(config: config, head: .sequenceClassification(numLabels: task.outputCount))
        var unused = SeededGenerator(seed: 0)
        let report = try teacher.load(safetensors: url.appendingPathComponent("model.safetensors"), generator: &unused)
        guard report.initialized.isEmpty else {
            throw TrainingError("'distill_teacher' \(folder) is not a fine-tuned \(task.name) model: "
                + "it lacks \(report.initialized.joined(separator: ", "))")
        }
        return teacher
    }
}
