import Foundation
import Distributed
import XCTest

/// The row-sparse path of `GradientReducer` (a word embedding's gradient) must give exactly what
/// the dense allreduce gives, on every rank, in both the blocking and the overlapped path.
final class RowSparseReductionTests: XCTestCase {
    /// Tensor 1 is the row-sparse one: 300 rows of 24 elements.
    private let rows = 300
    private let width = 24
    private var layout: (tensors: [TensorRange], blockCount: Int) {
        GradientBucketPlanTests.alignedLayout([700, rows * width, 33, 4096, 64, 2048, 17])
    }

    /// Rank `rank`'s gradients: random values in the dense tensors; in the row-sparse tensor only
    /// the rows rank `rank` "saw" (a random tenth of them, different on every rank), plus a row of
    /// -0.0 on rank 1 and a NaN on rank 2 (both must travel like in a dense allreduce).
    private func gradients(rank: Int, step: Int, sparseEmpty: Bool = false) -> [Float] {
        var generator = SeededGenerator(seed: UInt64(rank * 1000 + step + 7))
        var block = [Float](repeating: 0, count: layout.blockCount)
        for (index, tensor) in layout.tensors.enumerated() where index != 1 {
            for i in tensor.offset..<(tensor.offset + tensor.count) { block[i] = Float.random(in: -1...1, using: &generator) }
        }
        guard !sparseEmpty else { return block }
        let sparse = layout.tensors[1]
        for row in 0..<rows where Int.random(in: 0..<10, using: &generator) == 0 {
            for column in 0..<width {
                block[sparse.offset + row * width + column] = Float.random(in: -1...1, using: &generator)
            }
        }
        if rank == 1 { block[sparse.offset + 17 * width + 3] = -0.0 }
        if rank == 2 { block[sparse.offset + 250 * width + 5] = .nan }
        return block
    }

    /// Reduces rank `comm.rank`'s gradients of steps 0 and 1 with a fresh reducer, overlapped or
    /// blocking, and returns the blocks and the bytes each step sent.
    private func reduce(_ comm: Communicator, rowSparse: RowSparseTensor?, overlapped: Bool,
                        sparseEmpty: Bool = false) throws -> (blocks: [[Float]], bytes: [Int], dense: Int) {
        var block = gradients(rank: comm.rank, step: 0, sparseEmpty: sparseEmpty)
        var blocks: [[Float]] = []
        var bytes: [Int] = []
        var dense = 0
        try block.withUnsafeMutableBufferPointer { buffer in
            let reducer = try GradientReducer(communicator: comm, block: buffer, tensors: layout.tensors,
                                              bucketBytes: 8 << 10, firstBucketBytes: 2 << 10, rowSparse: rowSparse)
            dense = reducer.bytesPerStep
            for step in 0..<2 {
                if step > 0 {
                    let next = gradients(rank: comm.rank, step: step, sparseEmpty: sparseEmpty)
                    for i in buffer.indices { buffer[i] = next[i] }
                }
                if overlapped {
                    try reducer.beginStep()
                    for tensor in layout.tensors.indices.reversed() {
                        try reducer.markReady(tensorIndex: tensor)
                        try reducer.progress()
                    }
                    try reducer.finish(scale: 0.5)
                } else {
                    try reducer.reduceAll(scale: 0.5)
                }
                blocks.append(Array(buffer))
                bytes.append(reducer.statistics.lastBytesReduced)
            }
        }
        return (blocks, bytes, dense)
    }

    func testRowSparseReductionEqualsTheDenseOneBitForBit() throws {
        let sparse = RowSparseTensor(index: 1, width: width)
        for size in [2, 3] {
            for overlapped in [false, true] {
                let results = try InProcessGroup.run(size: size, timeout: 20) { comm in
                    (try self.reduce(comm, rowSparse: sparse, overlapped: overlapped),
                     try self.reduce(comm, rowSparse: nil, overlapped: overlapped))
                }
                for (rank, (rowSparse, dense)) in results.enumerated() {
                    let context = "size \(size), rank \(rank), overlapped \(overlapped)"
                    for step in 0..<2 {
                        XCTAssertEqual(rowSparse.blocks[step].map(\.bitPattern), dense.blocks[step].map(\.bitPattern),
                                       "\(context), step \(step)")
                        XCTAssertLessThan(rowSparse.bytes[step], dense.bytes[step] - rows * width * 2, context)
                    }
                    XCTAssertEqual(dense.bytes, [dense.dense, dense.dense], context)
                    XCTAssertEqual(rowSparse.blocks[0].map(\.bitPattern), results[0].0.blocks[0].map(\.bitPattern),
                                   "\(context): identical on every rank")
                }
                // The union of the rows that were non-zero somewhere was exchanged, and only those.
                let block = results[0].0.blocks[0]
                let offset = layout.tensors[1].offset
                let inputs = (0..<size).map { gradients(rank: $0, step: 0) }
                let nonZeroRows = (0..<rows).filter { row in
                    inputs.contains { g in (0..<width).contains { g[offset + row * width + $0].bitPattern != 0 } }
                }
                XCTAssertTrue(nonZeroRows.contains(17) || size < 2)
                let otherBytes = results[0].1.dense - rows * width * 4
                let bitSets = (rows + 63) / 64 * 8 * size
                XCTAssertEqual(results[0].0.bytes[0], otherBytes + nonZeroRows.count * width * 4 + bitSets,
                               "size \(size): bytes sent")
                XCTAssertTrue(block[(offset + 250 * width)..<(offset + 251 * width)].contains { $0.isNaN } == (size > 2))
            }
        }
    }

    func testAnEmptyRowSparseTensorSendsOnlyTheBitSetsAndStaysZero() throws {
        let results = try InProcessGroup.run(size: 2, timeout: 20) { comm in
            try self.reduce(comm, rowSparse: RowSparseTensor(index: 1, width: self.width), overlapped: false,
                            sparseEmpty: true)
        }
        let sparse = layout.tensors[1]
        for result in results {
            XCTAssertTrue(result.blocks[1][sparse.offset..<(sparse.offset + sparse.count)].allSatisfy { $0.bitPattern == 0 })
            XCTAssertEqual(result.bytes[1], result.dense - rows * width * 4 + (rows + 63) / 64 * 8 * 2)
        }
    }

    /// A row-sparse reduction that runs inside `finish` (nothing was marked ready) is counted once
    /// in the exposed time: it cannot exceed the time `finish` took. Rank 1 arrives 0.2 s late, so
    /// rank 0 waits inside the (first-posted) row-sparse reduction; counted twice, its exposed time
    /// would be about twice its `finish` time.
    func testARowSparseReductionInsideFinishIsCountedOnce() throws {
        let sparseLast = GradientBucketPlanTests.alignedLayout([700, 33, rows * width])
        let results = try InProcessGroup.run(size: 2, timeout: 20) { comm -> (exposed: Double, wall: Double) in
            var block = [Float](repeating: 1, count: sparseLast.blockCount)
            return try block.withUnsafeMutableBufferPointer { buffer in
                let reducer = try GradientReducer(communicator: comm, block: buffer, tensors: sparseLast.tensors,
                                                  rowSparse: RowSparseTensor(index: 2, width: self.width))
                XCTAssertEqual(reducer.buckets.first?.tensors, 2..<3)
                try reducer.beginStep()
                if comm.rank == 1 { Thread.sleep(forTimeInterval: 0.2) }
                let start = Date()
                try reducer.finish()
                return (reducer.statistics.lastExposedSeconds, Date().timeIntervalSince(start))
            }
        }
        XCTAssertGreaterThan(results[0].exposed, 0.1, "rank 0 waited for rank 1 inside finish")
        for (rank, result) in results.enumerated() {
            XCTAssertLessThanOrEqual(result.exposed, result.wall, "rank \(rank)")
        }
    }

    func testARowSparseTensorThatDoesNotFitTheLayoutIsRejected() throws {
        let group = InProcessGroup(size: 1)
        var block = [Float](repeating: 0, count: layout.blockCount)
        try block.withUnsafeMutableBufferPointer { buffer in
            for bad in [RowSparseTensor(index: 1, width: 7), RowSparseTensor(index: 7, width: 1),
                        RowSparseTensor(index: 1, width: 0)] {
                XCTAssertThrowsError(try GradientReducer(communicator: group.communicators[0], block: buffer,
                                                         tensors: layout.tensors, rowSparse: bad)) {
                    XCTAssertTrue("\($0)".contains("row-sparse tensor \(bad.index)"), "\($0)")
                }
            }
        }
    }
}
