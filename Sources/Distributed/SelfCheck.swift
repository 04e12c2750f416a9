/// The checks behind `skim distributed-check`: every collective of `Communicator`, the gradient
/// reducer and the handshake, with values whose results are known exactly (rank r contributes
/// r + 1, so a sum is N(N+1)/2). Runs on any communicator, so the same checks run under mpirun and
/// with in-process ranks.
public struct SelfCheck {
    /// One check's result, agreed on by every rank.
    public struct Outcome: Equatable, Sendable {
        public let name: String
        public let passed: Bool
        /// Empty if passed; else the failing ranks and this rank's own finding.
        public let detail: String
        /// This rank's time for the check, agreement included.
        public var seconds = 0.0
    }

    public let communicator: Communicator
    public let watchdog: Watchdog?

    public init(communicator: Communicator, watchdog: Watchdog?) {
        self.communicator = communicator
        self.watchdog = watchdog
    }

    /// The start-up handshake of the check: fixed fields plus `configHash`, which one rank may vary
    /// to prove that a mismatch stops every rank. Throws `HandshakeError` on a mismatch.
    public func handshake(configHash: UInt64) throws {
        var handshake = Handshake()
        handshake.add("layout fingerprint", hex: 0x5EED_0000_0000_0001)
        handshake.add("config hash", hex: configHash)
        handshake.add("data fingerprint", hex: 0x5EED_0000_0000_0002)
        handshake.add("batch size", 32)
        handshake.add("gradient accumulation", 1)
        handshake.add("world size", communicator.size)
        try watchdog.guarded("handshake") { try handshake.verify(on: communicator) }
    }

    /// Runs every check in order, calling `onOutcome` after each (on every rank).
    public func run(onOutcome: (Outcome) -> Void) throws -> [Outcome] {
        let checks: [(StaticString, () throws -> String?)] = [
            ("allreduce Float sum", allreduceFloatSum),
            ("allreduce Double max, Int64 min and sum", allreduceOtherTypes),
            ("scalar allreduce and agreement", scalarsAndAgreement),
            ("broadcast Float, Double, Int64, bytes", broadcasts),
            ("allgather UInt8 and Int64", allgathers),
            ("non-blocking allreduce", nonBlocking),
            ("gradient reducer (buckets, overlap, mean)", gradientReducer),
            ("barrier", { try communicator.barrier(); return nil }),
        ]
        var outcomes: [Outcome] = []
        for (label, body) in checks {
            let start = monotonicSeconds()
            let finding = try watchdog.guarded(label) { try body() }
            var outcome = try agree(name: "\(label)", finding: finding)
            outcome.seconds = monotonicSeconds() - start
            onOutcome(outcome)
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// A check passes if it passed on every rank; the failing ranks are named.
    private func agree(name: String, finding: String?) throws -> Outcome {
        let flags = try communicator.allgather([UInt8(finding == nil ? 1 : 0)])
        let failing = flags.indices.filter { flags[$0] == 0 }
        if failing.isEmpty { return Outcome(name: name, passed: true, detail: "") }
        let ranks = failing.map(String.init).joined(separator: ",")
        return Outcome(name: name, passed: false,
                       detail: "failed on rank(s) \(ranks)" + (finding.map { "; rank \(communicator.rank): \($0)" } ?? ""))
    }

    private var n: Int { communicator.size }
    private var r: Int { communicator.rank }
    /// N(N+1)/2: the sum of every rank's r + 1.
    private var triangle: Int { n * (n + 1) / 2 }

    // MARK: Checks (nil = passed on this rank, else what went wrong)

    private func allreduceFloatSum() throws -> String? {
        var values = (0..<10_000).map { Float((r + 1) * ($0 % 7 + 1)) }
        try values.withUnsafeMutableBufferPointer { try communicator.allreduce($0, op: .sum) }
        let expected = (0..<10_000).map { Float(triangle * ($0 % 7 + 1)) }
        return mismatch(values, expected)
    }

    private func allreduceOtherTypes() throws -> String? {
        var doubles = [Double(r) + 0.25, -Double(r)]
        var minima: [Int64] = [-Int64(r), Int64(r) + 5]
        var sums: [Int64] = [Int64(r + 1), Int64(r + 1) << 40]
        try doubles.withUnsafeMutableBufferPointer { try communicator.allreduce($0, op: .max) }
        try minima.withUnsafeMutableBufferPointer { try communicator.allreduce($0, op: .min) }
        try sums.withUnsafeMutableBufferPointer { try communicator.allreduce($0, op: .sum) }
        return mismatch(doubles, [Double(n - 1) + 0.25, 0])
            ?? mismatch(minima, [-Int64(n - 1), 5])
            ?? mismatch(sums, [Int64(triangle), Int64(triangle) << 40])
    }

    private func scalarsAndAgreement() throws -> String? {
        let sum = try communicator.allreduce(r + 1, op: .sum)
        let maximum = try communicator.allreduce(Double(r + 1) * 0.5, op: .max)
        let flags = [try communicator.agreeAll(true), try communicator.agreeAll(r != n - 1),
                     try communicator.agreeAny(r == n - 1), try communicator.agreeAny(false)]
        return mismatch([sum], [triangle]) ?? mismatch([maximum], [Double(n) * 0.5])
            ?? mismatch(flags, [true, false, true, false])
    }

    private func broadcasts() throws -> String? {
        let last = n - 1
        var floats = (0..<1000).map { r == last ? Float($0) * 0.5 : 0 }
        var doubles = [r == 0 ? Double.pi : 0]
        var integers: [Int64] = r == 0 ? [Int64.min, 42] : [0, 0]
        try floats.withUnsafeMutableBufferPointer { try communicator.broadcast($0, root: last) }
        try doubles.withUnsafeMutableBufferPointer { try communicator.broadcast($0, root: 0) }
        try integers.withUnsafeMutableBufferPointer { try communicator.broadcast($0, root: 0) }
        let payload = (0..<12_345).map { UInt8($0 % 251) }
        let bytes = try communicator.broadcast(r == 0 ? payload : [1, 2, 3], root: 0)
        return mismatch(floats, (0..<1000).map { Float($0) * 0.5 }) ?? mismatch(doubles, [Double.pi])
            ?? mismatch(integers, [Int64.min, 42]) ?? mismatch(bytes, payload)
    }

    private func allgathers() throws -> String? {
        let bytes = try communicator.allgather([UInt8(r % 256), UInt8(255 - r % 256), 7])
        let integers = try communicator.allgather([Int64(r) * 1000, -Int64(r)])
        return mismatch(bytes, (0..<n).flatMap { [UInt8($0 % 256), UInt8(255 - $0 % 256), 7] })
            ?? mismatch(integers, (0..<n).flatMap { [Int64($0) * 1000, -Int64($0)] })
    }

    private func nonBlocking() throws -> String? {
        let count = 1 << 18
        var sums = [Float](repeating: Float(r + 1), count: count)
        var maxima = (0..<count).map { Float(($0 + r) % n) }
        var minima = (0..<4096).map { Float($0 - r) }
        try sums.withUnsafeMutableBufferPointer { a in
            try maxima.withUnsafeMutableBufferPointer { b in
                try minima.withUnsafeMutableBufferPointer { c in
                    // Three in flight at once, completed by test(), wait() and testAll().
                    let sum = try communicator.iallreduce(a, op: .sum)
                    let max = try communicator.iallreduce(b, op: .max)
                    let min = try communicator.iallreduce(c, op: .min)
                    while !(try sum.test()) {}
                    try max.wait()
                    while !(try communicator.testAll([sum, max, min])) {}
                    guard sum.isComplete, max.isComplete, min.isComplete else {
                        throw CommunicatorError.invalidArgument("a request completed by test/wait/testAll is not marked complete")
                    }
                }
            }
        }
        return mismatch(sums, [Float](repeating: Float(triangle), count: count))
            ?? mismatch(maxima, [Float](repeating: Float(n - 1), count: count))
            ?? mismatch(minima, (0..<4096).map { Float($0 - (n - 1)) })
    }

    private func gradientReducer() throws -> String? {
        // 20 tensors, 64-byte aligned, 3 MB in all: several 1 MiB buckets after a 256 KiB one.
        let counts = [400_000, 98_304, 512, 512, 24_576, 384, 49_152, 768] + [Int](repeating: 12_288, count: 12)
        var tensors: [TensorRange] = []
        var end = 0
        for count in counts {
            tensors.append(TensorRange(offset: end, count: count))
            end = (end + count + 15) / 16 * 16
        }
        let pattern = { (i: Int) in Float(i % 13) - 6 }
        // Padding between tensors stays zero, as in a real gradient block.
        var inTensor = [Bool](repeating: false, count: end)
        for tensor in tensors { for i in tensor.offset..<(tensor.offset + tensor.count) { inTensor[i] = true } }
        var block = (0..<end).map { inTensor[$0] ? pattern($0) * Float(r + 1) : 0 }
        let scale = 1 / Float(n)
        let outcome = try block.withUnsafeMutableBufferPointer { buffer -> String? in
            let reducer = try GradientReducer(communicator: communicator, block: buffer, tensors: tensors,
                                              bucketBytes: 1 << 20, firstBucketBytes: 256 << 10, watchdog: watchdog)
            // As backward does: finished gradients grow downwards from the end of the block.
            try reducer.beginStep()
            for tensor in tensors.indices.reversed() {
                try reducer.markReady(from: tensors[tensor].offset)
                try reducer.progress()
            }
            try reducer.finish()
            let buckets = reducer.buckets
            if buckets.count < 3 || buckets[0].byteCount > 256 << 10 || buckets[0].tensors.upperBound != tensors.count {
                return "unexpected buckets \(buckets.map(\.elements))"
            }
            return nil
        }
        if let outcome { return outcome }
        // Every rank holds Float(pattern · N(N+1)/2) · (1/N) (finish() scales by 1/N), computed the
        // same way here.
        let expected = (0..<end).map { inTensor[$0] ? Float(Int(pattern($0)) * triangle) * scale : 0 }
        if let wrong = mismatch(block, expected) { return wrong }
        let replicas = try block.withUnsafeBufferPointer { try communicator.compareReplicas($0) }
        return replicas.allIdentical ? nil : "ranks hold different bits: \(replicas.fingerprints)"
    }

    // MARK: Helpers

    /// nil if equal, else where the first difference is.
    private func mismatch<T: Equatable>(_ actual: [T], _ expected: [T]) -> String? {
        guard actual.count == expected.count else { return "got \(actual.count) elements, expected \(expected.count)" }
        guard let index = actual.indices.first(where: { actual[$0] != expected[$0] }) else { return nil }
        return "element \(index) is \(actual[index]), expected \(expected[index])"
    }
}

extension Optional where Wrapped == Watchdog {
    /// Runs `body` inside the watchdog if there is one.
    func guarded<T>(_ label: StaticString, _ body: () throws -> T) rethrows -> T {
        switch self {
        case let .some(watchdog): return try watchdog.guarded(label, -1, body)
        case .none: return try body()
        }
    }
}
