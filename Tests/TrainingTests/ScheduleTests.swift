import XCTest
@testable import Training

/// Learning-rate and skim schedules against hand-computed values.
final class ScheduleTests: XCTestCase {
    func testLinearWarmupThenDecay() {
        let schedule = LearningRateSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(schedule.learningRate(at: 0), 0)
        XCTAssertEqual(schedule.learningRate(at: 5), 5e-4, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(at: 10), 1e-3, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(at: 60), 5e-4, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(at: 109), 1e-5, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(at: 110), 0)
        XCTAssertEqual(schedule.learningRate(at: 150), 0)
    }

    func testNoWarmupStartsAtPeak() {
        let schedule = LearningRateSchedule(peak: 2, warmupSteps: 0, totalSteps: 4)
        XCTAssertEqual((0...4).map(schedule.learningRate(at:)), [2, 1.5, 1, 0.5, 0])
    }

    func testWarmupFromConfigRoundsUpLikeHuggingFace() {
        var config = TrainConfig(task: .sst2)
        XCTAssertEqual(LearningRateSchedule(config: config, totalSteps: 4210).warmupSteps, 253)
        XCTAssertEqual(LearningRateSchedule(config: config, totalSteps: 1000).warmupSteps, 60)
        config.warmupSteps = 7
        let explicit = LearningRateSchedule(config: config, totalSteps: 1000)
        XCTAssertEqual(explicit, LearningRateSchedule(peak: 5e-5, warmupSteps: 7, totalSteps: 1000))
    }

    func testLambdaWarmup() {
        let constant = SkimSchedule(lambda: 0.5, tau: 1)
        XCTAssertEqual(constant.lambda(at: 0), 0.5)
        let warm = SkimSchedule(lambda: 0.5, lambdaWarmupSteps: 100, tau: 1)
        XCTAssertEqual(warm.lambda(at: 0), 0)
        XCTAssertEqual(warm.lambda(at: 25), 0.125)
        XCTAssertEqual(warm.lambda(at: 100), 0.5)
        XCTAssertEqual(warm.lambda(at: 1000), 0.5)
    }

    func testTauExponentialAnnealing() {
        let schedule = SkimSchedule(lambda: 0.5, tau: 1, tauAnnealing: .init(minimum: 0.25, steps: 100))
        XCTAssertEqual(schedule.tau(at: 0), 1)
        XCTAssertEqual(schedule.tau(at: 50), 0.5, accuracy: 1e-15)
        XCTAssertEqual(schedule.tau(at: 25), pow(0.25, 0.25), accuracy: 1e-15)
        XCTAssertEqual(schedule.tau(at: 100), 0.25, accuracy: 1e-15)
        XCTAssertEqual(schedule.tau(at: 500), 0.25, accuracy: 1e-15)
        XCTAssertEqual(SkimSchedule(lambda: 0.5, tau: 2).tau(at: 500), 2)
    }

    func testTargetKeepFallsLinearly() {
        let schedule = SkimSchedule(lambda: 0.5, tau: 1, target: .init(keep: 0.4, steps: 60))
        XCTAssertEqual(schedule.targetKeep(at: 0), 1)
        XCTAssertEqual(schedule.targetKeep(at: 30)!, 0.7, accuracy: 1e-15)
        XCTAssertEqual(schedule.targetKeep(at: 60)!, 0.4, accuracy: 1e-15)
        XCTAssertEqual(schedule.targetKeep(at: 90)!, 0.4, accuracy: 1e-15)
        XCTAssertEqual(SkimSchedule(lambda: 0.5, tau: 1, target: .init(keep: 0.4, steps: 0)).targetKeep(at: 0), 0.4)
        XCTAssertNil(SkimSchedule(lambda: 0.5, tau: 1).targetKeep(at: 10))
    }

    func testGumbelNoiseStopsAfterItsSteps() {
        let schedule = SkimSchedule(lambda: 0.5, tau: 1, gumbelNoiseSteps: 100)
        XCTAssertTrue(schedule.gumbelNoise(at: 0))
        XCTAssertTrue(schedule.gumbelNoise(at: 99))
        XCTAssertFalse(schedule.gumbelNoise(at: 100))
        XCTAssertFalse(schedule.gumbelNoise(at: 5000))
        XCTAssertFalse(SkimSchedule(lambda: 0.5, tau: 1, gumbelNoiseSteps: 0).gumbelNoise(at: 0))
        XCTAssertTrue(SkimSchedule(lambda: 0.5, tau: 1).gumbelNoise(at: 1 << 40))
    }

    func testPredictorsFreezeFromTheirStep() {
        let schedule = SkimSchedule(lambda: 0.5, tau: 1, predictorFreezeStep: 2104)
        XCTAssertFalse(schedule.predictorsFrozen(at: 0))
        XCTAssertFalse(schedule.predictorsFrozen(at: 2103))
        XCTAssertTrue(schedule.predictorsFrozen(at: 2104))
        XCTAssertTrue(schedule.predictorsFrozen(at: 4207))
        XCTAssertTrue(SkimSchedule(lambda: 0.5, tau: 1, predictorFreezeStep: 0).predictorsFrozen(at: 0))
        XCTAssertFalse(SkimSchedule(lambda: 0.5, tau: 1).predictorsFrozen(at: 1 << 40))
    }

    func testSkimScheduleFromConfig() throws {
        let config = try TrainConfig.parse(yaml: """
            task: sst2
            method: transkimmer
            skim:
              lambda: 0.3
              lambda_warmup_steps: 10
              tau: 2
              tau_min: 0.5
              tau_anneal_steps: 20
              target_keep: 0.5
              gumbel_noise_steps: 15
              predictor_freeze_step: 40
            """, fileName: nil, overrides: [])
        let schedule = SkimSchedule(config: config.skim)
        XCTAssertEqual(schedule, SkimSchedule(lambda: 0.3, lambdaWarmupSteps: 10, tau: 2,
                                              tauAnnealing: .init(minimum: 0.5, steps: 20),
                                              target: .init(keep: 0.5, steps: 0), gumbelNoiseSteps: 15,
                                              predictorFreezeStep: 40))
        XCTAssertEqual(schedule.tau(at: 10), 1, accuracy: 1e-15)
    }
}
