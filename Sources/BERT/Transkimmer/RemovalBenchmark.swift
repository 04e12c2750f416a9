import Foundation
import Kernels

/// Wall-clock of removal inference against the dense model on the same packed, unpadded tokens,
/// next to the FLOPs ratio (issue 5's benchmark: at batch 32 the measured speedup should reach
/// ≥ 0.9× the FLOPs speedup). Random weights and ids; the decisions are forced by noise so that
/// each token survives each layer with probability `keepPerLayer` ([CLS] always).
public enum RemovalBenchmark {
    public struct Measurement {
        public var keepPerLayer: Double
        /// FLOPs counts of the skimming and dense model on these batches.
        public var flops: SkimFlops
        /// Median seconds per batch: dense on the packed unpadded tokens (`forwardDense`, the
        /// baseline of the speedup), removal inference, and the padded dense `BertModel.predict` (context only).
        public var denseSeconds: Double, skimSeconds: Double, paddedDenseSeconds: Double
        public var wallClockSpeedup: Double { denseSeconds / skimSeconds }
        /// Wall-clock speedup over FLOPs speedup (the acceptance asks ≥ 0.9 at batch 32).
        public var efficiency: Double { wallClockSpeedup / flops.speedup }
    }

    /// Runs `repeats` timed forwards of each kind per keep probability (after one warm-up each).
    /// Real lengths are uniform in `minLength...seqLen`.
    public static func run(config: BertConfiguration, batch B: Int, seqLen T: Int, minLength: Int,
                           keepPerLayer: [Double], repeats: Int, seed: UInt64 = 1) throws -> [Measurement] {
        let model = BertModel(config: config, head: .sequenceClassification(numLabels: 2), skim: .transkimmer)
        var generator = SeededGenerator(seed: seed)
        model.initializeWeights(generator: &generator)
        var ids = [Int32](repeating: 0, count: B * T), mask = [Float](repeating: 0, count: B * T)
        for b in 0..<B {
            let length = minLength + Int(generator.next() % UInt64(T - minLength + 1))
            for t in 0..<length {
                ids[b * T + t] = Int32(1 + Int(generator.next() % UInt64(config.vocabSize - 1)))
                mask[b * T + t] = 1
            }
        }
        let input = ModelInput(batch: B, seqLen: T, inputIds: ids, typeIds: [Int32](repeating: 0, count: B * T), attentionMask: mask)
        let engine = SkimInference(model: model, maxBatch: B, maxSeqLen: T)
        let L = config.numHiddenLayers
        var results: [Measurement] = []
        for q in keepPerLayer {
            var noise = [Float](repeating: 0, count: L * B * T * 2)
            for i in stride(from: 1, to: noise.count, by: 2) { noise[i] = generator.nextUniform() < q ? 40 : -40 }
            let skim = SkimNoise.fixed(noise)
            var flops = SkimFlops(model: model)
            flops.add(try engine.forward(input, noise: skim, tau: 1, generator: &generator), paddedLength: T)
            _ = try engine.forwardDense(input)
            _ = try model.predict(input)
            var dense: [Double] = [], skimmed: [Double] = [], padded: [Double] = []
            for _ in 0..<repeats {
                dense.append(try time { _ = try engine.forwardDense(input) })
                skimmed.append(try time { _ = try engine.forward(input, noise: skim, tau: 1, generator: &generator) })
                padded.append(try time { _ = try model.predict(input) })
            }
            results.append(Measurement(keepPerLayer: q, flops: flops, denseSeconds: median(dense), skimSeconds: median(skimmed),
                                       paddedDenseSeconds: median(padded)))
        }
        return results
    }

    private static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    private static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
