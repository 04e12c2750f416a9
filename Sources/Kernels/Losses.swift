import Foundation

/// Loss functions with their gradients. Each returns the loss (a mean over the counted examples)
/// and writes d(scale·loss)/d(input) into the gradient buffer.
public enum Losses {
    /// Cross-entropy of `rows` logit vectors of length `classes`, laid out with `rowStride` between
    /// rows and `classStride` between classes (so a column of a wider matrix can be used).
    /// Rows whose target is nil are ignored; the loss is the mean over the others.
    /// `dLogits` uses the same layout and is overwritten at the addressed entries.
    public static func crossEntropy(
        logits: UnsafePointer<Float>, targets: [Int?], classes: Int, rowStride: Int, classStride: Int = 1,
        dLogits: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Double {
        let counted = targets.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        guard counted > 0 else {
            if let dLogits { zero(dLogits, rows: targets.count, classes: classes, rowStride: rowStride, classStride: classStride) }
            return 0
        }
        var total = 0.0
        for (r, target) in targets.enumerated() {
            let row = logits + r * rowStride
            var maxValue = -Double.greatestFiniteMagnitude
            for c in 0..<classes { maxValue = max(maxValue, Double(row[c * classStride])) }
            var sum = 0.0
            for c in 0..<classes { sum += Foundation.exp(Double(row[c * classStride]) - maxValue) }
            let logSum = maxValue + Foundation.log(sum)
            if let target { total += logSum - Double(row[target * classStride]) }
            guard let dLogits else { continue }
            let dRow = dLogits + r * rowStride
            for c in 0..<classes {
                guard let target else { dRow[c * classStride] = 0; continue }
                let p = Foundation.exp(Double(row[c * classStride]) - logSum)
                dRow[c * classStride] = Float((p - (c == target ? 1 : 0)) / Double(counted)) * scale
            }
        }
        return total / Double(counted)
    }

    /// Knowledge distillation (Hinton et al. 2015) over `rows` logit vectors [rows, classes]:
    /// per row (1 − α)·CE(z, y) + α·T²·KL(softmax(t/T) ‖ softmax(z/T)), averaged over the rows,
    /// where z are the student's logits, t the teacher's (same layout) and T the temperature.
    /// The T² keeps the soft term's gradient on the scale of the hard one:
    /// dz = [(1 − α)(softmax(z) − onehot(y)) + α·T·(softmax(z/T) − softmax(t/T))] / rows, times
    /// `scale`; `dLogits` [rows, classes] is overwritten. α = 0 is exactly ``crossEntropy``.
    public static func distillation(
        logits: UnsafePointer<Float>, teacherLogits: UnsafePointer<Float>, targets: [Int], classes: Int,
        alpha: Double, temperature: Double, dLogits: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Double {
        let rows = targets.count
        guard rows > 0 else { return 0 }
        /// log-softmax of `row / t` into `out` (Double), over `classes` entries.
        func logSoftmax(_ row: UnsafePointer<Float>, _ t: Double, _ out: inout [Double]) {
            var maxValue = -Double.greatestFiniteMagnitude
            for c in 0..<classes { maxValue = max(maxValue, Double(row[c]) / t) }
            var sum = 0.0
            for c in 0..<classes { sum += Foundation.exp(Double(row[c]) / t - maxValue) }
            let logSum = maxValue + Foundation.log(sum)
            for c in 0..<classes { out[c] = Double(row[c]) / t - logSum }
        }
        var student = [Double](repeating: 0, count: classes)
        var studentSoft = [Double](repeating: 0, count: classes)
        var teacherSoft = [Double](repeating: 0, count: classes)
        var total = 0.0
        for r in 0..<rows {
            let row = logits + r * classes
            logSoftmax(row, 1, &student)
            logSoftmax(row, temperature, &studentSoft)
            logSoftmax(teacherLogits + r * classes, temperature, &teacherSoft)
            var kl = 0.0
            for c in 0..<classes { kl += Foundation.exp(teacherSoft[c]) * (teacherSoft[c] - studentSoft[c]) }
            total += (1 - alpha) * -student[targets[r]] + alpha * temperature * temperature * kl
            guard let dLogits else { continue }
            for c in 0..<classes {
                let hard = Foundation.exp(student[c]) - (c == targets[r] ? 1 : 0)
                let soft = Foundation.exp(studentSoft[c]) - Foundation.exp(teacherSoft[c])
                dLogits[r * classes + c] = Float(((1 - alpha) * hard + alpha * temperature * soft) / Double(rows)) * scale
            }
        }
        return total / Double(rows)
    }

    /// Mean squared error of `count` predictions against targets; dPrediction = scale·2(p − t)/count.
    public static func meanSquaredError(
        predictions: UnsafePointer<Float>, targets: [Float], dPredictions: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Double {
        let n = targets.count
        var total = 0.0
        for i in 0..<n {
            let diff = Double(predictions[i]) - Double(targets[i])
            total += diff * diff
            dPredictions?[i] = Float(2 * diff / Double(n)) * scale
        }
        return total / Double(n)
    }

    /// Extractive-QA loss over per-token logits [B·T, 2] (column 0 start, 1 end):
    /// (CE(start) + CE(end)) / 2, softmax over all T positions, positions outside [0, T) ignored
    /// (Hugging Face clamps them to T and ignores T). `dLogits` [B·T, 2] is overwritten.
    public static func spanExtraction(
        logits: UnsafePointer<Float>, batch: Int, seqLen: Int, startPositions: [Int], endPositions: [Int],
        dLogits: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Double {
        func targets(_ positions: [Int]) -> [Int?] { positions.map { (0..<seqLen).contains($0) ? $0 : nil } }
        let start = crossEntropy(logits: logits, targets: targets(startPositions), classes: seqLen,
                                 rowStride: seqLen * 2, classStride: 2, dLogits: dLogits, scale: scale / 2)
        let end = crossEntropy(logits: logits + 1, targets: targets(endPositions), classes: seqLen,
                               rowStride: seqLen * 2, classStride: 2, dLogits: dLogits.map { $0 + 1 }, scale: scale / 2)
        return (start + end) / 2
    }

    private static func zero(_ d: UnsafeMutablePointer<Float>, rows: Int, classes: Int, rowStride: Int, classStride: Int) {
        for r in 0..<rows { for c in 0..<classes { d[r * rowStride + c * classStride] = 0 } }
    }
}
