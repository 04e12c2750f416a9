import XCTest
@testable import Training

/// `--set key.path=value` overrides: applied to the YAML tree, checked like the file.
final class ConfigOverrideTests: XCTestCase {
    private let file = "task: sst2\nepochs: 3\nskim:\n  lambda: 0.5\n"

    private func parse(_ yaml: String?, _ overrides: [String]) throws -> TrainConfig {
        try TrainConfig.parse(yaml: yaml, fileName: "run.yaml", overrides: overrides)
    }

    private func overrideError(_ yaml: String?, _ overrides: [String],
                               file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try parse(yaml, overrides)
            XCTFail("expected a configuration error", file: file, line: line)
        } catch {
            XCTAssertTrue(error is ConfigError, "\(error)", file: file, line: line)
            return error as? ConfigError
        }
        return nil
    }

    func testOverridesReplaceFileValues() throws {
        let config = try parse(file, ["skim.lambda=0.3", "epochs=1"])
        XCTAssertEqual(config.skim.lambda, 0.3)
        XCTAssertEqual(config.epochs, 1)
    }

    func testOverridesAddKeysAndSections() throws {
        let config = try parse("task: sst2\n", ["skim.tau=2", "max_grad_norm=1.0", "skim.skim_layers=[1, 3]"])
        XCTAssertEqual(config.skim.tau, 2)
        XCTAssertEqual(config.maxGradNorm, 1.0)
        XCTAssertEqual(config.skim.skimLayers, [1, 3])
    }

    func testOverridesWithoutFile() throws {
        let config = try parse(nil, ["task=cola", "method=transkimmer", "resume=never"])
        XCTAssertEqual(config.task, .cola)
        XCTAssertEqual(config.outputDir, "Checkpoints/cola-transkimmer")
        XCTAssertEqual(config.resume, .never)
    }

    func testLaterOverrideWinsAndNullClearsOptional() throws {
        let config = try parse("task: sst2\nmax_steps: 10\n", ["epochs=4", "epochs=6", "max_steps=null"])
        XCTAssertEqual(config.epochs, 6)
        XCTAssertNil(config.maxSteps)
        XCTAssertNil(try parse("task: sst2\nmax_steps: 10\n", ["max_steps="]).maxSteps)
    }

    func testUnknownOverrideKeyIsNamed() {
        let top = overrideError(file, ["epoch=1"])
        XCTAssertEqual(top?.kind, .unknownKey)
        XCTAssertEqual(top?.key, "epoch")
        XCTAssertEqual(top?.location, "--set epoch=1")
        XCTAssertTrue(top?.message.contains("did you mean 'epochs'?") ?? false)

        let nested = overrideError(file, ["skim.lambdaa=0.3"])
        XCTAssertEqual(nested?.key, "skim.lambdaa")
        XCTAssertEqual(nested?.location, "--set skim.lambdaa=0.3")

        XCTAssertEqual(overrideError(file, ["epochs.x=1"])?.key, "epochs.x")
    }

    func testOverrideTypeIsCheckedLikeTheFile() {
        let error = overrideError(file, ["skim.lambda=high"])
        XCTAssertEqual(error?.kind, .wrongType)
        XCTAssertEqual(error?.key, "skim.lambda")
        XCTAssertEqual(error?.location, "--set skim.lambda=high")
        XCTAssertEqual(error?.message, "'skim.lambda' must be a number, found 'high'")
    }

    func testOverrideRangeErrorNamesTheArgument() {
        let error = overrideError(file, ["skim.tau=0"])
        XCTAssertEqual(error?.kind, .invalidValue)
        XCTAssertEqual(error?.location, "--set skim.tau=0")
    }

    func testMalformedOverrides() {
        XCTAssertEqual(overrideError(file, ["epochs"])?.kind, .malformedOverride)
        XCTAssertEqual(overrideError(file, ["skim..tau=1"])?.kind, .malformedOverride)
        XCTAssertEqual(overrideError(file, ["skim=1"])?.kind, .malformedOverride)
        XCTAssertEqual(overrideError(file, ["epochs=[1"])?.kind, .malformedOverride)
    }
}
