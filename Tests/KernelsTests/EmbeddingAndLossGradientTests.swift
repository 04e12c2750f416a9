import Foundation
import Kernels
import XCTest

/// Finite-difference checks of the embedding scatter-add and of the losses.
/// Error measure and tolerance: GradientCheckSupport.swift (max|analytic − numeric| ≤ 2e-3 · max|analytic|).
/// For the losses the scalar is f = scale · loss itself (the loss is the kernel's output), so the
/// analytic gradient is the kernel's dLogits / dPredictions, which already include `scale`.
final class EmbeddingAndLossGradientTests: XCTestCase {
    // MARK: Embedding

    func testEmbeddingScatterAddMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 301)
        let vocab = 6, width = 4
        let ids: [Int32] = [3, 0, 5, 3, 1, 0, 3]          // repeats, and the padding id 0 twice; row 2 and 4 unused
        let rows = ids.count
        let table = randomNormals(vocab * width, &g)
        let r = randomNormals(rows * width, &g)
        func lookup(_ table: [Float]) -> [Float] {
            var out = [Float](repeating: .nan, count: rows * width)
            Embedding.forward(ids: ids, table: table, out: &out, rows: rows, width: width, accumulate: false)
            return out
        }
        let numeric = numericGradient(table, step: 1e-2) { projection(lookup($0), r) }

        // Without a padding index every row gets its gradient; dTable is added to.
        let start = randomNormals(vocab * width, &g)
        var dTable = start
        Embedding.backward(ids: ids, dOut: r, dTable: &dTable, rows: rows, width: width, paddingIndex: nil)
        assertGradient(zip(dTable, start).map { $0 - $1 }, numeric, "Embedding dTable (no padding index)")

        // With paddingIndex 0 the padding row is left exactly as it was; the others as before.
        var dPadded = start
        Embedding.backward(ids: ids, dOut: r, dTable: &dPadded, rows: rows, width: width, paddingIndex: 0)
        XCTAssertEqual(Array(dPadded[0..<width]), Array(start[0..<width]), "padding row must stay untouched")
        assertGradient(zip(dPadded, start).map { $0 - $1 }.suffix(from: width).map { $0 },
                       Array(numeric[width...]), "Embedding dTable (padding index 0, other rows)")
        XCTAssertEqual(Array(dPadded[(2 * width)..<(3 * width)]), Array(start[(2 * width)..<(3 * width)]), "unused row untouched")

        // Forward with accumulate adds the looked-up rows.
        let base = randomNormals(rows * width, &g)
        var out = base
        Embedding.forward(ids: ids, table: table, out: &out, rows: rows, width: width, accumulate: true)
        let plain = lookup(table)
        for i in 0..<out.count { XCTAssertEqual(out[i], base[i] + plain[i], "accumulating lookup, entry \(i)") }
        for n in 0..<rows { XCTAssertEqual(Array(plain[(n * width)..<((n + 1) * width)]), Array(table[(Int(ids[n]) * width)..<((Int(ids[n]) + 1) * width)])) }
    }

    // MARK: Cross-entropy

    func testCrossEntropyContiguousWithIgnoredRow() {
        var g = SeededGenerator(seed: 302)
        let rows = 4, classes = 5
        let logits = randomNormals(rows * classes, &g, scale: 2)
        let targets: [Int?] = [2, nil, 0, 4]
        let scale: Float = 0.7
        var d = [Float](repeating: .nan, count: logits.count)
        let loss = Losses.crossEntropy(logits: logits, targets: targets, classes: classes, rowStride: classes,
                                       dLogits: &d, scale: scale)
        // Reference loss in Double: mean over the 3 counted rows of logsumexp − logit[target].
        var reference = 0.0
        for (r, t) in targets.enumerated() {
            guard let t else { continue }
            let row = (0..<classes).map { Double(logits[r * classes + $0]) }
            reference += Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +)) - row[t]
        }
        XCTAssertEqual(loss, reference / 3, accuracy: 1e-12 * max(1, reference))
        let numeric = numericGradient(logits, step: 1e-2) {
            Double(scale) * Losses.crossEntropy(logits: $0, targets: targets, classes: classes, rowStride: classes,
                                                dLogits: nil, scale: 1)
        }
        assertGradient(d, numeric, "crossEntropy dLogits")
        XCTAssertEqual(Array(d[classes..<(2 * classes)]), [Float](repeating: 0, count: classes), "ignored row: gradient 0")
    }

    func testCrossEntropyStridedColumnsWithIgnoredRow() {
        var g = SeededGenerator(seed: 303)
        // A [rows, 8] matrix whose columns 1, 3, 5 hold the 3 classes (offset 1, classStride 2, rowStride 8).
        let rows = 4, classes = 3, rowStride = 8, classStride = 2, offset = 1
        let matrix = randomNormals(rows * rowStride, &g, scale: 2)
        let targets: [Int?] = [1, 2, nil, 0]
        let scale: Float = 1.3
        let sentinel: Float = 12345
        var d = [Float](repeating: sentinel, count: matrix.count)
        func loss(_ m: [Float], _ dOut: UnsafeMutablePointer<Float>?) -> Double {
            m.withUnsafeBufferPointer {
                Losses.crossEntropy(logits: $0.baseAddress! + offset, targets: targets, classes: classes, rowStride: rowStride,
                                    classStride: classStride, dLogits: dOut.map { $0 + offset }, scale: scale)
            }
        }
        let value = d.withUnsafeMutableBufferPointer { loss(matrix, $0.baseAddress!) }
        let numeric = numericGradient(matrix, step: 1e-2) { loss($0, nil) * Double(scale) }
        let addressed = Set((0..<rows).flatMap { r in (0..<classes).map { r * rowStride + offset + $0 * classStride } })
        let order = addressed.sorted()
        assertGradient(order.map { d[$0] }, order.map { numeric[$0] }, "strided crossEntropy dLogits")
        for i in 0..<matrix.count where !addressed.contains(i) {
            XCTAssertEqual(d[i], sentinel, "entry \(i) outside the addressed columns must not be written")
            XCTAssertEqual(numeric[i], 0, "entry \(i) outside the addressed columns must not change the loss")
        }
        for c in 0..<classes { XCTAssertEqual(d[2 * rowStride + offset + c * classStride], 0, "ignored row: gradient 0") }
        // Same loss as the contiguous copy of those columns.
        let compact = (0..<rows).flatMap { r in (0..<classes).map { matrix[r * rowStride + offset + $0 * classStride] } }
        let compactLoss = Losses.crossEntropy(logits: compact, targets: targets, classes: classes, rowStride: classes, dLogits: nil, scale: 1)
        XCTAssertEqual(value, compactLoss, accuracy: 1e-12)
    }

    func testCrossEntropyWithEveryRowIgnored() {
        var d = [Float](repeating: .nan, count: 6)
        let loss = Losses.crossEntropy(logits: [1, 2, 3, 4, 5, 6], targets: [nil, nil], classes: 3, rowStride: 3,
                                       dLogits: &d, scale: 1)
        XCTAssertEqual(loss, 0)
        XCTAssertEqual(d, [Float](repeating: 0, count: 6))
    }

    // MARK: MSE and span extraction

    func testMeanSquaredErrorMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 304)
        let predictions = randomNormals(6, &g, scale: 2)
        let targets = randomNormals(6, &g, scale: 2)
        let scale: Float = 0.8
        var d = [Float](repeating: .nan, count: 6)
        let loss = Losses.meanSquaredError(predictions: predictions, targets: targets, dPredictions: &d, scale: scale)
        var squaredSum = 0.0
        for (prediction, target) in zip(predictions, targets) {
            let difference = Double(prediction) - Double(target)
            squaredSum += difference * difference
        }
        let reference = squaredSum / 6
        XCTAssertEqual(loss, reference, accuracy: 1e-12 * max(1, reference))
        let numeric = numericGradient(predictions, step: 1e-2) {
            Double(scale) * Losses.meanSquaredError(predictions: $0, targets: targets, dPredictions: nil, scale: 1)
        }
        assertGradient(d, numeric, "meanSquaredError dPredictions")
    }

    func testSpanExtractionMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 305)
        let batch = 3, seqLen = 6
        let logits = randomNormals(batch * seqLen * 2, &g, scale: 2)
        // Sequence 1's end position is outside [0, T) and ignored; sequence 2's start too.
        let start = [2, 0, 7], end = [4, 6, 5]
        let scale: Float = 1.1
        var d = [Float](repeating: .nan, count: logits.count)
        let loss = Losses.spanExtraction(logits: logits, batch: batch, seqLen: seqLen, startPositions: start,
                                         endPositions: end, dLogits: &d, scale: scale)
        func ce(_ column: Int, _ positions: [Int]) -> Double {
            var total = 0.0, counted = 0
            for b in 0..<batch where (0..<seqLen).contains(positions[b]) {
                let row = (0..<seqLen).map { Double(logits[(b * seqLen + $0) * 2 + column]) }
                total += Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +)) - row[positions[b]]
                counted += 1
            }
            return total / Double(counted)
        }
        XCTAssertEqual(loss, (ce(0, start) + ce(1, end)) / 2, accuracy: 1e-12 * max(1, loss))
        let numeric = numericGradient(logits, step: 1e-2) {
            Double(scale) * Losses.spanExtraction(logits: $0, batch: batch, seqLen: seqLen, startPositions: start,
                                                  endPositions: end, dLogits: nil, scale: 1)
        }
        assertGradient(d, numeric, "spanExtraction dLogits")
        for t in 0..<seqLen {
            XCTAssertEqual(d[(1 * seqLen + t) * 2 + 1], 0, "ignored end position: gradient 0")
            XCTAssertEqual(d[(2 * seqLen + t) * 2 + 0], 0, "ignored start position: gradient 0")
        }
    }
}
