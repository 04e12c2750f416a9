/// Start and end logits of every SQuAD feature, gathered batch by batch during evaluation (in any
/// batch order) for `SQuADDataset.predictions(features:logits:)`.
public struct SQuADLogits: Sendable {
    /// Per feature, its start / end logits over its real tokens, `[featureCount][length]`; empty until recorded.
    public private(set) var start: [[Float]]
    public private(set) var end: [[Float]]
    /// Features recorded so far.
    public private(set) var recordedCount = 0

    public init(featureCount: Int) {
        start = Array(repeating: [], count: featureCount)
        end = Array(repeating: [], count: featureCount)
    }

    /// Stores the model's flat `[B·T]` start and end logits of `batch`, whose `indices` are feature
    /// indices (the batch was collated from the features' `encoded()` examples, in feature order).
    public mutating func record(batch: Batch, startLogits: [Float], endLogits: [Float]) {
        let t = batch.seqLen
        precondition(startLogits.count == batch.batchSize * t && endLogits.count == batch.batchSize * t,
                     "expected \(batch.batchSize)×\(t) start and end logits")
        for (b, feature) in batch.indices.enumerated() {
            if start[feature].isEmpty { recordedCount += 1 }
            let row = b * t ..< b * t + batch.lengths[b]
            start[feature] = Array(startLogits[row])
            end[feature] = Array(endLogits[row])
        }
    }

    /// Whether every feature has logits.
    public var isComplete: Bool { recordedCount == start.count }
}

extension SQuADDataset {
    /// The best answer text per question id from gathered logits (see `predictions(features:startLogits:endLogits:options:)`).
    public func predictions(features: [SQuADFeature], logits: SQuADLogits,
                            options: SQuADPostprocessingOptions = SQuADPostprocessingOptions()) -> [String: String] {
        precondition(logits.isComplete, "logits recorded for \(logits.recordedCount) of \(features.count) features")
        return predictions(features: features, startLogits: logits.start, endLogits: logits.end, options: options)
    }
}
