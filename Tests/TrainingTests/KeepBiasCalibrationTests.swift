import Foundation
import SkimTestSupport
import Training
import XCTest

/// `skim calibrate` on a tiny trained Transkimmer model: the keep bias it returns reaches the
/// target FLOPs speedup, a slightly larger bias it tried does not, and `skim eval` with that bias
/// reproduces the calibrated report. Impossible targets and dense models stop with a message.
final class KeepBiasCalibrationTests: TinyRunTestCase {
    func testCalibratedBiasReachesTheTargetAndEvalReproducesIt() throws {
        let checkpoint = try trainedSkimmingCheckpoint()
        let unbiased = try run(["eval", "--checkpoint", checkpoint])
        let startSpeedup = try speedup(in: unbiased)
        XCTAssertGreaterThan(startSpeedup, 1.2, "the tiny run should skim: \(unbiased)")
        // Between no skimming (< 1×: the predictors cost FLOPs) and bias 0: a positive bias must keep more.
        let target = (1 + startSpeedup) / 2
        let calibrated = try run(["calibrate", "--checkpoint", checkpoint, "--speedup", "\(target)"])
        let record = try XCTUnwrap(try evalLog(checkpoint).last { $0["event"] == .string("keep_bias_calibration") })
        let bias = try number(record["keep_bias"]), reached = try number(record["flops_speedup"])
        XCTAssertGreaterThan(bias, 0, calibrated)
        XCTAssertGreaterThanOrEqual(reached, target, calibrated)
        XCTAssertLessThan(reached, startSpeedup, calibrated)
        guard case .array(let probes)? = record["probes"] else { return XCTFail("no probes in \(record)") }
        let tried = try probes.map { probe -> (bias: Double, speedup: Double) in
            guard case .array(let pair) = probe, pair.count == 2 else { throw SkimJob.Failure("bad probe \(probe)") }
            return (try number(pair[0]), try number(pair[1]))
        }
        XCTAssertTrue(tried.contains { $0.bias > bias && $0.bias - bias <= 1 && $0.speedup < target },
                      "a larger bias must have missed the target (the bracket): \(tried)")
        XCTAssertTrue(tried.filter { $0.bias > bias }.allSatisfy { $0.speedup < target }, "the largest bias reaching it: \(tried)")

        // The dev report printed by calibrate is what `skim eval` gives at that bias.
        let evaluated = try run(["eval", "--checkpoint", checkpoint, "--set", "skim.inference_keep_bias=\(bias)"])
        XCTAssertEqual(try speedup(in: evaluated), try speedup(in: calibrated), accuracy: 1e-9)
        XCTAssertEqual(line("kept fraction per layer", in: evaluated), line("kept fraction per layer", in: calibrated))
        XCTAssertNotEqual(line("kept fraction per layer", in: evaluated), line("kept fraction per layer", in: unbiased))
        XCTAssertNotNil(line("decisions: keep iff logit_keep +", in: evaluated), evaluated)
    }

    func testImpossibleTargetsAndDenseModelsStopWithAMessage() throws {
        let checkpoint = try trainedSkimmingCheckpoint()
        let impossible = try SkimJob.run(ranks: nil, ["calibrate", "--checkpoint", checkpoint, "--speedup", "1e6"], timeout: 300)
        XCTAssertNotEqual(impossible.status, 0, impossible.summary)
        XCTAssertTrue(impossible.output.contains("below the target"), impossible.summary)
        let notAbove1 = try SkimJob.run(ranks: nil, ["calibrate", "--checkpoint", checkpoint, "--speedup", "0.9"], timeout: 120)
        XCTAssertNotEqual(notAbove1.status, 0, notAbove1.summary)
        XCTAssertTrue(notAbove1.output.contains("must be a number > 1"), notAbove1.summary)

        _ = try train("dense", ranks: nil, ["--set", "save_every=0"])
        let dense = directory("dense").appendingPathComponent("step-00000012").path
        let result = try SkimJob.run(ranks: nil, ["calibrate", "--checkpoint", dense, "--speedup", "2"], timeout: 120)
        XCTAssertNotEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.output.contains("is not a Transkimmer model"), result.summary)
    }

    /// `Launch/keep-bias-sweep.sh` (under mpirun, 1 rank): one table row per bias, in order, the
    /// speedup falling as the bias grows.
    func testKeepBiasSweepPrintsOneRowPerBias() throws {
        let checkpoint = try trainedSkimmingCheckpoint()
        let result = try SkimJob.launch("/bin/bash", ["Launch/keep-bias-sweep.sh", checkpoint, "-0.5", "0", "0.5", "5"],
                                        timeout: 300, environment: ["SKIM_RANKS": "1"])
        XCTAssertEqual(result.status, 0, result.summary)
        let rows = result.output.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| keep bias") }
        XCTAssertEqual(rows.map { $0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces) }, ["-0.5", "+0", "+0.5", "+5"],
                       result.summary)
        let speedups = try rows.map { row -> Double in
            let cell = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[3]
            return try XCTUnwrap(Double(cell.dropLast()), String(row))
        }
        XCTAssertEqual(speedups, speedups.sorted(by: >), "\(rows)")
        XCTAssertGreaterThan(speedups.first!, speedups.last!, "\(rows)")
    }

    /// A 12-step Transkimmer run of the tiny model that skims (target 0.3, fast predictors).
    private func trainedSkimmingCheckpoint() throws -> String {
        _ = try train("skim", ranks: nil, ["--set", "method=transkimmer", "--set", "skim.target_keep=0.3",
                                           "--set", "skim.predictor_lr_scale=50", "--set", "save_every=0"])
        return directory("skim").appendingPathComponent("step-00000012").path
    }

    private func run(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try SkimJob.run(ranks: nil, arguments, timeout: 300)
        XCTAssertEqual(result.status, 0, result.summary, file: file, line: line)
        return result.output
    }

    private func line(_ prefix: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init)
    }

    /// The unpadded FLOPs speedup of a printed report ("… → speedup 2.07×").
    private func speedup(in output: String) throws -> Double {
        let text = try XCTUnwrap(line("FLOPs: skimming", in: output), output)
        let value = try XCTUnwrap(text.components(separatedBy: "→ speedup ").last?.dropLast(), text)
        return try XCTUnwrap(Double(value), text)
    }

    private func evalLog(_ checkpoint: String) throws -> [[String: JSONValue]] {
        try JSONLinesLog.records(at: URL(fileURLWithPath: checkpoint).deletingLastPathComponent().appendingPathComponent("eval.jsonl"))
    }

    private func number(_ value: JSONValue?) throws -> Double {
        guard case .number(let number)? = value else { throw SkimJob.Failure("not a number: \(String(describing: value))") }
        return number
    }
}
