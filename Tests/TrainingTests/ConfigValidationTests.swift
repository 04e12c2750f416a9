import XCTest
@testable import Training

/// Range and cross-field rules, each reported with the key and its line.
final class ConfigValidationTests: XCTestCase {
    private func issue(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try TrainConfig.parse(yaml: "task: sst2\n" + body, fileName: "v.yaml", overrides: [])
            XCTFail("expected \(body) to be rejected", file: file, line: line)
        } catch {
            XCTAssertEqual((error as? ConfigError)?.kind, .invalidValue, "\(error)", file: file, line: line)
            return error as? ConfigError
        }
        return nil
    }

    func testRangesNameTheKeyAndLine() {
        let error = issue("learning_rate: 0\n")
        XCTAssertEqual(error?.key, "learning_rate")
        XCTAssertEqual(error?.location, "v.yaml:2:16")
        XCTAssertEqual(error?.message, "'learning_rate' must be > 0, found 0.0")
        XCTAssertEqual(issue("warmup_ratio: 1\n")?.key, "warmup_ratio")
        XCTAssertEqual(issue("warmup_ratio: -0.1\n")?.key, "warmup_ratio")
        XCTAssertEqual(issue("batch_size: 0\n")?.key, "batch_size")
        XCTAssertEqual(issue("batch_size: 30\ngrad_accumulation: 4\n")?.key, "batch_size")
        XCTAssertEqual(issue("adam_beta2: 1\n")?.key, "adam_beta2")
        XCTAssertEqual(issue("keep_last: 0\n")?.key, "keep_last")
        XCTAssertEqual(issue("max_grad_norm: -1\n")?.key, "max_grad_norm")
        XCTAssertEqual(issue("learning_rate: .inf\n")?.key, "learning_rate")
        XCTAssertEqual(issue("watchdog_warn_seconds: 700\n")?.key, "watchdog_warn_seconds")
    }

    func testSkimRanges() {
        XCTAssertEqual(issue("skim:\n  tau: 0\n")?.key, "skim.tau")
        XCTAssertEqual(issue("skim:\n  target_keep: 0\n")?.key, "skim.target_keep")
        XCTAssertEqual(issue("skim:\n  target_keep: 1.5\n")?.key, "skim.target_keep")
        XCTAssertEqual(issue("skim:\n  tau_min: 0.5\n")?.key, "skim.tau_min")
        XCTAssertEqual(issue("skim:\n  tau_anneal_steps: 10\n")?.key, "skim.tau_anneal_steps")
        XCTAssertEqual(issue("skim:\n  tau_min: 2\n  tau_anneal_steps: 10\n")?.key, "skim.tau_min")
        XCTAssertEqual(issue("skim:\n  target_steps: 10\n")?.key, "skim.target_steps")
        XCTAssertEqual(issue("skim:\n  block_size: 30\n")?.key, "skim.block_size")
        XCTAssertEqual(issue("skim:\n  skim_layers: [1, 1]\n")?.key, "skim.skim_layers")
        XCTAssertEqual(issue("skim:\n  threshold: 2\n")?.key, "skim.threshold")
        XCTAssertEqual(issue("skim:\n  gumbel_noise_steps: -1\n")?.key, "skim.gumbel_noise_steps")
        XCTAssertEqual(issue("skim:\n  predictor_freeze_step: -1\n")?.key, "skim.predictor_freeze_step")
        XCTAssertEqual(issue("skim:\n  inference_keep_bias: .inf\n")?.key, "skim.inference_keep_bias")
        XCTAssertEqual(issue("skim:\n  target_keep: 0.5\n  keep_price_rate: 0\n")?.key, "skim.keep_price_rate")
        XCTAssertEqual(issue("method: transkimmer\nskim:\n  dense_pass_weight: 0\n")?.key, "skim.dense_pass_weight")
        XCTAssertEqual(issue("method: transkimmer\nskim:\n  dense_pass_weight: -1\n")?.key, "skim.dense_pass_weight")
        let densePassAlone = issue("method: dense\nskim:\n  dense_pass_weight: 1\n")
        XCTAssertTrue(densePassAlone?.message.contains("needs 'method' transkimmer") ?? false, "\(String(describing: densePassAlone))")
        XCTAssertEqual(issue("method: transkimmer\nskim:\n  predictor_width: 0\n")?.key, "skim.predictor_width")
        let widthAlone = issue("method: dense\nskim:\n  predictor_width: 64\n")
        XCTAssertEqual(widthAlone?.key, "skim.predictor_width")
        XCTAssertTrue(widthAlone?.message.contains("needs 'method' transkimmer") ?? false, "\(String(describing: widthAlone))")
        let untargeted = issue("skim:\n  keep_price_rate: 0.05\n")
        XCTAssertEqual(untargeted?.key, "skim.keep_price_rate")
        XCTAssertTrue(untargeted?.message.contains("needs 'skim.target_keep'") ?? false, "\(String(describing: untargeted))")
        XCTAssertNoThrow(try TrainConfig.parse(yaml: "task: sst2\nskim:\n  inference_keep_bias: -0.25\n", fileName: "v.yaml",
                                               overrides: []), "any finite bias")
    }

    func testDistillationRanges() {
        XCTAssertEqual(issue("distill_alpha: 1.5\n")?.key, "distill_alpha")
        XCTAssertEqual(issue("distill_temperature: 0\n")?.key, "distill_temperature")
        XCTAssertEqual(issue("distill_teacher: ''\n")?.key, "distill_teacher")
        XCTAssertEqual(issue("distill_hidden_weight: 1\n")?.key, "distill_hidden_weight", "needs a teacher")
        XCTAssertEqual(issue("distill_teacher: T\ndistill_hidden_weight: -1\n")?.key, "distill_hidden_weight")
        do {
            _ = try TrainConfig.parse(yaml: "task: stsb\ndistill_teacher: T\n", fileName: "v.yaml", overrides: [])
            XCTFail("a regression task cannot distil class logits")
        } catch {
            XCTAssertEqual((error as? ConfigError)?.key, "distill_teacher", "\(error)")
        }
    }

    func testBlockSkimNeedsSquadAndWholeBlocks() {
        XCTAssertEqual(issue("method: blockskim\n")?.key, "method")
        XCTAssertNoThrow(try TrainConfig.parse(yaml: "task: squad\nmethod: blockskim\nmax_length: 384\n",
                                               fileName: nil, overrides: []))
        XCTAssertThrowsError(try TrainConfig.parse(yaml: "task: squad\nmethod: blockskim\nmax_length: 100\n",
                                                   fileName: nil, overrides: [])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "max_length")
        }
    }

    func testValidRangesPass() throws {
        let config = try TrainConfig.parse(yaml: """
            task: stsb
            warmup_ratio: 0
            skim:
              target_keep: 1
              target_steps: 0
              tau_min: 0.1
              tau_anneal_steps: 100
            """, fileName: nil, overrides: [])
        XCTAssertNoThrow(try config.validate())
    }

    func testMicroBatchNeedsDivisibleBatch() throws {
        var config = TrainConfig(task: .sst2)
        config.gradAccumulation = 2
        XCTAssertEqual(try config.microBatchSize(worldSize: 2), 8)
        XCTAssertThrowsError(try config.microBatchSize(worldSize: 3)) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "batch_size")
            XCTAssertTrue("\($0)".contains("3 ranks"))
        }
    }
}
