/// A padded batch of `B` sequences of length `T`, flat and row-major, as the model consumes it
/// (it converts one-to-one into the BERT module's `ModelInput`).
public struct Batch: Sendable, Equatable {
    /// The batch's targets, one entry per sequence; all sequences of a batch have the same kind.
    public enum Targets: Sendable, Equatable {
        case none
        /// Class index per sequence, `[B]`.
        case classes([Int])
        /// Regression target per sequence, `[B]`.
        case scores([Float])
        /// Start and end token positions per sequence, `[B]` each.
        case spans(start: [Int], end: [Int])
    }

    /// Sequences `B`.
    public var batchSize: Int
    /// Padded length `T`.
    public var seqLen: Int
    /// Token ids, `[B·T]`; padding is the collator's pad id.
    public var inputIds: [Int32]
    /// Segment ids, `[B·T]`; 0 on padding.
    public var typeIds: [Int32]
    /// 1 for real tokens, 0 for padding, `[B·T]`.
    public var attentionMask: [Float]
    /// Real tokens of each sequence, `[B]`.
    public var lengths: [Int]
    /// For each row, the position of its example in the array it was collated from, `[B]`.
    public var indices: [Int]
    public var targets: Targets

    public init(batchSize: Int, seqLen: Int, inputIds: [Int32], typeIds: [Int32], attentionMask: [Float],
                lengths: [Int], indices: [Int], targets: Targets) {
        self.batchSize = batchSize
        self.seqLen = seqLen
        self.inputIds = inputIds
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.lengths = lengths
        self.indices = indices
        self.targets = targets
    }

    /// Real (unpadded) tokens in the batch: the sum of `lengths`.
    public var realTokenCount: Int { lengths.reduce(0, +) }

    /// The mask as `Int32` (1 real, 0 padding), `[B·T]`.
    public var attentionMaskInt32: [Int32] { attentionMask.map { $0 != 0 ? 1 : 0 } }
}
