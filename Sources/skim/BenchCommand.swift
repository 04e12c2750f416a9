import ArgumentParser
import BERT
import Foundation
import Kernels

/// `skim bench train`: tokens/s of a full training step (forward, backward, AdamW) on random data.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks of the numerical core.",
        subcommands: [BenchTrainCommand.self, BenchScalingCommand.self])
}

struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training-step throughput (forward + backward + AdamW) of a randomly initialised BERT.")

    @Option(help: "Model shapes to run: base (12×768), minilm (6×384), mini (4×256); comma-separated.")
    var models = "base,minilm"
    @Option(help: "Batch sizes, comma-separated.") var batches = "8,32"
    @Option(help: "OpenBLAS thread counts, comma-separated.") var threads = "1,2"
    @Option(help: "Sequence length.") var seqLen = 128
    @Option(help: "Timed steps per setting (after one warm-up step).") var steps = 3

    func run() throws {
        print("OpenBLAS kernels: \(BLAS.coreName)")
        print("model   threads batch  tokens/s  GFLOP/s  GEMM share  step (s)")
        for name in models.split(separator: ",") {
            let config = try Self.config(String(name))
            for t in threads.split(separator: ",").compactMap({ Int($0) }) {
                for b in batches.split(separator: ",").compactMap({ Int($0) }) {
                    let r = try measure(config: config, batch: b, threads: t)
                    print(String(format: "%-7@ %7d %5d %9.0f %8.1f %10.1f%% %9.3f", String(name) as NSString, t, b,
                                 r.tokensPerSecond, r.gflops, 100 * r.gemmShare, r.stepSeconds))
                }
            }
        }
    }

    static func config(_ name: String) throws -> BertConfiguration {
        switch name {
        case "base": return .base
        case "minilm": return .miniLML6
        case "mini": return BertConfiguration(vocabSize: 30522, hiddenSize: 256, numHiddenLayers: 4, numAttentionHeads: 4, intermediateSize: 1024)
        default: throw ValidationError("unknown model '\(name)' (base, minilm, mini)")
        }
    }

    struct Result { var tokensPerSecond, gflops, gemmShare, stepSeconds: Double }

    func measure(config: BertConfiguration, batch: Int, threads: Int) throws -> Result {
        BLAS.threads = threads
        let model = BertModel(config: config, head: .sequenceClassification(numLabels: 2))
        var generator = SeededGenerator(seed: 42)
        model.initializeWeights(generator: &generator)
        let optimizer = AdamWOptimizer(layout: model.layout)
        let n = batch * seqLen
        let input = syntheticClassificationBatch(batch: batch, seqLen: seqLen)
        let settings = AdamWSettings(learningRate: 1e-5)
        let phases = PhaseTimes(phases: 4)
        func step() throws {
            phases.time(0) { model.gradients.zero() }
            _ = try phases.time(1) { try model.forward(input, training: true, generator: &generator) }
            phases.time(2) { model.backward() }
            phases.time(3) { optimizer.step(parameters: model.parameters, gradients: model.gradients, settings: settings) }
        }
        try step()
        phases.reset()
        BLAS.profiling = true
        BLAS.gemmNanoseconds = 0
        BLAS.gemmFlops = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps { try step() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        BLAS.profiling = false
        let perStep = seconds / Double(steps)
        let shares = phases.seconds.map { $0 / Double(steps) }
        print(String(format: "  per step: zero %.3f s, forward %.3f s, backward %.3f s, AdamW %.3f s", shares[0], shares[1], shares[2], shares[3]))
        return Result(tokensPerSecond: Double(n) / perStep,
                      gflops: Double(BLAS.gemmFlops) / Double(steps) / perStep / 1e9,
                      gemmShare: Double(BLAS.gemmNanoseconds) / 1e9 / seconds,
                      stepSeconds: perStep)
    }
}
