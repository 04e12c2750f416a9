/// How question and context are packed into model inputs.
public struct SQuADFeatureOptions: Sendable, Equatable {
    /// Tokens per feature, special tokens included.
    public var maxLength: Int
    /// Consecutive windows of one context start this many context tokens apart (the meaning of
    /// `doc_stride` in the original BERT `run_squad.py`).
    public var docStride: Int
    /// Question tokens kept; longer questions are cut.
    public var maxQueryLength: Int

    public init(maxLength: Int = 384, docStride: Int = 128, maxQueryLength: Int = 64) {
        self.maxLength = maxLength
        self.docStride = docStride
        self.maxQueryLength = maxQueryLength
    }
}

/// One model input for SQuAD: `[CLS] question [SEP] context window [SEP]`.
public struct SQuADFeature: Sendable, Equatable {
    /// Index of the question in `SQuADDataset.examples`.
    public var exampleIndex: Int
    /// Which window of the example's context this is (0, 1, …).
    public var windowIndex: Int
    /// Token ids, `[T]` with `T ≤ maxLength`.
    public var ids: [Int32]
    /// Segment ids, `[T]`: 0 for `[CLS]`, question and first `[SEP]`; 1 for the window and last `[SEP]`.
    public var typeIds: [Int32]
    /// Per token, its span in the context in Unicode scalar offsets; `nil` for question and special tokens.
    public var contextOffsets: [Range<Int>?]
    /// Token position of the first answer's first and last token, both 0 (`[CLS]`) when this window
    /// does not contain the whole answer (or the example has no answer).
    public var startPosition: Int
    public var endPosition: Int

    /// Whether the window contains the first gold answer.
    public var containsAnswer: Bool { startPosition > 0 }
}

/// The reason features cannot be built with the given options.
public struct SQuADFeatureError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

extension SQuADDataset {
    /// Packs every question with its context into features. Each context is tokenized once; the
    /// question is cut to `maxQueryLength` tokens; the context is covered by windows of
    /// `maxLength − question − 3` tokens starting `docStride` tokens apart (the last window ends at the
    /// context's end). The answer (the first gold answer) is mapped to the smallest token span that
    /// covers its characters. Features are in example order, windows in context order.
    public func features(tokenizer: WordPieceTokenizer, options: SQuADFeatureOptions = SQuADFeatureOptions())
        throws -> [SQuADFeature] {
        guard options.docStride > 0 else {
            throw SQuADFeatureError(description: "docStride must be positive, got \(options.docStride)")
        }
        let tokenizedContexts = contexts.map(tokenizer.tokenize)
        let classifier = tokenizer.vocabulary.classifierID, separator = tokenizer.vocabulary.separatorID
        var features: [SQuADFeature] = []
        features.reserveCapacity(examples.count + examples.count / 20)
        for (exampleIndex, example) in examples.enumerated() {
            var question = tokenizer.tokenize(example.question).ids
            if question.count > options.maxQueryLength { question.removeSubrange(options.maxQueryLength...) }
            let context = tokenizedContexts[example.contextIndex]
            let windowLength = options.maxLength - question.count - 3
            guard windowLength > 0 else {
                throw SQuADFeatureError(description: "maxLength \(options.maxLength) leaves no room for context after a \(question.count)-token question (example \(example.id))")
            }
            let answer = example.answers.first.flatMap { Self.tokenSpan(of: $0, in: context.offsets) }
            let contextStart = question.count + 2
            var windowStart = 0
            var windowIndex = 0
            while true {
                let windowEnd = min(windowStart + windowLength, context.count)
                var ids = [classifier]
                ids.reserveCapacity(contextStart + windowEnd - windowStart + 1)
                ids += question
                ids.append(separator)
                ids += context.ids[windowStart..<windowEnd]
                ids.append(separator)
                var offsets = [Range<Int>?](repeating: nil, count: contextStart)
                offsets.reserveCapacity(ids.count)
                offsets += context.offsets[windowStart..<windowEnd].map { Optional($0) }
                offsets.append(nil)
                var typeIds = [Int32](repeating: 0, count: contextStart)
                typeIds += repeatElement(1, count: ids.count - contextStart)
                var start = 0, end = 0
                if let answer, answer.lowerBound >= windowStart, answer.upperBound < windowEnd {
                    start = answer.lowerBound - windowStart + contextStart
                    end = answer.upperBound - windowStart + contextStart
                }
                features.append(SQuADFeature(exampleIndex: exampleIndex, windowIndex: windowIndex, ids: ids,
                                             typeIds: typeIds, contextOffsets: offsets,
                                             startPosition: start, endPosition: end))
                if windowEnd >= context.count { break }
                windowStart += min(windowLength, options.docStride)
                windowIndex += 1
            }
        }
        return features
    }

    /// The first and last context token (inclusive) that overlap the answer's characters, or `nil` if
    /// no token does (an answer of whitespace or removed characters only).
    static func tokenSpan(of answer: SQuADAnswer, in offsets: [Range<Int>]) -> ClosedRange<Int>? {
        guard answer.end > answer.start,
              let first = offsets.firstIndex(where: { $0.upperBound > answer.start }),
              let last = offsets.lastIndex(where: { $0.lowerBound < answer.end }),
              first <= last else { return nil }
        return first...last
    }
}
