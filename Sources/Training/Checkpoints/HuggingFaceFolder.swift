import Foundation
import Text

/// The files that make a checkpoint directory a Hugging Face model folder besides
/// `model.safetensors`: `BertForSequenceClassification.from_pretrained(<checkpoint>)` and
/// `AutoTokenizer.from_pretrained(<checkpoint>)` load it directly.
enum HuggingFaceFolder {
    /// Tokenizer files copied from the base model folder when it has them.
    static let tokenizerFiles = ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"]

    /// The base model's `config.json` with the fine-tuned head described: `architectures`,
    /// `id2label`/`label2id` (or `problem_type: regression` with one label), the dropout the run
    /// used, and `skim_method` (with `skim_layers` and `skim_predictor_width` when the run set
    /// `skim.skim_layers` and `skim.predictor_width`) for a model with skim predictors: extra keys
    /// `transformers` keeps but ignores; the predictors are then reported as unused weights.
    ///
    /// - Parameters:
    ///   - base: `config.json` of the model folder the run started from.
    ///   - dropout: the run's dropout override, if any.
    ///   - skim: the run's `skim:` section.
    static func configJSON(base: URL, task: GLUETask, method: TrainConfig.Method, dropout: Double?,
                           skim: SkimConfig) throws -> Data {
        let data: Data
        do { data = try Data(contentsOf: base) } catch {
            throw TrainingError("\(base.path): cannot read the model configuration: \(error.localizedDescription)")
        }
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TrainingError("\(base.path): not a JSON object")
        }
        object["architectures"] = ["BertForSequenceClassification"]
        switch task.labels {
        case .classes(let names):
            object["id2label"] = Dictionary(uniqueKeysWithValues: names.enumerated().map { (String($0.offset), $0.element) })
            object["label2id"] = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, $0.offset) })
            object["problem_type"] = "single_label_classification"
        case .regression:
            object["id2label"] = ["0": "LABEL_0"]
            object["label2id"] = ["LABEL_0": 0]
            object["problem_type"] = "regression"
        }
        object["finetuning_task"] = task.name
        if let dropout {
            object["hidden_dropout_prob"] = dropout
            object["attention_probs_dropout_prob"] = dropout
        }
        object["skim_method"] = nil
        object["skim_layers"] = nil
        object["skim_predictor_width"] = nil
        if method != .dense {
            object["skim_method"] = method.rawValue
            if let skimLayers = skim.skimLayers { object["skim_layers"] = skimLayers.sorted() }
            if let width = skim.predictorWidth { object["skim_predictor_width"] = width }
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }
}
