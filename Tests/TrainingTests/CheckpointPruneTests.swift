import XCTest
@testable import Training

/// Pruning keeps the newest K checkpoints plus the best; the best record lives in best.json.
final class CheckpointPruneTests: XCTestCase {
    func testPruneKeepsLastKAndBest() throws {
        let scratch = try CheckpointScratch()
        for step in [10, 20, 30, 40, 50, 60] {
            try writeSampleCheckpoint(scratch.store, step: step)
        }
        XCTAssertEqual(try scratch.store.prune(keepLast: 2, best: 20), [10, 30, 40])
        XCTAssertEqual(try scratch.store.steps(), [20, 50, 60])
        XCTAssertEqual(try scratch.store.prune(keepLast: 2, best: 60), [20])
        XCTAssertEqual(try scratch.store.prune(keepLast: 1, best: nil), [50])
        XCTAssertEqual(try scratch.store.steps(), [60])
        XCTAssertEqual(try scratch.entries(), ["step-00000060"])
    }

    func testDiscardCheckpointsAfterResumedStep() throws {
        let scratch = try CheckpointScratch()
        for step in [10, 20, 30] {
            try writeSampleCheckpoint(scratch.store, step: step)
        }
        XCTAssertEqual(try scratch.store.discardCheckpoints(after: 10), [20, 30])
        XCTAssertEqual(try scratch.store.steps(), [10])
    }

    func testBestRecordImprovesInItsDirection() throws {
        let scratch = try CheckpointScratch()
        let store = scratch.store
        XCTAssertNil(try store.best())
        XCTAssertTrue(try store.updateBest(BestCheckpoint(metric: "accuracy", value: 0.8, step: 10, higherIsBetter: true)))
        XCTAssertFalse(try store.updateBest(BestCheckpoint(metric: "accuracy", value: 0.8, step: 20, higherIsBetter: true)))
        XCTAssertFalse(try store.updateBest(BestCheckpoint(metric: "accuracy", value: .nan, step: 25, higherIsBetter: true)))
        XCTAssertTrue(try store.updateBest(BestCheckpoint(metric: "accuracy", value: 0.85, step: 30, higherIsBetter: true)))
        XCTAssertEqual(try store.best()?.step, 30)
        XCTAssertThrowsError(try store.updateBest(BestCheckpoint(metric: "f1", value: 0.9, step: 40, higherIsBetter: true))) {
            XCTAssertTrue("\($0)".hasPrefix("best.json: tracks 'accuracy'"), "\($0)")
        }
        try store.setBest(nil)
        XCTAssertNil(try store.best())
        XCTAssertTrue(try store.updateBest(BestCheckpoint(metric: "loss", value: 0.5, step: 5, higherIsBetter: false)))
        XCTAssertTrue(try store.updateBest(BestCheckpoint(metric: "loss", value: 0.4, step: 6, higherIsBetter: false)))
        XCTAssertFalse(try store.updateBest(BestCheckpoint(metric: "loss", value: 0.45, step: 7, higherIsBetter: false)))
        XCTAssertEqual(try store.best(), BestCheckpoint(metric: "loss", value: 0.4, step: 6, higherIsBetter: false))
        XCTAssertEqual(try scratch.entries(), ["best.json"], "the atomic write leaves no temporary file")
    }
}
