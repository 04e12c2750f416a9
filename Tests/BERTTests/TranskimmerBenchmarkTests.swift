import BERT
import Foundation
import Kernels
import XCTest

/// Not a timed test: prints removal-inference speedups when SKIM_BENCH=1 (use a release build).
final class TranskimmerBenchmarkTests: XCTestCase {
    func testRemovalSpeedupAgainstFLOPs() throws {
        guard ProcessInfo.processInfo.environment["SKIM_BENCH"] == "1" else { throw XCTSkip("set SKIM_BENCH=1") }
        BLAS.threads = Int(ProcessInfo.processInfo.environment["SKIM_BENCH_THREADS"] ?? "1") ?? 1
        let results = try RemovalBenchmark.run(config: .miniLML6, batch: 32, seqLen: 64, minLength: 12,
                                               keepPerLayer: [0.9, 0.75, 0.6], repeats: 9)
        for r in results {
            print(String(format: "keep/layer %.2f  kept %@  FLOPs speedup %.2f× (padded baseline %.2f×)  dense %.2f ms (padded %.2f ms)  skim %.2f ms  wall-clock %.2f×  efficiency %.2f",
                         r.keepPerLayer, r.flops.keptFraction.map { String(format: "%.2f", $0) }.joined(separator: ","),
                         r.flops.speedup, r.flops.paddedSpeedup, r.denseSeconds * 1e3, r.paddedDenseSeconds * 1e3, r.skimSeconds * 1e3,
                         r.wallClockSpeedup, r.efficiency))
        }
    }
}
