import BERT
import Foundation
import SafeTensors
import SkimTestSupport
import Training
import XCTest

/// `skim train` end to end on the tiny fixture BERT (`Configs/ci-tiny.yaml`: 12 steps, a
/// checkpoint every 4, dropout on), alone and under `mpirun -np 2`: exact resume after SIGKILL,
/// a crash while writing a checkpoint, a corrupted checkpoint, 1 rank vs 2 ranks, and bad input
/// stopping every rank.
final class TrainRunTests: TinyRunTestCase {
    /// The log without its timing fields.
    func deterministicLog(_ name: String) throws -> [[String: JSONValue]] {
        try JSONLinesLog.deterministicRecords(at: directory(name).appendingPathComponent(Trainer.logFileName))
    }

    func finalModel(_ name: String) throws -> Data {
        try Data(contentsOf: directory(name).appendingPathComponent("step-00000012/model.safetensors"))
    }

    func assertIdenticalRuns(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let logA = try deterministicLog(a), logB = try deterministicLog(b)
        XCTAssertEqual(logA.count, 15, "12 train and 3 eval records", file: file, line: line)
        XCTAssertEqual(logA, logB, "logged losses and metrics must be bitwise identical", file: file, line: line)
        XCTAssertEqual(try finalModel(a), try finalModel(b), "final parameters must be bitwise identical", file: file, line: line)
    }

    func checkExactResume(ranks: Int?, killAfter step: Int, killRank: Int?, _ settings: [String] = []) throws {
        _ = try train("straight", ranks: ranks, settings)
        var kill = ["--test-kill-after-step", "\(step)"]
        if let killRank { kill += ["--test-kill-rank", "\(killRank)"] }
        let killed = try train("resumed", ranks: ranks, settings + kill, expectSuccess: false)
        XCTAssertNotEqual(killed.status, 0, "the run must have been killed: \(killed.summary)")
        let resumed = try train("resumed", ranks: ranks, settings)
        XCTAssertTrue(resumed.output.contains("resumed exactly from"), resumed.summary)
        try assertIdenticalRuns("straight", "resumed")
    }

    func testKilledRunResumesBitwiseOnOneProcess() throws {
        try checkExactResume(ranks: nil, killAfter: 6, killRank: nil)
    }

    func testKilledRankResumesBitwiseOnTwoRanks() throws {
        try checkExactResume(ranks: 2, killAfter: 7, killRank: 1)
    }

    /// Gumbel noise comes from each rank's generator and λ, τ, the target and the predictor freeze
    /// from the step: a resumed Transkimmer run draws the same noise and schedule values.
    func testKilledTranskimmerRunResumesBitwiseOnTwoRanks() throws {
        try checkExactResume(ranks: 2, killAfter: 5, killRank: 0,
                             ["--set", "method=transkimmer", "--set", "skim.target_keep=0.5", "--set", "skim.target_steps=8",
                              "--set", "skim.tau_min=0.5", "--set", "skim.tau_anneal_steps=12",
                              "--set", "skim.gumbel_noise_steps=8", "--set", "skim.predictor_freeze_step=7"])
        let records = try deterministicLog("resumed").filter { $0["event"] == .string("train") }
        XCTAssertEqual(records.last?["target_keep"], .number(0.5), "the target schedule is logged")
        XCTAssertNotNil(records.first?["kept"], "kept fractions are logged")
        XCTAssertEqual(records.map { $0["gumbel_noise"] }, (1...12).map { .bool($0 <= 8) },
                       "noisy decisions for the first 8 steps, deterministic after")
        XCTAssertEqual(records.map { $0["predictors_frozen"] }, (1...12).map { .bool($0 > 7) },
                       "predictors trained in the first 7 steps, frozen after")
    }

    /// The keep price is the coordinator's state, not a function of the step: it is saved with the
    /// checkpoint and restored on resume, so a killed run with `skim.keep_price_rate` resumes bitwise.
    func testKilledRunWithAKeepPriceResumesBitwiseOnTwoRanks() throws {
        try checkExactResume(ranks: 2, killAfter: 6, killRank: 1,
                             ["--set", "method=transkimmer", "--set", "skim.lambda=0", "--set", "skim.target_keep=0.3",
                              "--set", "skim.keep_price_rate=2", "--set", "skim.predictor_lr_scale=20"])
        let prices = try deterministicLog("resumed").filter { $0["event"] == .string("train") }.map { $0["keep_price"] }
        XCTAssertEqual(prices.first, .number(0), "the price starts at 0")
        guard prices.count == 12, case .number(let second) = prices[1] else { return XCTFail("prices: \(prices)") }
        XCTAssertGreaterThan(second, 0, "every token is kept at first, above the target 0.3, so the price rises")
        let state = try Data(contentsOf: directory("resumed").appendingPathComponent("step-00000012/trainer_state.json"))
        XCTAssertNotNil(try TrainerState(jsonData: state).keepPrice, "the checkpoint holds the next step's price")
    }

    /// `skim.dense_pass_weight`: the dense companion pass draws its dropout from the rank's
    /// generator like the skim pass, so a killed run with it resumes bitwise; its loss is logged.
    func testKilledRunWithADensePassResumesBitwiseOnTwoRanks() throws {
        try checkExactResume(ranks: 2, killAfter: 6, killRank: 1,
                             ["--set", "method=transkimmer", "--set", "skim.target_keep=0.5",
                              "--set", "skim.predictor_lr_scale=20", "--set", "skim.dense_pass_weight=0.5"])
        let records = try deterministicLog("resumed").filter { $0["event"] == .string("train") }
        XCTAssertEqual(records.count, 12)
        for record in records {
            guard case .number(let dense) = record["dense_pass_loss"], case .number(let total) = record["loss"] else {
                return XCTFail("no dense-pass loss in \(record)")
            }
            XCTAssertGreaterThan(dense, 0)
            XCTAssertGreaterThan(total, 0.5 * dense, "the weighted dense loss is part of the step's loss")
        }
    }

    /// `skim.predictor_freeze_step`: from that step on the checkpointed predictor tensors no longer
    /// change while every other tensor still trains.
    func testFrozenPredictorsStopChangingWhileTheEncoderTrains() throws {
        _ = try train("frozen", ranks: nil, ["--set", "method=transkimmer", "--set", "skim.target_keep=0.5",
                                             "--set", "skim.predictor_lr_scale=20", "--set", "skim.predictor_freeze_step=8",
                                             "--set", "keep_last=3"])
        func tensors(_ step: Int) throws -> [String: [Float]] {
            let file = try SafeTensorsFile(contentsOf: directory("frozen")
                .appendingPathComponent(String(format: "step-%08d/model.safetensors", step)))
            return try Dictionary(uniqueKeysWithValues: file.names.map { ($0, try file.floats($0)) })
        }
        let (early, atFreeze, final) = (try tensors(4), try tensors(8), try tensors(12))
        let predictors = atFreeze.keys.filter(TranskimmerNames.isPredictorTensor)
        XCTAssertEqual(predictors.count, 16)
        for name in predictors {
            XCTAssertEqual(atFreeze[name], final[name], "\(name) changed after the freeze")
        }
        XCTAssertTrue(predictors.contains { early[$0] != atFreeze[$0] }, "the predictors train before the freeze")
        for name in atFreeze.keys where !TranskimmerNames.isPredictorTensor(name) && name.hasSuffix(".weight") {
            XCTAssertNotEqual(atFreeze[name], final[name], "\(name) must keep training")
        }
    }

    /// Buckets posted as non-blocking allreduces during backward give the same sums as blocking
    /// allreduces after it (a + b is exact in either order for two ranks): the same run, bitwise.
    func testOverlappedGradientSyncEqualsBlockingOnTwoRanks() throws {
        _ = try train("straight", ranks: 2)
        _ = try train("overlapped", ranks: 2, ["--set", "overlap_allreduce=true"])
        try assertIdenticalRuns("straight", "overlapped")
    }

    func testRunKilledWhileSavingResumesFromThePreviousCheckpoint() throws {
        _ = try train("straight", ranks: 2)
        let killed = try train("resumed", ranks: 2, ["--test-kill-during-save", "8", "--test-kill-rank", "0"],
                               expectSuccess: false)
        XCTAssertNotEqual(killed.status, 0, killed.summary)
        let resumed = try train("resumed", ranks: 2)
        XCTAssertTrue(resumed.output.contains("resumed exactly from"), resumed.summary)
        XCTAssertTrue(resumed.output.contains("step-00000004 at step 4"), "the torn step-8 draft must not be used: \(resumed.summary)")
        try assertIdenticalRuns("straight", "resumed")
    }

    func testCorruptedAndTruncatedCheckpointsAreSkipped() throws {
        _ = try train("straight", ranks: nil, ["--set", "keep_last=5"])
        _ = try train("damaged", ranks: nil, ["--set", "keep_last=5"])
        // Flip one byte of the newest checkpoint's model and truncate the one before.
        let newest = directory("damaged").appendingPathComponent("step-00000012/model.safetensors")
        var bytes = try Data(contentsOf: newest)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: newest)
        let previous = directory("damaged").appendingPathComponent("step-00000008/optimizer.safetensors")
        let handle = try FileHandle(forWritingTo: previous)
        try handle.truncate(atOffset: 100)
        try handle.close()
        let resumed = try train("damaged", ranks: nil, ["--set", "keep_last=5"])
        XCTAssertTrue(resumed.output.contains("skipping checkpoint step-00000012"), resumed.summary)
        XCTAssertTrue(resumed.output.contains("skipping checkpoint step-00000008"), resumed.summary)
        XCTAssertTrue(resumed.output.contains("from \(directory("damaged").path)/step-00000004 at step 4"), resumed.summary)
        try assertIdenticalRuns("straight", "damaged")
    }

    /// A checkpoint is a Hugging Face model folder: config.json describes the fine-tuned head,
    /// the tokenizer files are there, everything is in the manifest, and a new run can start from
    /// it with nothing initialised afresh.
    func testCheckpointIsAHuggingFaceModelFolder() throws {
        _ = try train("first", ranks: nil, ["--set", "max_steps=4", "--set", "save_every=0"])
        let checkpoint = directory("first").appendingPathComponent("step-00000004")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: checkpoint.appendingPathComponent("config.json")))
        let config = try XCTUnwrap(json as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["BertForSequenceClassification"])
        XCTAssertEqual(config["id2label"] as? [String: String], ["0": "0", "1": "1"])
        XCTAssertEqual(config["problem_type"] as? String, "single_label_classification")
        XCTAssertEqual(config["hidden_dropout_prob"] as? Double, 0.1)
        XCTAssertEqual(config["hidden_size"] as? Int, 32, "the base model's keys are kept")
        XCTAssertEqual(try Data(contentsOf: checkpoint.appendingPathComponent("vocab.txt")),
                       try Data(contentsOf: SkimJob.packageRoot.appendingPathComponent("Configs/ci-tiny-vocab.txt")))
        let manifest = try String(contentsOf: checkpoint.appendingPathComponent("manifest.json"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("config.json") && manifest.contains("vocab.txt"), manifest)
        let next = try train("second", ranks: nil, ["--set", "model=\(checkpoint.path)", "--set", "vocab=\(checkpoint.path)/vocab.txt",
                                                    "--set", "max_steps=1", "--set", "save_every=0"])
        XCTAssertTrue(next.output.contains("initialised: none"), next.summary)
    }

    /// `skim.skim_layers` and `skim.predictor_width`: predictors only on the chosen layers, 8 wide,
    /// both recorded in the checkpoint's config.json; the final evaluation (a model rebuilt from
    /// the checkpoint) runs layer 0 on every token; an index past the model's layers stops the
    /// run naming the key.
    func testTranskimmerPredictorsOnChosenLayersOnly() throws {
        let settings = ["--set", "method=transkimmer", "--set", "skim.skim_layers=[1]", "--set", "skim.target_keep=0.3",
                        "--set", "skim.predictor_lr_scale=50", "--set", "save_every=0", "--set", "skim.predictor_width=8"]
        let run = try train("layer-1", ranks: nil, settings)
        let checkpoint = directory("layer-1").appendingPathComponent("step-00000012")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: checkpoint.appendingPathComponent("config.json")))
        XCTAssertEqual((json as? [String: Any])?["skim_layers"] as? [Int], [1])
        XCTAssertEqual((json as? [String: Any])?["skim_predictor_width"] as? Int, 8)
        let file = try SafeTensorsFile(contentsOf: checkpoint.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(Set(file.names.filter { $0.contains("skim_predictor.4.bias") }), ["bert.encoder.layer.1.skim_predictor.4.bias"])
        XCTAssertEqual(file.info("bert.encoder.layer.1.skim_predictor.1.weight")?.shape, [8, 32])
        XCTAssertTrue(run.output.contains("kept fraction per layer: 1.000 "), run.summary)

        let bad = try train("layer-2", ranks: nil, settings + ["--set", "skim.skim_layers=[2]"], expectSuccess: false)
        XCTAssertNotEqual(bad.status, 0, bad.summary)
        XCTAssertTrue(bad.output.contains("'skim.skim_layers' lists layer 2"), bad.summary)
    }

    /// Distillation from a fine-tuned teacher: with α = 0 the run is bitwise the plain one (the
    /// teacher's logits enter only through the soft term); with α = 0.5 on 2 ranks the teacher
    /// changes every logged loss, and matching the teacher's [CLS] states (`distill_hidden_weight`)
    /// changes them again.
    func testDistillationFromAFineTunedTeacher() throws {
        _ = try train("plain", ranks: nil, ["--set", "save_every=0"])
        let teacher = directory("plain").appendingPathComponent("step-00000012").path
        _ = try train("alpha-0", ranks: nil, ["--set", "save_every=0", "--set", "distill_teacher=\(teacher)",
                                              "--set", "distill_alpha=0"])
        try assertIdenticalRuns("plain", "alpha-0")
        _ = try train("distilled", ranks: 2, ["--set", "save_every=0", "--set", "distill_teacher=\(teacher)",
                                              "--set", "distill_alpha=0.5", "--set", "distill_temperature=2"])
        let plain = try deterministicLog("plain").filter { $0["event"] == .string("train") }
        let distilled = try deterministicLog("distilled").filter { $0["event"] == .string("train") }
        XCTAssertEqual(distilled.count, plain.count)
        for (a, b) in zip(plain, distilled) { XCTAssertNotEqual(a["loss"], b["loss"], "step \(a["step"]!)") }
        _ = try train("hidden", ranks: 2, ["--set", "save_every=0", "--set", "distill_teacher=\(teacher)",
                                           "--set", "distill_alpha=0.5", "--set", "distill_temperature=2",
                                           "--set", "distill_hidden_weight=1"])
        let hidden = try deterministicLog("hidden").filter { $0["event"] == .string("train") }
        XCTAssertEqual(hidden.count, plain.count)
        for (a, b) in zip(distilled, hidden) { XCTAssertNotEqual(a["loss"], b["loss"], "step \(a["step"]!)") }
        guard case .number(let first)? = distilled.first?["loss"], case .number(let firstHidden)? = hidden.first?["loss"] else {
            return XCTFail("no first loss")
        }
        XCTAssertGreaterThan(firstHidden, first, "same weights at step 1: the [CLS] term only adds to the loss")

        let missing = try train("no-teacher", ranks: nil, ["--set", "distill_teacher=\(scratch.path)/absent"],
                                expectSuccess: false)
        XCTAssertNotEqual(missing.status, 0, missing.summary)
        XCTAssertTrue(missing.output.contains("absent/config.json"), missing.summary)
    }

    /// `skim eval` with `skim.inference_noise`: Gumbel noise in the decisions changes what is
    /// kept, and the same command gives the same report twice (the noise generator is seeded).
    func testEvaluationWithInferenceNoise() throws {
        _ = try train("skim", ranks: nil, ["--set", "method=transkimmer", "--set", "skim.target_keep=0.3",
                                           "--set", "skim.predictor_lr_scale=50", "--set", "save_every=0"])
        let checkpoint = directory("skim").appendingPathComponent("step-00000012").path
        func keptLine(_ extra: [String]) throws -> String {
            let result = try SkimJob.run(ranks: nil, ["eval", "--checkpoint", checkpoint] + extra, timeout: 120)
            XCTAssertEqual(result.status, 0, result.summary)
            return try XCTUnwrap(result.output.split(separator: "\n").first { $0.hasPrefix("kept fraction per layer") }
                .map(String.init), result.summary)
        }
        let deterministic = try keptLine([])
        let noisy = try keptLine(["--set", "skim.inference_noise=true"])
        XCTAssertNotEqual(noisy, deterministic)
        XCTAssertEqual(try keptLine(["--set", "skim.inference_noise=true"]), noisy)
    }

    /// Without dropout, 1 rank with batch 8 and 2 ranks with batch 4 each take the same steps.
    func testTwoRanksMatchOneRankWithTheSameGlobalBatch() throws {
        let settings = ["--set", "dropout=0", "--set", "max_steps=20", "--set", "save_every=0", "--set", "eval_every=10"]
        _ = try train("one", ranks: nil, settings)
        _ = try train("two", ranks: 2, settings)
        let one = try deterministicLog("one").filter { $0["event"] == .string("train") }
        let two = try deterministicLog("two").filter { $0["event"] == .string("train") }
        XCTAssertEqual(one.count, 20)
        XCTAssertEqual(two.count, 20)
        for (a, b) in zip(one, two) {
            let lossA = try XCTUnwrap(a["loss"]?.number), lossB = try XCTUnwrap(b["loss"]?.number)
            XCTAssertEqual(lossA, lossB, accuracy: 1e-5 * max(1, abs(lossA)), "step \(a["step"]!)")
        }
        let a = try SafeTensorsFile(contentsOf: directory("one").appendingPathComponent("step-00000020/model.safetensors"))
        let b = try SafeTensorsFile(contentsOf: directory("two").appendingPathComponent("step-00000020/model.safetensors"))
        let initial = try SafeTensorsFile(contentsOf: SkimJob.packageRoot.appendingPathComponent("Tests/Fixtures/bert/tiny-bert/model.safetensors"))
        XCTAssertEqual(a.names.sorted(), b.names.sorted())
        var squaredDifference = 0.0, squaredMovement = 0.0
        // The attention key bias adds the same q·b to every score of a query, which softmax
        // ignores: its true gradient is 0 and its computed one pure rounding noise, which AdamW
        // normalises into steps of ±lr in whatever direction the noise points.
        for name in a.names where initial.contains(name) && !name.hasSuffix("attention.self.key.bias") {
            let x = try a.floats(name), y = try b.floats(name), x0 = try initial.floats(name)
            for i in x.indices {
                squaredDifference += Double(x[i] - y[i]) * Double(x[i] - y[i])
                squaredMovement += Double(x[i] - x0[i]) * Double(x[i] - x0[i])
            }
        }
        // Summation order is the only difference; the RMS difference must be a small fraction of
        // how far training moved the parameters.
        let relative = (squaredDifference / squaredMovement).squareRoot()
        XCTAssertGreaterThan(squaredMovement, 0)
        XCTAssertLessThan(relative, 1e-4, "RMS(one − two) / RMS(one − initial) after 20 steps")
        print("1 rank vs 2 ranks after 20 steps: relative RMS parameter difference \(relative)")
    }

    func testUnknownConfigKeyStopsEveryRank() throws {
        let result = try train("bad-key", ranks: 2, ["--set", "learning_rat=1e-3"], expectSuccess: false)
        XCTAssertNotEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.output.contains("learning_rat"), result.summary)
    }

    func testMissingDataStopsEveryRank() throws {
        let result = try train("no-data", ranks: 2, ["--set", "data_dir=\(scratch.path)/nowhere"], expectSuccess: false)
        XCTAssertNotEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.output.contains("nowhere/glue_data/SST-2/train.tsv"), result.summary)
    }

    func testRankWithADifferentConfigStopsTheJob() throws {
        let common = ["train", "-c", "Configs/ci-tiny.yaml", "--set", "output_dir=\(directory("mismatch").path)",
                      "--set", "watchdog_warn_seconds=5", "--set", "watchdog_limit_seconds=30"]
        let result = try SkimJob.run(perRank: [common, common + ["--set", "learning_rate=2e-3"]], timeout: 120)
        XCTAssertFalse(result.timedOut, result.summary)
        XCTAssertNotEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.output.contains("config"), result.summary)
        XCTAssertTrue(result.output.contains("differs"), result.summary)
    }
}
