import BERT
import Foundation
import Kernels
import XCTest

/// `backward(gradientsReady:)` promises that when it reports an offset, every gradient from that
/// offset to the end of the block is final: a trainer posts those buckets to the allreduce at once.
/// The test snapshots the reported suffix at each call and compares it with the block after
/// backward; any write behind the reported offset (a late gradient) makes it fail.
final class GradientsReadyTests: XCTestCase {
    func testDenseBackwardReportsOnlyFinalGradients() throws {
        try checkReportedSuffixesAreFinal(skim: nil)
    }

    func testTranskimmerBackwardReportsOnlyFinalGradients() throws {
        try checkReportedSuffixesAreFinal(skim: SkimSettings(lambda: 0.7, tau: 1, targetKeep: 0.5))
    }

    private func checkReportedSuffixesAreFinal(skim: SkimSettings?) throws {
        let config = TranskimmerRandom.config(layers: 3)
        let head = TaskHead.sequenceClassification(numLabels: 3)
        let model = skim == nil
            ? BertModel(config: config, head: head)
            : TranskimmerRandom.model(config: config, head: head, seed: 11)
        var generator = SeededGenerator(seed: 12)
        if skim == nil { model.initializeWeights(generator: &generator) }
        let input = TranskimmerRandom.input(batch: 5, seqLen: 9, config: config, head: head, generator: &generator)
        if let skim {
            _ = try model.forward(input, training: true, generator: &generator, skim: skim)
        } else {
            _ = try model.forward(input, training: true, generator: &generator)
        }
        model.gradients.zero()
        let total = model.layout.totalCount
        var snapshots: [(offset: Int, values: [Float])] = []
        model.backward { offset in
            snapshots.append((offset, Array(UnsafeBufferPointer(start: model.gradients.pointer + offset, count: total - offset))))
        }
        let expectedOffsets = [model.layout.headOffset]
            + stride(from: config.numHiddenLayers - 1, through: 0, by: -1).map { model.layout.firstOffset(ofLayer: $0) }
        XCTAssertEqual(snapshots.map(\.offset), expectedOffsets, "one report after the head, then one per layer, last first")
        for (offset, values) in snapshots {
            let final = Array(UnsafeBufferPointer(start: model.gradients.pointer + offset, count: total - offset))
            XCTAssertEqual(values, final, "gradients at offset ≥ \(offset) changed after they were reported final")
            XCTAssertTrue(values.contains { $0 != 0 }, "the suffix from \(offset) holds gradients")
        }
        // The layer offsets cover every layer tensor (predictors included): nothing of layer l lies below its offset.
        for spec in model.layout.tensors {
            if let l = spec.layer { XCTAssertGreaterThanOrEqual(spec.offset, model.layout.firstOffset(ofLayer: l), spec.name) }
        }
    }
}
