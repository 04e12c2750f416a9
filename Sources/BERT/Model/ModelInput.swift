/// One padded batch as the model consumes it.
public struct ModelInput {
    /// Sequences (B) and padded length (T).
    public var batch: Int, seqLen: Int
    /// Token ids, token type ids: [B·T] row-major.
    public var inputIds: [Int32], typeIds: [Int32]
    /// 1 for real tokens, 0 for padding: [B·T].
    public var attentionMask: [Float]
    public var target: Target

    /// What the loss compares against.
    public enum Target: Equatable {
        case none
        /// Class index per sequence.
        case classes([Int])
        /// Class index per sequence and what a teacher says of the batch (``Distillation``).
        case distilled(classes: [Int], Distillation)
        /// Regression target per sequence (numLabels == 1).
        case scores([Float])
        /// Start and end token positions per sequence (extractive QA).
        case spans(start: [Int], end: [Int])
    }

    public init(batch: Int, seqLen: Int, inputIds: [Int32], typeIds: [Int32], attentionMask: [Float], target: Target = .none) {
        self.batch = batch; self.seqLen = seqLen; self.inputIds = inputIds; self.typeIds = typeIds
        self.attentionMask = attentionMask; self.target = target
    }

    /// Real (unpadded) tokens in the batch.
    public var realTokenCount: Int { attentionMask.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

    func validate(_ config: BertConfiguration, head: TaskHead) throws {
        let n = batch * seqLen
        guard batch > 0, seqLen > 0 else { throw ModelError.invalidInput("empty batch \(batch)×\(seqLen)") }
        guard inputIds.count == n, typeIds.count == n, attentionMask.count == n else {
            throw ModelError.invalidInput("expected \(n) ids, type ids and mask entries for \(batch)×\(seqLen), got \(inputIds.count), \(typeIds.count), \(attentionMask.count)")
        }
        guard seqLen <= config.maxPositionEmbeddings else {
            throw ModelError.invalidInput("sequence length \(seqLen) exceeds max_position_embeddings \(config.maxPositionEmbeddings)")
        }
        if let bad = inputIds.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.invalidInput("token id \(bad) outside the vocabulary of \(config.vocabSize)")
        }
        if let bad = typeIds.first(where: { $0 < 0 || Int($0) >= config.typeVocabSize }) {
            throw ModelError.invalidInput("token type id \(bad) outside [0, \(config.typeVocabSize))")
        }
        for b in 0..<batch where attentionMask[b * seqLen] == 0 {
            throw ModelError.invalidInput("sequence \(b) has no real first token")
        }
        switch (target, head) {
        case (.none, _): break
        case (.classes(let c), .sequenceClassification(let labels)) where labels > 1:
            guard c.count == batch, c.allSatisfy({ (0..<labels).contains($0) }) else {
                throw ModelError.invalidInput("class labels must be \(batch) values in 0..<\(labels)")
            }
        case (.distilled(let c, let d), .sequenceClassification(let labels)) where labels > 1:
            guard c.count == batch, c.allSatisfy({ (0..<labels).contains($0) }) else {
                throw ModelError.invalidInput("class labels must be \(batch) values in 0..<\(labels)")
            }
            guard d.teacherLogits.count == batch * labels else {
                throw ModelError.invalidInput("expected \(batch) × \(labels) teacher logits, got \(d.teacherLogits.count)")
            }
            guard (0...1).contains(d.alpha), d.temperature > 0 else {
                throw ModelError.invalidInput("distillation needs α in [0, 1] and a positive temperature, got \(d.alpha) and \(d.temperature)")
            }
            guard d.firstTokenWeight >= 0, d.firstTokenWeight.isFinite else {
                throw ModelError.invalidInput("the hidden-state distillation weight must be finite and ≥ 0, got \(d.firstTokenWeight)")
            }
            if let states = d.teacherFirstToken, states.count != batch * config.hiddenSize {
                throw ModelError.invalidInput("expected \(batch) × \(config.hiddenSize) teacher hidden states, got \(states.count)")
            }
        case (.scores(let s), .sequenceClassification(1)):
            guard s.count == batch else { throw ModelError.invalidInput("expected \(batch) regression targets") }
        case (.spans(let s, let e), .questionAnswering):
            guard s.count == batch, e.count == batch else { throw ModelError.invalidInput("expected \(batch) start and end positions") }
        default:
            throw ModelError.invalidInput("target \(target) does not fit the head \(head)")
        }
    }
}
