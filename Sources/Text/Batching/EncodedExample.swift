/// What the loss of one sequence compares against.
public enum ExampleLabel: Sendable, Equatable, Hashable {
    /// No target (prediction only).
    case none
    /// A class index in `0..<classCount` (classification).
    case classIndex(Int)
    /// A real-valued target (regression, e.g. STS-B).
    case score(Float)
    /// Start and end token positions, inclusive, in the sequence (extractive QA; `0, 0` = `[CLS]`).
    case span(start: Int, end: Int)
}

/// One tokenized sequence with special tokens, unpadded, ready to be collated into a `Batch`.
public struct EncodedExample: Sendable, Equatable {
    /// Token ids, `[T]` with `T` the sequence's own length.
    public var ids: [Int32]
    /// Segment ids, `[T]`.
    public var typeIds: [Int32]
    public var label: ExampleLabel

    public init(ids: [Int32], typeIds: [Int32], label: ExampleLabel = .none) {
        precondition(ids.count == typeIds.count, "ids and type ids must have the same length")
        self.ids = ids
        self.typeIds = typeIds
        self.label = label
    }

    /// Number of tokens `T`, special tokens included.
    public var length: Int { ids.count }
}

extension GLUEDataset {
    /// Every example as `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]`, cut to at most `maxLength` tokens
    /// (longest-first for pairs), in file order. Labels are `.classIndex` for classification tasks and
    /// `.score` for regression. Throws `TruncationError` if `maxLength` is too small for the special tokens.
    public func encoded(tokenizer: WordPieceTokenizer, maxLength: Int) throws -> [EncodedExample] {
        var result: [EncodedExample] = []
        result.reserveCapacity(examples.count)
        let isRegression = task.labels == .regression
        for example in examples {
            let encoding = try tokenizer.encode(example.textA, example.textB, maxLength: maxLength)
            let label: ExampleLabel = isRegression ? .score(example.label) : .classIndex(Int(example.label))
            result.append(EncodedExample(ids: encoding.ids, typeIds: encoding.typeIds, label: label))
        }
        return result
    }
}

extension SQuADFeature {
    /// The feature as a collatable sequence; with `labels`, its answer span (`0, 0` when the window
    /// does not hold the answer), else `.none`.
    public func encoded(labels: Bool = true) -> EncodedExample {
        EncodedExample(ids: ids, typeIds: typeIds,
                       label: labels ? .span(start: startPosition, end: endPosition) : .none)
    }
}
