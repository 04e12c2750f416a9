import BERT
import Distributed
import Kernels
import Training
import XCTest

/// The trainer's reducer sends only the word-embedding rows some rank's batch used, with the
/// same averaged gradient as allreducing the whole table.
final class GradientSyncTests: XCTestCase {
    private var fixture: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/bert/tiny-bert")
    }

    /// Rank `rank`'s gradient after one training forward and backward of the tiny BERT on two
    /// sequences whose ids (a few of the 64) differ between ranks.
    private func gradients(rank: Int) throws -> BertModel {
        let config = try BertConfiguration.load(from: fixture.appendingPathComponent("config.json"))
        let model = BertModel(config: config, head: .sequenceClassification(numLabels: 2))
        var generator = SeededGenerator(seed: 0)
        try model.load(safetensors: fixture.appendingPathComponent("model.safetensors"), generator: &generator)
        let ids: [Int32] = [2, 10, 11, 12, 3, 2, 20, 21, 3, 0].map { $0 == 0 || $0 < 4 ? $0 : $0 + Int32(5 * rank) }
        let input = ModelInput(batch: 2, seqLen: 5, inputIds: ids, typeIds: [Int32](repeating: 0, count: 10),
                               attentionMask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 0], target: .classes([rank, 1 - rank]))
        model.gradients.zero()
        _ = try model.forward(input, training: true, lossScale: 0.5, generator: &generator)
        model.backward()
        return model
    }

    func testWordEmbeddingRowsAreReducedSparselyWithTheDenseResult() throws {
        let results = try InProcessGroup.run(size: 2, timeout: 30) { comm -> ([Float], [Float], Int, Int) in
            let sparseModel = try self.gradients(rank: comm.rank)
            let denseModel = try self.gradients(rank: comm.rank)
            let sparse = try GradientReducer(communicator: comm, model: sparseModel)
            let dense = try GradientReducer(communicator: comm, model: denseModel, sparseEmbedding: false)
            try sparse.reduceAll()
            try dense.reduceAll()
            return (Array(sparseModel.gradients.buffer), Array(denseModel.gradients.buffer),
                    sparse.statistics.lastBytesReduced, dense.statistics.lastBytesReduced)
        }
        let config = try BertConfiguration.load(from: fixture.appendingPathComponent("config.json"))
        let table = config.vocabSize * config.hiddenSize * 4
        for (rank, (sparse, dense, sparseBytes, denseBytes)) in results.enumerated() {
            XCTAssertEqual(sparse.map(\.bitPattern), dense.map(\.bitPattern), "rank \(rank)")
            XCTAssertEqual(sparse.map(\.bitPattern), results[0].0.map(\.bitPattern), "identical on every rank")
            // The two batches use 12 of the 64 rows: less than half the table is sent.
            XCTAssertLessThan(sparseBytes, denseBytes - table / 2, "rank \(rank): \(sparseBytes) vs \(denseBytes) bytes")
        }
        XCTAssertTrue(results[0].0.contains { $0 != 0 }, "the step produced gradients")
    }
}
