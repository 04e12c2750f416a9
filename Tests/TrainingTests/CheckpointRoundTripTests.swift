import BERT
import Kernels
import XCTest
@testable import Training

/// A complete checkpoint as the trainer writes it (model, optimizer, trainer state, one rank
/// state per rank) reads back bit for bit.
final class CheckpointRoundTripTests: XCTestCase {
    private var fixture: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/bert/tiny-bert")
    }

    private func makeModel() throws -> BertModel {
        let config = try BertConfiguration.load(from: fixture.appendingPathComponent("config.json"))
        let model = BertModel(config: config, head: .sequenceClassification(numLabels: 2))
        var generator = SeededGenerator(seed: 0)
        try model.load(safetensors: fixture.appendingPathComponent("model.safetensors"), generator: &generator)
        return model
    }

    private func bits(_ buffer: FlatBuffer) -> [UInt32] {
        (0..<buffer.count).map { buffer[$0].bitPattern }
    }

    func testFullCheckpointRoundTripsBitwise() throws {
        let scratch = try CheckpointScratch()
        let store = scratch.store
        let model = try makeModel()
        let optimizer = AdamWOptimizer(layout: model.layout)
        var generator = SeededGenerator(seed: 7)
        for spec in model.layout.tensors {
            for i in spec.range {
                optimizer.m[i] = Float.random(in: -1...1, using: &generator)
                optimizer.v[i] = Float.random(in: 0...1e-3, using: &generator)
            }
        }
        optimizer.step = 3
        let config = TrainConfig(task: .sst2)
        let state = TrainerState(step: 3, epoch: 0, cursor: 3, totalSteps: 12, learningRate: 1e-3, lambda: 0, tau: 1,
                                 targetKeep: nil, config: config, layoutFingerprint: model.layout.fingerprint,
                                 worldSize: 2, dataFingerprint: "abc", metricsHistory: [], best: nil)
        let rankGenerators = [SeededGenerator(seed: 100), SeededGenerator(seed: 101)]

        let draft = try store.begin(step: 3)
        XCTAssertEqual(draft.directory, store.draftDirectory(step: 3))
        try draft.add(CheckpointFileName.model) { try model.exportSafetensors(to: $0) }
        try draft.add(CheckpointFileName.optimizer) { try OptimizerState.write(optimizer, to: $0) }
        try draft.add(state)
        try draft.add(RankState(rank: 0, rngState: rankGenerators[0].state, dataCursor: 3))
        XCTAssertThrowsError(try store.commit(draft, requiring: CheckpointFileName.required(worldSize: 2))) {
            XCTAssertEqual("\($0)", ".tmp-step-00000003/rank-1.json: missing from the checkpoint of step 3 (was it written?)")
        }
        // Rank 1 writes its file into the deterministic draft directory (shared file system).
        try RankState(rank: 1, rngState: rankGenerators[1].state, dataCursor: 3).jsonData()
            .write(to: store.draftDirectory(step: 3).appendingPathComponent(CheckpointFileName.rank(1)))
        try store.commit(draft, requiring: CheckpointFileName.required(worldSize: 2))
        XCTAssertEqual(try scratch.entries(), ["step-00000003"])

        let scan = try store.latestValid()
        let checkpoint = try XCTUnwrap(scan.latest)
        XCTAssertEqual(Set(checkpoint.manifest.files.keys),
                       ["model.safetensors", "optimizer.safetensors", "trainer_state.json", "rank-0.json", "rank-1.json"])
        XCTAssertEqual(try checkpoint.trainerState(), state)
        for rank in 0..<2 {
            XCTAssertTrue(checkpoint.hasRankState(rank: rank))
            let restored = try SeededGenerator(state: checkpoint.rankState(rank: rank).rngState)
            XCTAssertEqual(restored, rankGenerators[rank])
        }
        XCTAssertFalse(checkpoint.hasRankState(rank: 2))
        XCTAssertEqual(try checkResumeCompatibility(state: checkpoint.trainerState(), config: config, worldSize: 2,
                                                    layoutFingerprint: model.layout.fingerprint, dataFingerprint: "abc"),
                       .exact)

        let resumedModel = BertModel(config: model.config, head: .sequenceClassification(numLabels: 2))
        var unused = SeededGenerator(seed: 1)
        let report = try resumedModel.load(safetensors: checkpoint.url(CheckpointFileName.model), generator: &unused)
        XCTAssertEqual(report.initialized, [])
        XCTAssertEqual(bits(resumedModel.parameters), bits(model.parameters))

        let resumedOptimizer = AdamWOptimizer(layout: resumedModel.layout)
        try OptimizerState.load(into: resumedOptimizer, from: checkpoint.url(CheckpointFileName.optimizer))
        XCTAssertEqual(resumedOptimizer.step, 3)
        XCTAssertEqual(bits(resumedOptimizer.m), bits(optimizer.m))
        XCTAssertEqual(bits(resumedOptimizer.v), bits(optimizer.v))
    }

    func testOptimizerStateOfAnotherLayoutIsRefused() throws {
        let scratch = try CheckpointScratch()
        let model = try makeModel()
        let url = scratch.root.appendingPathComponent("optimizer.safetensors")
        try OptimizerState.write(AdamWOptimizer(layout: model.layout), to: url)
        let other = BertModel(config: model.config, head: .sequenceClassification(numLabels: 3))
        XCTAssertThrowsError(try OptimizerState.load(into: AdamWOptimizer(layout: other.layout), from: url)) {
            XCTAssertTrue("\($0)".contains("written for parameter layout"), "\($0)")
        }
    }

    func testRankStateOfTheWrongRankIsRefused() throws {
        let scratch = try CheckpointScratch()
        let draft = try scratch.store.begin(step: 1)
        try draft.add(CheckpointFileName.rank(1), data: RankState(rank: 0, rngState: [1, 2, 3, 4], dataCursor: 0).jsonData())
        let checkpoint = try scratch.store.checkpoint(at: scratch.store.commit(draft))
        XCTAssertThrowsError(try checkpoint.rankState(rank: 1)) {
            XCTAssertEqual("\($0)", "step-00000001/rank-1.json: holds the state of rank 0, not 1")
        }
    }
}
