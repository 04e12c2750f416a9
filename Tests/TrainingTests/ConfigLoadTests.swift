import XCTest
@testable import Training

/// Strict decoding of configuration files: defaults, unknown keys, wrong types, missing keys.
final class ConfigLoadTests: XCTestCase {
    private func parse(_ yaml: String?, _ overrides: [String] = []) throws -> TrainConfig {
        try TrainConfig.parse(yaml: yaml, fileName: "test.yaml", overrides: overrides)
    }

    private func configError(_ yaml: String?, _ overrides: [String] = [],
                             file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try parse(yaml, overrides)
            XCTFail("expected a configuration error", file: file, line: line)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func testMinimalFileGetsEveryDefault() throws {
        let config = try parse("task: sst2\n")
        var expected = TrainConfig(task: .sst2)
        XCTAssertEqual(config, expected)
        XCTAssertEqual(config.outputDir, "Checkpoints/sst2-dense")
        XCTAssertEqual(config.model, "Models/all-MiniLM-L6-v2")
        XCTAssertEqual(config.learningRate, 5e-5)
        XCTAssertEqual(config.warmupRatio, 0.06)
        XCTAssertEqual(config.batchSize, 32)
        XCTAssertEqual(config.epochs, 2)
        XCTAssertNil(config.maxSteps)
        XCTAssertEqual(config.resume, .auto)
        XCTAssertEqual(config.skim.lambda, 0.5)
        XCTAssertEqual(config.skim.blockSize, 32)
        expected.skim.tau = 2
        XCTAssertNotEqual(config, expected)
    }

    func testFullFileDecodesEveryKind() throws {
        let config = try parse("""
            task: mrpc
            method: transkimmer
            learning_rate: 2e-5
            epochs: 5
            max_steps: 100
            max_grad_norm: 1
            eval_every: null
            resume: Checkpoints/x/step-00000040
            keep_best: false
            skim:
              lambda: 0.25
              tau_min: 0.5
              tau_anneal_steps: 1000
              skim_layers: [0, 2, 4]
              inference_noise: yes
              inference_keep_bias: 0.125
              detach_predictor_input: true
              target_keep: 0.4
              keep_price_rate: 0.05
              dense_pass_weight: 0.5
              predictor_width: 64
            """)
        XCTAssertEqual(config.task, .mrpc)
        XCTAssertEqual(config.method, .transkimmer)
        XCTAssertEqual(config.outputDir, "Checkpoints/mrpc-transkimmer")
        XCTAssertEqual(config.learningRate, 2e-5)
        XCTAssertEqual(config.maxSteps, 100)
        XCTAssertEqual(config.maxGradNorm, 1.0)
        XCTAssertNil(config.evalEvery)
        XCTAssertEqual(config.resume, .path("Checkpoints/x/step-00000040"))
        XCTAssertFalse(config.keepBest)
        XCTAssertEqual(config.skim.lambda, 0.25)
        XCTAssertEqual(config.skim.tauMin, 0.5)
        XCTAssertEqual(config.skim.skimLayers, [0, 2, 4])
        XCTAssertTrue(config.skim.inferenceNoise)
        XCTAssertEqual(config.skim.inferenceKeepBias, 0.125)
        XCTAssertTrue(config.skim.detachPredictorInput)
        XCTAssertFalse(SkimConfig().detachPredictorInput, "SPEC's full backward by default")
        XCTAssertEqual(config.skim.keepPriceRate, 0.05)
        XCTAssertNil(SkimConfig().keepPriceRate, "no keep price by default")
        XCTAssertEqual(config.skim.densePassWeight, 0.5)
        XCTAssertNil(SkimConfig().densePassWeight, "no dense companion pass by default")
        XCTAssertEqual(config.skim.predictorWidth, 64)
        XCTAssertNil(SkimConfig().predictorWidth, "predictors as wide as the hidden size by default (SPEC §2)")
        XCTAssertEqual(config.skim.tau, 1.0)
    }

    func testUnknownTopLevelKeyIsNamedWithFileAndLine() {
        let error = configError("task: sst2\nlearning_rat: 1e-4\n")
        XCTAssertEqual(error?.kind, .unknownKey)
        XCTAssertEqual(error?.key, "learning_rat")
        XCTAssertEqual(error?.location, "test.yaml:2:1")
        XCTAssertTrue(error?.description.contains("did you mean 'learning_rate'?") ?? false, "\(String(describing: error))")
    }

    func testUnknownKeyInsideSkimIsNamed() {
        let error = configError("task: sst2\nskim:\n  lambda: 0.3\n  lamda_warmup: 10\n")
        XCTAssertEqual(error?.kind, .unknownKey)
        XCTAssertEqual(error?.key, "skim.lamda_warmup")
        XCTAssertEqual(error?.location, "test.yaml:4:3")
        XCTAssertTrue(error?.message.contains("in 'skim'") ?? false)
    }

    func testWrongTypeNamesKeyAndExpectedType() {
        let error = configError("task: sst2\nbatch_size: many\n")
        XCTAssertEqual(error?.kind, .wrongType)
        XCTAssertEqual(error?.key, "batch_size")
        XCTAssertEqual(error?.location, "test.yaml:2:13")
        XCTAssertEqual(error?.message, "'batch_size' must be an integer, found 'many'")
    }

    func testFloatForIntegerAndQuotedNumberAreRejected() {
        XCTAssertEqual(configError("task: sst2\nepochs: 2.5\n")?.key, "epochs")
        let quoted = configError("task: sst2\nlearning_rate: \"5e-5\"\n")
        XCTAssertEqual(quoted?.key, "learning_rate")
        XCTAssertTrue(quoted?.message.contains("quoted") ?? false)
    }

    func testVocabAndExampleLimits() throws {
        let config = try parse("task: sst2\nmodel: Models/m/\ntrain_limit: 96\neval_limit: 32\n")
        XCTAssertNil(config.vocab)
        XCTAssertEqual(config.vocabularyPath, "Models/m/vocab.txt")
        XCTAssertEqual(config.trainLimit, 96)
        XCTAssertEqual(config.evalLimit, 32)
        XCTAssertEqual(try parse("task: sst2\nvocab: v.txt\n").vocabularyPath, "v.txt")
        XCTAssertEqual(try parse("task: sst2\nvocab: null\n").vocabularyPath, "Models/all-MiniLM-L6-v2/vocab.txt")
        XCTAssertEqual(try parse("task: sst2\n", ["vocab=x/vocab.txt"]).vocab, "x/vocab.txt")
        XCTAssertEqual(configError("task: sst2\nvocab: ''\n")?.key, "vocab")
        XCTAssertEqual(configError("task: sst2\ntrain_limit: 0\n")?.key, "train_limit")
        XCTAssertEqual(configError("task: sst2\neval_limit: 1.5\n")?.key, "eval_limit")
        XCTAssertEqual(configError("task: sst2\nmax_train_examples: 5\n")?.key, "max_train_examples")
    }

    func testNullOnlyWhereAllowed() {
        let error = configError("task: sst2\nlearning_rate: null\n")
        XCTAssertEqual(error?.kind, .wrongType)
        XCTAssertEqual(error?.message, "'learning_rate' must be a number, found null")
        XCTAssertNoThrow(try parse("task: sst2\nmax_grad_norm: ~\n"))
    }

    func testWrongTypeInsideSkimAndInList() {
        XCTAssertEqual(configError("task: sst2\nskim:\n  inference_noise: 3\n")?.key, "skim.inference_noise")
        let list = configError("task: sst2\nskim:\n  skim_layers: [0, one]\n")
        XCTAssertEqual(list?.key, "skim.skim_layers")
        XCTAssertEqual(list?.location, "test.yaml:3:20")
        XCTAssertEqual(configError("task: sst2\nskim: 3\n")?.key, "skim")
    }

    func testEnumValueMustBeKnown() {
        let error = configError("task: sst3\n")
        XCTAssertEqual(error?.key, "task")
        XCTAssertTrue(error?.message.contains("one of sst2, mrpc") ?? false)
        XCTAssertEqual(configError("task: sst2\nmethod: skim\n")?.key, "method")
    }

    func testMissingTaskIsNamed() {
        let error = configError("epochs: 3\n")
        XCTAssertEqual(error?.kind, .missingKey)
        XCTAssertEqual(error?.key, "task")
        XCTAssertEqual(configError("")?.kind, .missingKey)
        XCTAssertEqual(configError(nil)?.kind, .missingKey)
    }

    func testSyntaxErrorAndDuplicateKeyNameTheFile() {
        let syntax = configError("task: [sst2\n")
        XCTAssertEqual(syntax?.kind, .syntax)
        XCTAssertEqual(syntax?.location, "test.yaml")
        XCTAssertEqual(configError("task: sst2\ntask: cola\n")?.kind, .syntax)
        XCTAssertEqual(configError("- task\n")?.kind, .wrongType)
    }

    func testLoadReadsFileAndNamesUnreadableOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("run.yaml")
        try "task: cola\nepochs: 5\n".write(to: file, atomically: true, encoding: .utf8)
        let config = try TrainConfig.load(file: file, overrides: [])
        XCTAssertEqual(config.task, .cola)
        XCTAssertEqual(config.epochs, 5)

        XCTAssertThrowsError(try TrainConfig.load(file: directory.appendingPathComponent("absent.yaml"), overrides: [])) {
            XCTAssertEqual(($0 as? ConfigError)?.kind, .syntax)
            XCTAssertTrue("\($0)".contains("absent.yaml"))
        }
        XCTAssertThrowsError(try TrainConfig.load(file: file, overrides: ["skim.tua=2"])) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "skim.tua")
        }
    }
}
