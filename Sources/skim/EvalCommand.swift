import ArgumentParser
import Foundation
import Training

/// `skim eval --checkpoint <dir>`: the dev metrics of a saved checkpoint.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint on its task's dev set (on one or many MPI ranks).")

    @Option(help: ArgumentHelp("A checkpoint directory (…/step-00000123).", valueName: "dir"))
    var checkpoint: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a configuration key (e.g. data_dir).", valueName: "key=value"))
    var overrides: [String] = []

    func run() throws {
        let context = try RankContext(label: "skim.eval")
        context.run {
            let report = try CheckpointEvaluator.evaluate(checkpoint: URL(fileURLWithPath: checkpoint), overrides: overrides,
                                                          communicator: context.communicator, logger: context.logger)
            if context.communicator.rank == 0 { report.lines.forEach { print($0) } }
        }
    }
}
