import XCTest
@testable import Training

/// trainer_state.json, rank-N.json and the resume compatibility rules.
final class CheckpointStateTests: XCTestCase {
    private func sampleConfig() -> TrainConfig {
        var config = TrainConfig(task: .sst2, method: .transkimmer)
        config.maxSteps = 4210
        return config
    }

    private func sampleState(worldSize: Int = 2, config: TrainConfig? = nil) -> TrainerState {
        TrainerState(step: 120, epoch: 1, cursor: 15, totalSteps: 4210,
                     learningRate: 4.2e-5, lambda: 0.5, tau: 1, targetKeep: nil,
                     config: config ?? sampleConfig(), layoutFingerprint: 42,
                     worldSize: worldSize, dataFingerprint: "0123abcd",
                     metricsHistory: [["step": 60, "accuracy": 0.81], ["step": 120, "loss": .nan]],
                     best: BestCheckpoint(metric: "accuracy", value: 0.81, step: 60, higherIsBetter: true))
    }

    func testTrainerStateRoundTripsWithSortedKeysNullsAndNaN() throws {
        let state = sampleState()
        let data = try state.jsonData()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"config_hash\" : \"\(Fingerprint.hex(sampleConfig().canonicalHash()))\""), text)
        XCTAssertTrue(text.contains("\"layout_fingerprint\" : \"000000000000002a\""), text)
        XCTAssertTrue(text.contains("\"target_keep\" : null"), text)
        XCTAssertTrue(text.contains("\"nan\""), text)
        let keys = ["best", "config", "config_hash", "cursor", "data_fingerprint", "epoch", "lambda",
                    "layout_fingerprint", "learning_rate", "metrics_history", "step", "target_keep", "tau",
                    "total_steps", "world_size"]
        let positions = keys.map { text.range(of: "\n  \"\($0)\"")?.lowerBound }
        XCTAssertFalse(positions.contains(nil), text)
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "keys are sorted")

        let decoded = try TrainerState(jsonData: data)
        XCTAssertEqual(decoded.step, 120)
        XCTAssertEqual(decoded.config, sampleConfig())
        XCTAssertTrue(decoded.metricsHistory[1]["loss"]!.isNaN)
        var comparable = decoded
        comparable.metricsHistory[1]["loss"] = 0
        var expected = state
        expected.metricsHistory[1]["loss"] = 0
        XCTAssertEqual(comparable, expected)
    }

    func testStateAfterAPlanTakesItsScheduleValues() {
        let plan = StepPlan(step: 9, epoch: 0, learningRate: 1e-4, lambda: 0.25, tau: 0.5, targetKeep: 0.7, flags: .save)
        let state = TrainerState(after: plan, epoch: 0, cursor: 10, totalSteps: 100, config: sampleConfig(),
                                 layoutFingerprint: 7, worldSize: 1, dataFingerprint: "d", metricsHistory: [], best: nil)
        XCTAssertEqual(state.step, 10)
        XCTAssertEqual([state.learningRate, state.lambda, state.tau, state.targetKeep], [1e-4, 0.25, 0.5, 0.7])
    }

    func testTrainerStateErrorsNameTheFile() {
        XCTAssertThrowsError(try TrainerState(jsonData: Data("{\"step\": 1}".utf8), path: "step-00000001/trainer_state.json")) {
            XCTAssertTrue("\($0)".hasPrefix("step-00000001/trainer_state.json: not a valid TrainerState: missing key"), "\($0)")
        }
    }

    func testRankStateKeepsFullUInt64() throws {
        let state = RankState(rank: 1, rngState: [.max, 0, 1 << 63 | 12345, 7], dataCursor: 99)
        XCTAssertEqual(try RankState(jsonData: state.jsonData(), path: RankState.fileName(rank: 1)), state)
        XCTAssertEqual(RankState.fileName(rank: 3), "rank-3.json")
    }

    func testFingerprintHex() {
        XCTAssertEqual(Fingerprint.hex(0xAB), "00000000000000ab")
        XCTAssertEqual(Fingerprint.parse(Fingerprint.hex(.max)), .max)
        XCTAssertNil(Fingerprint.parse("xyz"))
    }

    func testWorldSizeIsRefusedUnlessReshardIsAllowed() throws {
        let state = sampleState(worldSize: 4)
        var config = sampleConfig()
        XCTAssertEqual(try checkResumeCompatibility(state: state, config: config, worldSize: 4, layoutFingerprint: 42), .exact)
        XCTAssertThrowsError(try checkResumeCompatibility(state: state, config: config, worldSize: 2, layoutFingerprint: 42)) {
            let error = $0 as! ResumeError
            XCTAssertEqual(error.field, "world_size")
            XCTAssertTrue(error.description.contains("written by 4 ranks, this run has 2"), error.description)
            XCTAssertTrue(error.description.contains("mpirun -np 4"), error.description)
            XCTAssertTrue(error.description.contains("allow_reshard"), error.description)
        }
        config.allowReshard = true
        XCTAssertEqual(try checkResumeCompatibility(state: state, config: config, worldSize: 2, layoutFingerprint: 42),
                       .resharded(from: 4, to: 2))
    }

    func testLayoutAndDataMismatchesNameTheField() {
        let state = sampleState()
        XCTAssertThrowsError(try checkResumeCompatibility(state: state, config: sampleConfig(), worldSize: 2,
                                                          layoutFingerprint: 43)) {
            let error = $0 as! ResumeError
            XCTAssertEqual(error.field, "layout_fingerprint")
            XCTAssertTrue(error.description.contains("parameter layout 000000000000002a, this model has 000000000000002b"),
                          error.description)
        }
        XCTAssertThrowsError(try checkResumeCompatibility(state: state, config: sampleConfig(), worldSize: 2,
                                                          layoutFingerprint: 42, dataFingerprint: "other")) {
            let error = $0 as! ResumeError
            XCTAssertEqual(error.field, "data_fingerprint")
            XCTAssertTrue(error.description.contains("data changed"), error.description)
        }
        XCTAssertNoThrow(try checkResumeCompatibility(state: state, config: sampleConfig(), worldSize: 2,
                                                      layoutFingerprint: 42, dataFingerprint: "0123abcd"))
    }

    func testConfigurationChangesAreNamedWithBothValues() {
        let state = sampleState()
        var config = sampleConfig()
        config.learningRate = 3e-5
        config.skim.tau = 0.5
        config.epochs = 3
        XCTAssertThrowsError(try checkResumeCompatibility(state: state, config: config, worldSize: 2, layoutFingerprint: 42)) {
            let error = $0 as! ResumeError
            XCTAssertEqual(error.field, "epochs,learning_rate,skim.tau")
            XCTAssertTrue(error.description.contains("'epochs' was 2, now 3; 'learning_rate' was 5e-05, now 3e-05; "
                                                     + "'skim.tau' was 1, now 0.5."), error.description)
        }
        config = sampleConfig()
        config.maxSteps = nil
        XCTAssertEqual(config.resumeDifferences(from: sampleConfig()),
                       [ConfigDifference(key: "max_steps", saved: "4210", current: "null")])
    }

    func testOperationalKeysMayChangeOnResume() throws {
        var config = sampleConfig()
        config.resume = .path("Checkpoints/x/step-00000120")
        config.outputDir = "Elsewhere/run"
        config.threads = 4
        config.watchdogWarnSeconds = 5
        config.watchdogLimitSeconds = 50
        config.saveEvery = 7
        config.keepLast = 9
        config.keepBest = false
        XCTAssertEqual(config.resumeDifferences(from: sampleConfig()), [])
        XCTAssertEqual(try checkResumeCompatibility(state: sampleState(), config: config, worldSize: 2,
                                                    layoutFingerprint: 42), .exact)
        for key in TrainConfig.resumeMutableKeys {
            XCTAssertNotNil(TrainConfig.CodingKeys(rawValue: key), "\(key) is a configuration key")
        }
    }
}
