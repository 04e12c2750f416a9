import BERT
import XCTest
@testable import Training

/// The coordinator's price per kept token (`skim.keep_price_rate`).
final class KeepPriceControllerTests: XCTestCase {
    /// A global batch of 32 examples of the mean length 10: N_ref = 320 real tokens.
    func controller(rate: Double = 0.5) -> KeepPriceController {
        KeepPriceController(rate: rate, meanExampleTokens: 10)
    }

    func testPriceRisesWithASurplusAndNeverFallsBelowZero() {
        var c = controller()
        XCTAssertEqual(c.price, 0)
        // Kept 0.75 of 320 tokens on average over the layers against a target of 0.5: surplus 80/320.
        c.update(keptTokens: [320, 240, 160], realTokens: 320, examples: 32, target: 0.5)
        XCTAssertEqual(c.price, 0.5 * 0.25, accuracy: 1e-15)
        // A deficit of 0.5 over the reference lowers it, but not below 0.
        c.update(keptTokens: [0, 0, 0], realTokens: 320, examples: 32, target: 0.5)
        XCTAssertEqual(c.price, 0)
        c.update(keptTokens: [200], realTokens: 320, examples: 32, target: 0.5)
        XCTAssertEqual(c.price, 0.5 * 40 / 320, accuracy: 1e-15)
    }

    /// The surplus is counted in tokens, relative to a batch of average length: a batch of short
    /// phrases far above the target moves the price less than a batch of long sentences as far above.
    func testSurplusIsWeightedByTheBatchsTokens() {
        var short = controller(), long = controller()
        short.update(keptTokens: [96], realTokens: 128, examples: 32, target: 0.5)   // 4 tokens each, 0.75 kept
        long.update(keptTokens: [480], realTokens: 640, examples: 32, target: 0.5)   // 20 tokens each, 0.75 kept
        XCTAssertEqual(short.price * 5, long.price, accuracy: 1e-15)
    }

    /// The price term charges every kept token the same, whatever its batch's length: the loss's
    /// gradient per kept token and layer is μ/(L·N_ref), where λ·(L_skim − r)² divides by the batch.
    func testPriceTermChargesEveryKeptTokenTheSame() {
        let price = KeepPrice(price: 0.8, referenceTokens: 320)
        let settings = SkimSettings(lambda: 0, tau: 1, targetKeep: 0.5, keepPrice: price)
        for realTokens in [40, 320, 2000] {
            let perToken = settings.penaltySlope(skimLoss: 0.6, realTokens: realTokens) / (6 * Double(realTokens))
            XCTAssertEqual(perToken, 0.8 / (6 * 320), accuracy: 1e-15)
            XCTAssertEqual(settings.penalty(skimLoss: 0.6, realTokens: realTokens), 0.8 * 0.6 * Double(realTokens) / 320,
                           accuracy: 1e-12)
        }
        let both = SkimSettings(lambda: 2, tau: 1, targetKeep: 0.5, keepPrice: price)
        XCTAssertEqual(both.penalty(skimLoss: 0.6, realTokens: 320), 2 * 0.01 + 0.8 * 0.6, accuracy: 1e-12)
        XCTAssertEqual(both.penaltySlope(skimLoss: 0.6, realTokens: 320), 2 * 2 * 0.1 + 0.8, accuracy: 1e-12)
    }
}
