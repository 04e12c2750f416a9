import ArgumentParser

/// `skim`: fine-tune BERT models that learn to skip tokens, and run them with the tokens removed.
@main
struct Skim: AsyncParsableCommand {
    static func main() async {
        FastKernels.reexecWithAVX512KernelsIfUnused()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "skim",
        abstract: "Fine-tune skimming BERT models (Transkimmer, Block-Skim) with MPI, and run them faster.",
        subcommands: [TrainCommand.self, EvalCommand.self, CalibrateCommand.self, BenchCommand.self, DistributedCheckCommand.self]
    )
}
