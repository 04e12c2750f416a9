import Foundation
import XCTest
@testable import Text

final class BatchSamplerTests: XCTestCase {
    /// Lengths 3…60 in a scrambled but fixed pattern.
    private let lengths = (0..<103).map { 3 + ($0 * 37) % 58 }

    func testSplitMix64MatchesReferenceOutputs() {
        // Reference: SplitMix64 (Steele, Lea, Flood 2014) from state 0.
        var generator = SplitMix64(seed: 0)
        XCTAssertEqual(generator.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(generator.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(generator.next(), 0x06C4_5D18_8009_454F)
        var bounded = SplitMix64(seed: 7)
        for _ in 0..<1000 { XCTAssertTrue((0..<5).contains(bounded.next(below: 5))) }
    }

    func testEveryOrderCoversEveryIndexOnce() throws {
        for order in [SampleOrder.sequential, .sortedByLength, .shuffled, .lengthBucketed(poolBatches: 4)] {
            let sampler = try BatchSampler(lengths: lengths, batchSize: 8, order: order, seed: 3)
            let batches = sampler.batches(epoch: 0)
            XCTAssertEqual(batches.count, 13, "\(order)")
            XCTAssertEqual(sampler.batchCount, 13)
            XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(0..<103), "\(order)")
            XCTAssertEqual(batches.dropLast().map(\.count), Array(repeating: 8, count: 12), "\(order)")
            XCTAssertEqual(batches.last?.count, 7, "\(order)")
        }
        let sequential = try BatchSampler(lengths: lengths, batchSize: 8, order: .sequential).batches(epoch: 5)
        XCTAssertEqual(sequential[1], Array(8..<16))
        let sorted = try BatchSampler(lengths: lengths, batchSize: 8, order: .sortedByLength).batches(epoch: 0).flatMap { $0 }
        XCTAssertEqual(sorted.map { lengths[$0] }, lengths.sorted())
    }

    func testOrderIsAPureFunctionOfSeedAndEpoch() throws {
        let a = try BatchSampler(lengths: lengths, batchSize: 8, order: .lengthBucketed(poolBatches: 4), seed: 42)
        let b = try BatchSampler(lengths: lengths, batchSize: 8, order: .lengthBucketed(poolBatches: 4), seed: 42)
        let other = try BatchSampler(lengths: lengths, batchSize: 8, order: .lengthBucketed(poolBatches: 4), seed: 43)
        XCTAssertEqual(a.batches(epoch: 1), b.batches(epoch: 1))
        XCTAssertNotEqual(a.batches(epoch: 0), a.batches(epoch: 1))
        XCTAssertNotEqual(a.batches(epoch: 1), other.batches(epoch: 1))
        let shuffled = try BatchSampler(lengths: lengths, batchSize: 8, order: .shuffled, seed: 42)
        XCTAssertEqual(shuffled.batches(epoch: 2), shuffled.batches(epoch: 2))
        XCTAssertNotEqual(shuffled.batches(epoch: 2).flatMap { $0 }, Array(0..<103))
        // Pinned: a change to the generator or the algorithm changes every run's data order.
        XCTAssertEqual(try BatchSampler(lengths: Array(repeating: 1, count: 10), batchSize: 10, order: .shuffled, seed: 1)
            .batches(epoch: 0), [Self.pinnedPermutation])
    }

    /// The permutation of 0..<10 for seed 1, epoch 0, reproduced by an independent Python transcription
    /// of SplitMix64, the epoch mixing, Lemire's bounded integers and the Fisher–Yates loop.
    static let pinnedPermutation = [6, 4, 7, 2, 9, 1, 5, 0, 8, 3]

    func testLengthBucketingReducesPadding() throws {
        func padding(_ order: SampleOrder) throws -> Int {
            let batches = try BatchSampler(lengths: lengths, batchSize: 8, order: order, seed: 9).batches(epoch: 0)
            return batches.reduce(0) { total, batch in
                let longest = batch.map { lengths[$0] }.max()!
                return total + batch.reduce(0) { $0 + longest - lengths[$1] }
            }
        }
        let shuffled = try padding(.shuffled), bucketed = try padding(.lengthBucketed(poolBatches: 13))
        XCTAssertLessThan(bucketed * 4, shuffled, "bucketed \(bucketed), shuffled \(shuffled)")
        // Within a pool, a batch holds neighbouring lengths.
        let batches = try BatchSampler(lengths: lengths, batchSize: 8, order: .lengthBucketed(poolBatches: 13), seed: 9).batches(epoch: 0)
        for batch in batches.dropLast() {
            let l = batch.map { lengths[$0] }
            XCTAssertLessThanOrEqual(l.max()! - l.min()!, 8)
        }
    }

    func testDropLastAndResumeFromCursor() throws {
        let sampler = try BatchSampler(lengths: lengths, batchSize: 8, order: .lengthBucketed(poolBatches: 4), seed: 5, dropLast: true)
        let batches = sampler.batches(epoch: 3)
        XCTAssertEqual(batches.count, 12)
        XCTAssertEqual(sampler.batchCount, 12)
        XCTAssertTrue(batches.allSatisfy { $0.count == 8 })
        // A resumed sampler (a new value) continues with exactly the batches not yet consumed.
        let resumed = try BatchSampler(lengths: lengths, batchSize: 8, order: .lengthBucketed(poolBatches: 4), seed: 5, dropLast: true)
        XCTAssertEqual(Array(resumed.batches(epoch: 3)[7...]), Array(batches[7...]))
        XCTAssertThrowsError(try BatchSampler(lengths: lengths, batchSize: 0, order: .sequential))
        XCTAssertThrowsError(try BatchSampler(lengths: lengths, batchSize: 4, order: .lengthBucketed(poolBatches: 0)))
    }

    func testShardsPartitionEachBatchAcrossRanks() throws {
        let batch = Array(100..<111)
        let shards = (0..<4).map { BatchSampler.shard(batch, rank: $0, worldSize: 4) }
        XCTAssertEqual(shards[0], [100, 104, 108])
        XCTAssertEqual(shards[3], [103, 107])
        XCTAssertEqual(shards.flatMap { $0 }.sorted(), batch)
        XCTAssertEqual(BatchSampler.shard([1, 2], rank: 2, worldSize: 3), [])
        XCTAssertEqual(BatchSampler.split([1, 2, 3, 4, 5], into: 2), [[1, 2, 3], [4, 5]])
        XCTAssertEqual(BatchSampler.split([1], into: 3), [[1], [], []])
        XCTAssertEqual(BatchSampler.split(Array(0..<12), into: 3).map(\.count), [4, 4, 4])
    }
}
