import Distributed
import XCTest

final class GradientReducerTests: XCTestCase {
    /// About 20 tensors of varied sizes with 64-byte-aligned offsets (so the block has padding).
    private let layout = GradientBucketPlanTests.alignedLayout(
        [5000, 768, 768, 3, 4096, 64, 64, 12_000, 1, 700, 700, 2048, 33, 9000, 128, 128, 4000, 17, 17, 2500])
    private let bucketBytes = 24 << 10
    private let firstBucketBytes = 6 << 10

    /// Rank `rank`'s gradients: seeded random values in the tensors, zeros in the padding.
    private func gradients(rank: Int, step: Int) -> [Float] {
        var generator = SeededGenerator(seed: UInt64(rank * 1000 + step))
        var block = [Float](repeating: 0, count: layout.blockCount)
        for tensor in layout.tensors {
            for i in tensor.offset..<(tensor.offset + tensor.count) {
                block[i] = Float.random(in: -1...1, using: &generator) * powf(10, Float(Int.random(in: -4...4, using: &generator)))
            }
        }
        return block
    }

    /// The mean in the in-process group's order: ((g0 + g1) + g2) · (1 / size).
    private func expectedMean(size: Int, step: Int) -> [Float] {
        var sum = gradients(rank: 0, step: step)
        for rank in 1..<size {
            let next = gradients(rank: rank, step: step)
            for i in sum.indices { sum[i] = sum[i] + next[i] }
        }
        let scale = 1 / Float(size)
        return sum.map { $0 * scale }
    }

    func testOverlappedReductionIsTheMeanOnEveryRankAndEqualsTheBlockingPath() throws {
        for size in [1, 2, 3] {
            let results = try InProcessGroup.run(size: size, timeout: 20) { comm -> [[Float]] in
                var block = self.gradients(rank: comm.rank, step: 0)
                var blocking = block
                var outputs: [[Float]] = []
                try block.withUnsafeMutableBufferPointer { buffer in
                    let reducer = try GradientReducer(communicator: comm, block: buffer, tensors: self.layout.tensors,
                                                      bucketBytes: self.bucketBytes, firstBucketBytes: self.firstBucketBytes)
                    XCTAssertGreaterThan(reducer.buckets.count, 3)
                    for step in 0..<2 {
                        if step > 0 {
                            let next = self.gradients(rank: comm.rank, step: step)
                            for i in buffer.indices { buffer[i] = next[i] }
                        }
                        try reducer.beginStep()
                        for tensor in self.layout.tensors.indices.reversed() {
                            try reducer.markReady(tensorIndex: tensor)
                            if (tensor + comm.rank) % 3 == 0 { Thread.sleep(forTimeInterval: 0.001) }
                            try reducer.progress()
                        }
                        try reducer.finish(scale: 1 / Float(comm.size))
                        outputs.append(Array(buffer))
                    }
                    XCTAssertEqual(reducer.statistics.steps, 2)
                    XCTAssertEqual(reducer.statistics.bytesReduced, 2 * reducer.bytesPerStep)
                    XCTAssertGreaterThanOrEqual(reducer.statistics.exposedSeconds, reducer.statistics.lastExposedSeconds)
                }
                try blocking.withUnsafeMutableBufferPointer { buffer in
                    let reducer = try GradientReducer(communicator: comm, block: buffer, tensors: self.layout.tensors,
                                                      bucketBytes: self.bucketBytes, firstBucketBytes: self.firstBucketBytes)
                    try reducer.reduceAll(scale: 1 / Float(comm.size))
                    outputs.append(Array(buffer))
                }
                return outputs
            }
            let expected = [expectedMean(size: size, step: 0), expectedMean(size: size, step: 1)]
            for (rank, outputs) in results.enumerated() {
                XCTAssertEqual(outputs[0].map(\.bitPattern), expected[0].map(\.bitPattern), "size \(size) rank \(rank) step 0")
                XCTAssertEqual(outputs[1].map(\.bitPattern), expected[1].map(\.bitPattern), "size \(size) rank \(rank) step 1")
                XCTAssertEqual(outputs[2].map(\.bitPattern), outputs[0].map(\.bitPattern), "blocking path, size \(size)")
            }
        }
    }

    func testBucketsArePostedInBucketOrderOnlyWhenComplete() throws {
        let group = InProcessGroup(size: 1)
        var block = [Float](repeating: 1, count: layout.blockCount)
        try block.withUnsafeMutableBufferPointer { buffer in
            let spy = RecordingCommunicator(group.communicators[0], blockStart: buffer.baseAddress!)
            let reducer = try GradientReducer(communicator: spy, block: buffer, tensors: layout.tensors,
                                              bucketBytes: bucketBytes, firstBucketBytes: firstBucketBytes)
            let buckets = reducer.buckets
            XCTAssertGreaterThanOrEqual(buckets.count, 4)
            try reducer.beginStep()
            // Complete bucket 1 first: nothing may be posted before bucket 0.
            for tensor in buckets[1].tensors { try reducer.markReady(tensorIndex: tensor) }
            XCTAssertEqual(spy.posted, [])
            // Bucket 0 completes: buckets 0 and 1 go out, in that order.
            for tensor in buckets[0].tensors { try reducer.markReady(tensorIndex: tensor) }
            let start = { (bucket: GradientBucket) in bucket.elements.lowerBound }
            XCTAssertEqual(spy.posted, [start(buckets[0]), start(buckets[1])])
            // Bucket 2 (one large tensor) completes and goes out.
            for tensor in buckets[2].tensors { try reducer.markReady(tensorIndex: tensor) }
            XCTAssertEqual(spy.posted, [start(buckets[0]), start(buckets[1]), start(buckets[2])])
            // Bucket 3 is missing one tensor: not posted.
            XCTAssertGreaterThan(buckets[3].tensors.count, 1)
            for tensor in buckets[3].tensors.dropFirst() { try reducer.markReady(tensorIndex: tensor) }
            XCTAssertEqual(spy.posted.count, 3)
            XCTAssertThrowsError(try reducer.markReady(tensorIndex: buckets[3].tensors.last!)) {
                XCTAssertTrue("\($0)".contains("marked ready twice"), "\($0)")
            }
            XCTAssertThrowsError(try reducer.beginStep())
            // finish posts everything left, in order.
            try reducer.finish(scale: 1)
            XCTAssertEqual(spy.posted, buckets.map(start))
            XCTAssertEqual(spy.counts, buckets.map(\.elements.count))
        }
    }

    /// The trainer's path: a pointer and count, element ranges, `markReady(from:)` with the lowest
    /// offset finished after each "layer", `finish()` dividing by the world size.
    func testOffsetReadinessAndDefaultScaleGiveTheMean() throws {
        let ranges = layout.tensors.map { $0.offset..<($0.offset + $0.count) }
        for size in [1, 2, 3] {
            let results = try InProcessGroup.run(size: size, timeout: 20) { comm -> [Float] in
                var block = self.gradients(rank: comm.rank, step: 0)
                try block.withUnsafeMutableBufferPointer { buffer in
                    let reducer = try GradientReducer(communicator: comm, gradients: buffer.baseAddress!,
                                                      count: buffer.count, tensorRanges: ranges,
                                                      bucketBytes: self.bucketBytes,
                                                      firstBucketBytes: self.firstBucketBytes)
                    try reducer.beginStep()
                    XCTAssertTrue(reducer.isStepOpen)
                    // "Layers" of three tensors, last layer first; offsets repeat on purpose.
                    for first in stride(from: ranges.count - 1, through: 0, by: -3).map({ max(0, $0 - 2) }) {
                        try reducer.markReady(from: ranges[first].lowerBound)
                        try reducer.markReady(from: ranges[first].lowerBound + 1)
                        try reducer.progress()
                    }
                    try reducer.finish()
                    XCTAssertFalse(reducer.isStepOpen)
                }
                return block
            }
            let expected = expectedMean(size: size, step: 0)
            for (rank, result) in results.enumerated() {
                XCTAssertEqual(result.map(\.bitPattern), expected.map(\.bitPattern), "size \(size) rank \(rank)")
            }
        }
    }

    func testOffsetAndRangeReadinessPostExactlyTheCompleteBuckets() throws {
        let group = InProcessGroup(size: 1)
        var block = [Float](repeating: 1, count: layout.blockCount)
        try block.withUnsafeMutableBufferPointer { buffer in
            let spy = RecordingCommunicator(group.communicators[0], blockStart: buffer.baseAddress!)
            let reducer = try GradientReducer(communicator: spy, block: buffer, tensors: layout.tensors,
                                              bucketBytes: bucketBytes, firstBucketBytes: firstBucketBytes)
            let buckets = reducer.buckets
            let start = { (bucket: GradientBucket) in bucket.elements.lowerBound }
            try reducer.beginStep()
            // An offset inside bucket 0's first tensor: that tensor is not finished yet.
            let firstOfBucket0 = layout.tensors[buckets[0].tensors.lowerBound]
            try reducer.markReady(from: firstOfBucket0.offset + 1)
            XCTAssertEqual(spy.posted, [])
            try reducer.markReady(from: firstOfBucket0.offset)
            XCTAssertEqual(spy.posted, [start(buckets[0])])
            // Going back up marks nothing new.
            try reducer.markReady(from: layout.blockCount)
            XCTAssertEqual(spy.posted.count, 1)
            // Bucket 1 by a tensor range.
            try reducer.markReady(tensors: buckets[1].tensors)
            XCTAssertEqual(spy.posted, [start(buckets[0]), start(buckets[1])])
            XCTAssertThrowsError(try reducer.markReady(tensors: buckets[1].tensors)) {
                XCTAssertTrue("\($0)".contains("marked ready twice"), "\($0)")
            }
            XCTAssertThrowsError(try reducer.markReady(tensors: 0..<(layout.tensors.count + 1)))
            XCTAssertThrowsError(try reducer.markReady(from: -1))
            // Everything else at once.
            try reducer.markReady(from: 0)
            XCTAssertEqual(spy.posted, buckets.map(start))
            try reducer.finish(scale: 1)
            XCTAssertEqual(Set(buffer), [1], "size 1, scale 1: unchanged")
            XCTAssertThrowsError(try reducer.markReady(from: 0)) {
                XCTAssertTrue("\($0)".contains("outside beginStep()"), "\($0)")
            }
            // A new step starts with nothing ready.
            try reducer.beginStep()
            try reducer.markReady(from: firstOfBucket0.offset + 1)
            XCTAssertEqual(spy.posted.count, buckets.count)
            try reducer.finish()
        }
    }

    func testAtMostMaxInFlightBucketsArePostedAndSlotsRefillInOrder() throws {
        var block = [Float](repeating: 1, count: layout.blockCount)
        try block.withUnsafeMutableBufferPointer { buffer in
            let gated = GatedCommunicator(blockStart: buffer.baseAddress!)
            let reducer = try GradientReducer(communicator: gated, block: buffer, tensors: layout.tensors,
                                              bucketBytes: bucketBytes, firstBucketBytes: firstBucketBytes, maxInFlight: 2)
            let starts = reducer.buckets.map(\.elements.lowerBound)
            XCTAssertGreaterThan(starts.count, 4)
            for step in 0..<2 {
                gated.reset()
                try reducer.beginStep()
                try reducer.markReady(from: 0)
                XCTAssertEqual(gated.posted, Array(starts.prefix(2)), "step \(step): two slots")
                try reducer.progress()
                XCTAssertEqual(gated.posted.count, 2, "nothing completed yet")
                gated.release(count: 1)
                try reducer.progress()
                XCTAssertEqual(gated.posted, Array(starts.prefix(3)), "the oldest completed: one more posted")
                try reducer.finish()
                XCTAssertEqual(gated.posted, starts, "finish posts the rest in order")
                XCTAssertLessThanOrEqual(gated.maxOutstanding, 2)
                XCTAssertEqual(gated.outstanding, 0)
            }
            XCTAssertThrowsError(try GradientReducer(communicator: gated, block: buffer, tensors: layout.tensors,
                                                     maxInFlight: 0))
        }
    }
}

/// Forwards to an in-process communicator and records where each non-blocking allreduce starts
/// (element offset in the block) and how many elements it covers.
private final class RecordingCommunicator: Communicator {
    private let base: InProcessCommunicator
    private let blockStart: UnsafeMutablePointer<Float>
    private(set) var posted: [Int] = []
    private(set) var counts: [Int] = []

    init(_ base: InProcessCommunicator, blockStart: UnsafeMutablePointer<Float>) {
        self.base = base
        self.blockStart = blockStart
    }

    var rank: Int { base.rank }
    var size: Int { base.size }

    func iallreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOp) throws -> CommunicatorRequest {
        posted.append(buffer.baseAddress! - blockStart)
        counts.append(buffer.count)
        return try base.iallreduce(buffer, op: op)
    }

    func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOp) throws { try base.allreduce(buffer, op: op) }
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Double>, op: ReduceOp) throws { try base.allreduce(buffer, op: op) }
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Int64>, op: ReduceOp) throws { try base.allreduce(buffer, op: op) }
    func testAll(_ requests: [CommunicatorRequest]) throws -> Bool { try base.testAll(requests) }
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws { try base.broadcast(buffer, root: root) }
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Double>, root: Int) throws { try base.broadcast(buffer, root: root) }
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Int64>, root: Int) throws { try base.broadcast(buffer, root: root) }
    func broadcast(_ buffer: UnsafeMutableBufferPointer<UInt8>, root: Int) throws { try base.broadcast(buffer, root: root) }
    func allgather(_ send: UnsafeBufferPointer<UInt8>, into receive: UnsafeMutableBufferPointer<UInt8>) throws {
        try base.allgather(send, into: receive)
    }
    func allgather(_ send: UnsafeBufferPointer<Int64>, into receive: UnsafeMutableBufferPointer<Int64>) throws {
        try base.allgather(send, into: receive)
    }
    func barrier() throws { try base.barrier() }
    func abort(code: Int32) -> Never { base.abort(code: code) }
}

/// One rank whose non-blocking allreduces complete only when released (by `release(count:)` or by
/// `wait()`), to observe how many the reducer keeps in flight.
private final class GatedCommunicator: Communicator {
    final class Request: CommunicatorRequest {
        var isComplete = false
        weak var owner: GatedCommunicator?
        func test() throws -> Bool { isComplete }
        func wait() throws { if !isComplete { owner?.complete(self) } }
    }

    private let blockStart: UnsafeMutablePointer<Float>
    private(set) var posted: [Int] = []
    private var pending: [Request] = []
    private(set) var maxOutstanding = 0
    var outstanding: Int { pending.count }

    init(blockStart: UnsafeMutablePointer<Float>) { self.blockStart = blockStart }

    func reset() { posted = []; maxOutstanding = 0 }

    func release(count: Int) { for request in pending.prefix(count) { complete(request) } }

    func complete(_ request: Request) {
        request.isComplete = true
        pending.removeAll { $0 === request }
    }

    var rank: Int { 0 }
    var size: Int { 1 }

    func iallreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOp) throws -> CommunicatorRequest {
        posted.append(buffer.baseAddress! - blockStart)
        let request = Request()
        request.owner = self
        pending.append(request)
        maxOutstanding = max(maxOutstanding, pending.count)
        return request
    }

    func testAll(_ requests: [CommunicatorRequest]) throws -> Bool { requests.allSatisfy(\.isComplete) }
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOp) throws {}
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Double>, op: ReduceOp) throws {}
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Int64>, op: ReduceOp) throws {}
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {}
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Double>, root: Int) throws {}
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Int64>, root: Int) throws {}
    func broadcast(_ buffer: UnsafeMutableBufferPointer<UInt8>, root: Int) throws {}
    func allgather(_ send: UnsafeBufferPointer<UInt8>, into receive: UnsafeMutableBufferPointer<UInt8>) throws {
        _ = receive.initialize(from: send)
    }
    func allgather(_ send: UnsafeBufferPointer<Int64>, into receive: UnsafeMutableBufferPointer<Int64>) throws {
        _ = receive.initialize(from: send)
    }
    func barrier() throws {}
    func abort(code: Int32) -> Never { fatalError("abort \(code)") }
}
