import ArgumentParser
import BERT
import Distributed
import Foundation
import Kernels
import Training

/// `skim bench scaling`: data-parallel training throughput. Run it once as one process and once
/// under `mpirun -np N`: every rank trains on its own random batch, gradients are averaged with
/// the trainer's GradientReducer, and rank 0 prints the total tokens/s and, per step, the compute
/// time of the fastest and slowest rank, the time spent waiting for the slowest rank, and the
/// exposed allreduce time (the reduction not hidden behind backward).
struct BenchScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "Data-parallel training-step throughput and exposed allreduce time (run with and without mpirun).")

    @Option(help: "Model shape: base, minilm or mini.") var model = "minilm"
    @Option(help: "Sequences per rank per step.") var batch = 32
    @Option(help: "Sequence length.") var seqLen = 128
    @Option(help: "Timed steps (after one warm-up step).") var steps = 5
    @Option(help: "OpenBLAS threads per rank.") var threads = 1
    @Flag(help: "Post the bucket allreduces during backward (the trainer's overlap_allreduce: true).")
    var overlap = false
    @Flag(help: "Allreduce the whole word-embedding gradient instead of only the rows some rank's batch used.")
    var denseEmbeddingSync = false

    func run() throws {
        let context = try RankContext(label: "skim.bench")
        context.run {
            let communicator = context.communicator
            BLAS.threads = threads
            let config = try BenchTrainCommand.config(model)
            let bert = BertModel(config: config, head: .sequenceClassification(numLabels: 2))
            var generator = SeededGenerator(seed: 42)
            bert.initializeWeights(generator: &generator)
            generator = SeededGenerator(seed: 1000 + UInt64(communicator.rank))
            let optimizer = AdamWOptimizer(layout: bert.layout)
            let reducer = try GradientReducer(communicator: communicator, model: bert, sparseEmbedding: !denseEmbeddingSync)
            let n = batch * seqLen
            let input = syntheticClassificationBatch(batch: batch, seqLen: seqLen, variant: communicator.rank)
            let settings = AdamWSettings(learningRate: 1e-5)
            // Seconds per phase, summed over the timed steps: forward + backward (+ the overlapped
            // allreduce posts), waiting for the slowest rank (blocking mode: a barrier before the
            // allreduce), the allreduce not hidden behind backward, and AdamW.
            let phases = PhaseTimes(phases: 4)
            func step() throws {
                try phases.time(0) {
                    bert.gradients.zero()
                    _ = try bert.forward(input, training: true, lossScale: 1 / Float(communicator.size), generator: &generator)
                    if overlap { try bert.backward(postingTo: reducer) } else { bert.backward() }
                }
                if overlap {
                    try phases.time(2) { try reducer.finish(scale: 1) }
                } else {
                    try phases.time(1) { try communicator.barrier() }
                    try phases.time(2) { try reducer.reduceAll(scale: 1) }
                }
                phases.time(3) { optimizer.step(parameters: bert.parameters, gradients: bert.gradients, settings: settings) }
            }
            try step()
            try communicator.barrier()
            phases.reset()
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { try step() }
            try communicator.barrier()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            var slowest = phases.seconds
            try slowest.withUnsafeMutableBufferPointer { try communicator.allreduce($0, op: .max) }
            let fastestCompute = -(try communicator.allreduce(-phases.seconds[0], op: .max))
            if communicator.rank == 0 {
                let tokens = Double(n * communicator.size * steps)
                let perStep = { (value: Double) in 1000 * value / Double(steps) }
                print(String(format: "%@ %d rank(s) × %d thread(s), batch %d × %d per rank, OpenBLAS %@: %.0f tokens/s, step %.3f s",
                             model, communicator.size, threads, batch, seqLen, BLAS.coreName, tokens / seconds, seconds / Double(steps)))
                print(String(format: "  per step: forward+backward %.0f–%.0f ms (fastest–slowest rank), waiting for the slowest rank ≤ %.1f ms, %@ allreduce exposed ≤ %.1f ms (%.2f%% of a step, %.1f MB), AdamW ≤ %.0f ms",
                             perStep(fastestCompute), perStep(slowest[0]), perStep(slowest[1]),
                             overlap ? "overlapped" : "blocking", perStep(slowest[2]), 100 * slowest[2] / seconds,
                             Double(reducer.statistics.bytesReduced) / Double(steps + 1) / 1e6, perStep(slowest[3])))
            }
        }
    }
}
