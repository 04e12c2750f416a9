import ArgumentParser
import Foundation
import Training

/// `skim train`: data-parallel fine-tuning; run it under `mpirun -np N` or as one process.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a BERT on a GLUE task (dense or Transkimmer), on one or many MPI ranks.",
        discussion: """
            Every configuration key can be overridden: --set learning_rate=3e-5 --set skim.lambda=0.3.
            A run resumes from the newest complete checkpoint in its output directory (resume: auto).
            """)

    @Option(name: .shortAndLong, help: "YAML configuration file (see Configs/).")
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a configuration key.", valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("auto (newest valid checkpoint), never, or a checkpoint directory.", valueName: "policy"))
    var resume: String?

    @Option(help: .hidden) var testKillAfterStep: Int?
    @Option(help: .hidden) var testKillDuringSave: Int?
    @Option(help: .hidden) var testKillRank: Int?

    func run() throws {
        let context = try RankContext(label: "skim.train")
        context.run {
            let settings = try TrainConfig.load(file: config.map { URL(fileURLWithPath: $0) },
                                                overrides: overrides + (resume.map { ["resume=\($0)"] } ?? []))
            let trainer = try Trainer(config: settings, communicator: context.communicator, logger: context.logger)
            trainer.faults.killAfterStep = testKillAfterStep
            trainer.faults.killDuringSaveOfStep = testKillDuringSave
            trainer.faults.rank = testKillRank
            try trainer.run()
        }
    }
}
