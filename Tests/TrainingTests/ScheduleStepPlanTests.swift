import XCTest
@testable import Training

/// The fixed-size encoding of the step plan broadcast by rank 0.
final class ScheduleStepPlanTests: XCTestCase {
    func testRoundTripWithTargetAndFlags() throws {
        let plan = StepPlan(step: 4209, epoch: 1, learningRate: 4.2e-5, lambda: 0.5, tau: 0.731,
                            targetKeep: 0.55, flags: [.evaluate, .stop])
        let encoded = plan.encoded()
        XCTAssertEqual(encoded.count, StepPlan.encodedCount)
        XCTAssertEqual(try StepPlan(encoded: encoded), plan)
    }

    func testRoundTripWithoutTarget() throws {
        let plan = StepPlan(step: 0, epoch: 0, learningRate: 0, lambda: 0, tau: 1, targetKeep: nil, flags: [])
        let decoded = try StepPlan(encoded: plan.encoded())
        XCTAssertNil(decoded.targetKeep)
        XCTAssertEqual(decoded, plan)
        let all = StepPlan(step: 1 << 40, epoch: 3, learningRate: 1, lambda: 1, tau: 1, targetKeep: 1, flags: .all)
        XCTAssertEqual(try StepPlan(encoded: all.encoded()), all)
        let noiseless = StepPlan(step: 7, epoch: 0, learningRate: 1, lambda: 1, tau: 1, targetKeep: nil,
                                 gumbelNoise: false, flags: [])
        XCTAssertFalse(try StepPlan(encoded: noiseless.encoded()).gumbelNoise)
        XCTAssertTrue(decoded.gumbelNoise)
        let frozen = StepPlan(step: 9, epoch: 1, learningRate: 1, lambda: 1, tau: 1, targetKeep: 0.4,
                              predictorsFrozen: true, flags: [])
        XCTAssertEqual(try StepPlan(encoded: frozen.encoded()), frozen)
        XCTAssertFalse(decoded.predictorsFrozen)
        let priced = StepPlan(step: 9, epoch: 1, learningRate: 1, lambda: 0, tau: 1, targetKeep: 0.4, keepPrice: 0.3125, flags: [])
        XCTAssertEqual(try StepPlan(encoded: priced.encoded()).keepPrice, 0.3125)
        let free = StepPlan(step: 9, epoch: 1, learningRate: 1, lambda: 0, tau: 1, targetKeep: 0.4, keepPrice: 0, flags: [])
        XCTAssertEqual(try StepPlan(encoded: free.encoded()).keepPrice, 0, "a price of 0 is not 'no price'")
        XCTAssertNil(decoded.keepPrice)
    }

    func testPlanFromSchedules() {
        let lr = LearningRateSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110)
        let skim = SkimSchedule(lambda: 0.5, lambdaWarmupSteps: 20, tau: 1, target: .init(keep: 0.5, steps: 10))
        let plan = StepPlan(step: 5, epoch: 0, learningRate: lr, skim: skim, flags: .save)
        XCTAssertEqual(plan.learningRate, 5e-4, accuracy: 1e-18)
        XCTAssertEqual(plan.lambda, 0.125)
        XCTAssertEqual(plan.tau, 1)
        XCTAssertEqual(plan.targetKeep, 0.75)
        XCTAssertEqual(plan.flags, .save)
        XCTAssertTrue(plan.gumbelNoise)
        let noisy = SkimSchedule(lambda: 0.5, tau: 1, gumbelNoiseSteps: 6)
        XCTAssertTrue(StepPlan(step: 5, epoch: 0, learningRate: lr, skim: noisy, flags: []).gumbelNoise)
        XCTAssertFalse(StepPlan(step: 6, epoch: 0, learningRate: lr, skim: noisy, flags: []).gumbelNoise)
        let freezing = SkimSchedule(lambda: 0.5, tau: 1, predictorFreezeStep: 6)
        XCTAssertFalse(StepPlan(step: 5, epoch: 0, learningRate: lr, skim: freezing, flags: []).predictorsFrozen)
        XCTAssertTrue(StepPlan(step: 6, epoch: 0, learningRate: lr, skim: freezing, flags: []).predictorsFrozen)
    }

    func testMalformedBuffersAreRejected() {
        let good = StepPlan(step: 3, epoch: 0, learningRate: 1, lambda: 1, tau: 1, targetKeep: nil, flags: []).encoded()
        XCTAssertThrowsError(try StepPlan(encoded: Array(good.prefix(8))))
        XCTAssertThrowsError(try StepPlan(encoded: [Double](repeating: 0, count: StepPlan.encodedCount))) {
            XCTAssertTrue("\($0)".contains("marker"))
        }
        var fractional = good
        fractional[1] = 2.5
        XCTAssertThrowsError(try StepPlan(encoded: fractional))
        var flags = good
        flags[7] = 8
        XCTAssertThrowsError(try StepPlan(encoded: flags))
        var noise = good
        noise[8] = 0.5
        XCTAssertThrowsError(try StepPlan(encoded: noise)) { XCTAssertTrue("\($0)".contains("Gumbel")) }
        var freeze = good
        freeze[9] = 2
        XCTAssertThrowsError(try StepPlan(encoded: freeze)) { XCTAssertTrue("\($0)".contains("freeze")) }
        for bad in [-0.5, Double.nan] {
            var price = good
            price[10] = bad
            XCTAssertThrowsError(try StepPlan(encoded: price)) { XCTAssertTrue("\($0)".contains("keep price")) }
        }
    }
}
