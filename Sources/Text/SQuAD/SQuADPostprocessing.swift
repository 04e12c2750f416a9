/// A candidate answer span of one question.
public struct SQuADCandidate: Sendable, Equatable {
    /// The answer text, cut from the original context by the tokens' offsets.
    public var text: String
    /// `startLogit + endLogit`.
    public var score: Float
    /// The feature (window) the span was found in, and its first and last token positions there.
    public var featureIndex: Int
    public var startToken: Int
    public var endToken: Int
}

/// Settings of answer extraction.
public struct SQuADPostprocessingOptions: Sendable, Equatable {
    /// How many start and how many end positions per window are combined, and how many candidates
    /// per question are kept.
    public var nBest: Int
    /// Longest answer in tokens (`end − start + 1`).
    public var maxAnswerLength: Int

    public init(nBest: Int = 20, maxAnswerLength: Int = 30) {
        self.nBest = nBest
        self.maxAnswerLength = maxAnswerLength
    }
}

extension SQuADDataset {
    /// The best candidates of every question, best first (at most `nBest` each), indexed like `examples`.
    ///
    /// For each window of a question, the `nBest` highest start logits and `nBest` highest end logits
    /// over all positions are paired; a pair is kept if both tokens are context tokens, `end ≥ start`
    /// and `end − start + 1 ≤ maxAnswerLength`. Candidates of all windows are ranked by
    /// `startLogit + endLogit` (ties: earlier window, then earlier start, then earlier end).
    /// `startLogits[f]` and `endLogits[f]` hold feature `f`'s logits, at least
    /// `features[f].ids.count` of them (padding positions beyond are ignored).
    public func candidates(features: [SQuADFeature], startLogits: [[Float]], endLogits: [[Float]],
                           options: SQuADPostprocessingOptions = SQuADPostprocessingOptions()) -> [[SQuADCandidate]] {
        precondition(startLogits.count == features.count && endLogits.count == features.count,
                     "one start and one end logit row per feature")
        var spans = [[(score: Float, feature: Int, start: Int, end: Int)]](repeating: [], count: examples.count)
        for (f, feature) in features.enumerated() {
            let length = feature.ids.count
            precondition(startLogits[f].count >= length && endLogits[f].count >= length,
                         "feature \(f) has \(length) tokens but fewer logits")
            let starts = Self.topIndices(startLogits[f], count: length, k: options.nBest)
            let ends = Self.topIndices(endLogits[f], count: length, k: options.nBest)
            for s in starts where feature.contextOffsets[s] != nil {
                for e in ends where feature.contextOffsets[e] != nil && e >= s && e - s + 1 <= options.maxAnswerLength {
                    spans[feature.exampleIndex].append((startLogits[f][s] + endLogits[f][e], f, s, e))
                }
            }
        }
        var scalarsByContext: [Int: [Unicode.Scalar]] = [:]
        return spans.enumerated().map { exampleIndex, found in
            let best = found.sorted {
                ($0.score, -$0.feature, -$0.start, -$0.end) > ($1.score, -$1.feature, -$1.start, -$1.end)
            }.prefix(options.nBest)
            guard !best.isEmpty else { return [] }
            let contextIndex = examples[exampleIndex].contextIndex
            let scalars = scalarsByContext[contextIndex] ?? Array(contexts[contextIndex].unicodeScalars)
            scalarsByContext[contextIndex] = scalars
            return best.map { span in
                let offsets = features[span.feature].contextOffsets
                let characters = offsets[span.start]!.lowerBound ..< offsets[span.end]!.upperBound
                return SQuADCandidate(text: String(String.UnicodeScalarView(scalars[characters])),
                                      score: span.score, featureIndex: span.feature,
                                      startToken: span.start, endToken: span.end)
            }
        }
    }

    /// The best answer text per question id; `""` for a question without any valid span.
    public func predictions(features: [SQuADFeature], startLogits: [[Float]], endLogits: [[Float]],
                            options: SQuADPostprocessingOptions = SQuADPostprocessingOptions()) -> [String: String] {
        let all = candidates(features: features, startLogits: startLogits, endLogits: endLogits, options: options)
        var result: [String: String] = [:]
        for (example, candidates) in zip(examples, all) { result[example.id] = candidates.first?.text ?? "" }
        return result
    }

    /// Indices of the `k` largest of `values[0..<count]`, largest first (ties: lower index first).
    static func topIndices(_ values: [Float], count: Int, k: Int) -> [Int] {
        var top: [Int] = []
        top.reserveCapacity(k + 1)
        for i in 0..<count {
            guard top.count < k || values[i] > values[top[top.count - 1]] else { continue }
            var position = top.count
            while position > 0 && values[top[position - 1]] < values[i] { position -= 1 }
            top.insert(i, at: position)
            if top.count > k { top.removeLast() }
        }
        return top
    }
}
