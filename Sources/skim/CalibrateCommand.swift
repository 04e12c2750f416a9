import ArgumentParser
import Foundation
import Training

/// `skim calibrate --checkpoint <dir> --speedup 2`: the keep bias at which a trained Transkimmer
/// model reaches a FLOPs speedup, chosen on a split's inputs (never its labels), then the dev
/// report at that bias.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Choose a Transkimmer model's inference keep bias for a target FLOPs speedup, then evaluate it.",
        discussion: """
            The bias is the largest one whose FLOPs speedup against the unpadded dense model reaches \
            --speedup on the first --examples inputs of --split. Only token counts decide (labels are \
            never read), so calibrating on the dev inputs keeps the dev metric honest and makes its \
            speedup the target. Use the bias with `skim eval --set skim.inference_keep_bias=<bias>`.
            """)

    @Option(help: ArgumentHelp("A Transkimmer checkpoint directory (…/step-00000123).", valueName: "dir"))
    var checkpoint: String

    @Option(help: ArgumentHelp("Target FLOPs speedup against the unpadded dense model (> 1).", valueName: "x"))
    var speedup: Double

    @Option(help: ArgumentHelp("The split whose inputs set the speed: train or dev.", valueName: "name"))
    var split: String = "dev"

    @Option(help: ArgumentHelp("Examples to calibrate on, the first ones of the split (default: dev, the evaluation's; train, 4000).",
                               valueName: "n"))
    var examples: Int?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a configuration key (e.g. data_dir).", valueName: "key=value"))
    var overrides: [String] = []

    func run() throws {
        let context = try RankContext(label: "skim.calibrate")
        context.run {
            let url = URL(fileURLWithPath: checkpoint)
            let calibration = try KeepBiasCalibrator.calibrate(checkpoint: url, targetSpeedup: speedup, split: split,
                                                               examples: examples,
                                                               overrides: overrides, communicator: context.communicator,
                                                               logger: context.logger)
            let chosen = calibration.chosen
            let report = try CheckpointEvaluator.evaluate(checkpoint: url,
                                                          overrides: overrides + ["skim.inference_keep_bias=\(chosen.keepBias)"],
                                                          communicator: context.communicator, logger: context.logger)
            guard context.communicator.rank == 0 else { return }
            let log = try JSONLinesLog(url: url.deletingLastPathComponent().appendingPathComponent("eval.jsonl"))
            try log.append(calibration.record)
            print("keep bias \(chosen.keepBias): " + String(format: "FLOPs speedup %.3f× (target %.2f×) on %d %@ inputs, mean kept %.3f",
                                                           chosen.speedup, calibration.targetSpeedup, calibration.examples,
                                                           calibration.split, chosen.keptMean))
            report.lines.forEach { print($0) }
        }
    }
}
