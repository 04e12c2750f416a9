import BERT
import Foundation
import Text

/// A GLUE split, tokenized once, from which the trainer and the evaluator collate model inputs.
public struct EncodedSplit: Sendable {
    public let task: GLUETask
    /// The TSV file it was read from.
    public let file: URL
    public let examples: [EncodedExample]
    /// ``DataFingerprint/examples(_:)``: equal on two ranks iff they use the same tokens (same
    /// data, vocabulary, limit and maximum length).
    public let fingerprint: UInt64
    private let collator = Collator(padding: .longest)

    /// Reads `<root>/glue_data/<task>/<split>.tsv`, keeps the first `limit` examples if given,
    /// and encodes them with `tokenizer`, truncated to `maxLength` tokens.
    public init(task: GLUETask, split: String, root: URL, tokenizer: WordPieceTokenizer,
                maxLength: Int, limit: Int?) throws {
        var dataset = try task.load(split: split, from: root)
        if let limit { dataset = dataset.prefix(limit) }
        guard !dataset.examples.isEmpty else { throw TrainingError("\(dataset.file): no examples") }
        self.init(task: task, file: URL(fileURLWithPath: dataset.file),
                  examples: try dataset.encoded(tokenizer: tokenizer, maxLength: maxLength))
    }

    /// A split over already encoded examples.
    public init(task: GLUETask, file: URL, examples: [EncodedExample]) {
        self.task = task
        self.file = file
        self.examples = examples
        fingerprint = DataFingerprint.examples(examples)
    }

    public var count: Int { examples.count }

    /// The examples at `rows`, padded to the longest of them, with their labels as the target.
    public func modelInput(rows: [Int]) throws -> ModelInput {
        let batch = try collator.collate(examples, rows: rows)
        let target: ModelInput.Target
        switch batch.targets {
        case .none: target = .none
        case .classes(let classes): target = .classes(classes)
        case .scores(let scores): target = .scores(scores)
        case .spans(let start, let end): target = .spans(start: start, end: end)
        }
        return ModelInput(batch: batch.batchSize, seqLen: batch.seqLen, inputIds: batch.inputIds,
                          typeIds: batch.typeIds, attentionMask: batch.attentionMask, target: target)
    }
}
