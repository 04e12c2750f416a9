import BERT
import Foundation

/// The input of the training benchmarks: `batch` full-length sequences of `seqLen` tokens,
/// [CLS] then ids spread over the vocabulary, two alternating labels. `variant` (a rank) shifts
/// the ids so that each rank trains on its own batch.
func syntheticClassificationBatch(batch: Int, seqLen: Int, variant: Int = 0) -> ModelInput {
    let n = batch * seqLen
    let ids = (0..<n).map { i in i % seqLen == 0 ? Int32(101) : Int32(1000 + (i * 7919 + variant * 31) % 20000) }
    return ModelInput(batch: batch, seqLen: seqLen, inputIds: ids, typeIds: [Int32](repeating: 0, count: n),
                      attentionMask: [Float](repeating: 1, count: n), target: .classes((0..<batch).map { $0 % 2 }))
}

/// Wall-clock seconds per phase of a benchmark step, summed over the calls since the last reset.
final class PhaseTimes {
    private(set) var seconds: [Double]

    init(phases: Int) { seconds = [Double](repeating: 0, count: phases) }

    /// Runs `body` and adds its duration to `phase`.
    func time<T>(_ phase: Int, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds[phase] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return try body()
    }

    func reset() { seconds = [Double](repeating: 0, count: seconds.count) }
}
