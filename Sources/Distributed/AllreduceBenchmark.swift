import Foundation

/// Timings of gradient-sized allreduces: one blocking allreduce of the whole buffer, and the
/// gradient reducer's bucketed paths (blocking; non-blocking with nothing to overlap, for several
/// in-flight limits).
public struct AllreduceBenchmark {
    /// One measured configuration.
    public struct Measurement: Equatable, Sendable {
        /// What ran, e.g. "allreduce" or "bucketed iallreduce (12 buckets ≤ 8 MiB)".
        public let name: String
        public let bytes: Int
        /// Median over iterations of the slowest rank's seconds.
        public let medianSeconds: Double
        public let iterations: Int

        /// Bytes per second of the buffer (algorithm bandwidth), in GB/s (10⁹ bytes).
        public var gigabytesPerSecond: Double { Double(bytes) / medianSeconds / 1e9 }
    }

    public let communicator: Communicator
    /// Timed repetitions per configuration (after one untimed warm-up).
    public let iterations: Int
    /// Bucket size of the reducer runs, bytes.
    public let bucketBytes: Int

    public init(communicator: Communicator, iterations: Int, bucketBytes: Int) {
        precondition(iterations >= 1, "need at least one timed iteration")
        self.communicator = communicator
        self.iterations = iterations
        self.bucketBytes = bucketBytes
    }

    /// Measures a buffer of `bytes` (rounded down to whole Floats): one blocking allreduce of the
    /// whole buffer, the reducer's blocking path, and its non-blocking path once per entry of
    /// `maxInFlight` (tensors marked ready last to first with `progress()` after each, then `finish`).
    public func measure(bytes: Int, maxInFlight: [Int] = [2]) throws -> [Measurement] {
        let count = bytes / MemoryLayout<Float>.stride
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0)
        // Tensors the size of a 768 × 768 weight (the last one shorter) give realistic buckets.
        let tensorCount = 768 * 768
        let tensors = stride(from: 0, to: count, by: tensorCount).map {
            TensorRange(offset: $0, count: Swift.min(tensorCount, count - $0))
        }
        let byteCount = count * MemoryLayout<Float>.stride
        let firstBucketBytes = Swift.min(bucketBytes, 1 << 20)
        let blocking = try GradientReducer(communicator: communicator, block: buffer, tensors: tensors,
                                           bucketBytes: bucketBytes, firstBucketBytes: firstBucketBytes)
        let bucketCount = blocking.buckets.count
        let buckets = "\(bucketCount) bucket\(bucketCount == 1 ? "" : "s") ≤ \(Self.mebibytes(bucketBytes)) MiB"
        var results = [
            try time("allreduce", byteCount) { try communicator.allreduce(buffer, op: .sum) },
            try time("reducer, blocking (\(buckets))", byteCount) { try blocking.reduceAll(scale: 1) },
        ]
        for slots in maxInFlight {
            let reducer = try GradientReducer(communicator: communicator, block: buffer, tensors: tensors,
                                              bucketBytes: bucketBytes, firstBucketBytes: firstBucketBytes,
                                              maxInFlight: slots)
            results.append(try time("reducer, non-blocking, \(slots) in flight", byteCount) {
                try reducer.beginStep()
                for tensor in tensors.indices.reversed() {
                    try reducer.markReady(tensorIndex: tensor)
                    try reducer.progress()
                }
                try reducer.finish(scale: 1)
            })
        }
        return results
    }

    private static func mebibytes(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20)" : String(format: "%.2f", Double(bytes) / 1_048_576)
    }

    /// Median over `iterations` of the slowest rank's time for `body`, each run started by a barrier.
    private func time(_ name: String, _ bytes: Int, _ body: () throws -> Void) throws -> Measurement {
        try communicator.barrier()
        try body()
        var seconds: [Double] = []
        for _ in 0..<iterations {
            try communicator.barrier()
            let start = monotonicSeconds()
            try body()
            seconds.append(try communicator.allreduce(monotonicSeconds() - start, op: .max))
        }
        seconds.sort()
        let median = seconds.count % 2 == 1 ? seconds[seconds.count / 2]
            : (seconds[seconds.count / 2 - 1] + seconds[seconds.count / 2]) / 2
        return Measurement(name: name, bytes: bytes, medianSeconds: median, iterations: iterations)
    }
}
