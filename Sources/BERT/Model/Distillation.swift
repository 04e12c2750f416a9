/// What a teacher model says of one batch, for a student to learn from (`ModelInput.Target.distilled`).
///
/// The loss per batch is (1 − α)·CE + α·T²·KL(softmax(t/T) ‖ softmax(z/T)) on the logits
/// (`Losses.distillation`), plus, with teacher states, β·mean over sequences and features of
/// (h − h^teacher)², where h is the student's final hidden state of token 0 ([CLS], the pooler's
/// input) and h^teacher the teacher's.
public struct Distillation: Equatable {
    /// Teacher logits [B, numLabels].
    public var teacherLogits: [Float]
    /// Weight α of the soft term; the label cross-entropy gets 1 − α.
    public var alpha: Double
    /// Softmax temperature T of the soft term.
    public var temperature: Double
    /// The teacher's final hidden state of token 0 per sequence [B, H]; nil: logits only.
    public var teacherFirstToken: [Float]?
    /// Weight β of the hidden-state term (0: none).
    public var firstTokenWeight: Double

    public init(teacherLogits: [Float], alpha: Double, temperature: Double, teacherFirstToken: [Float]? = nil,
                firstTokenWeight: Double = 0) {
        self.teacherLogits = teacherLogits; self.alpha = alpha; self.temperature = temperature
        self.teacherFirstToken = teacherFirstToken; self.firstTokenWeight = firstTokenWeight
    }

    /// The hidden-state term applies.
    var matchesFirstToken: Bool { teacherFirstToken != nil && firstTokenWeight > 0 }
}
