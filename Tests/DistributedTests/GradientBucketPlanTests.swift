import Distributed
import XCTest

final class GradientBucketPlanTests: XCTestCase {
    /// Tensors of the given element counts, each starting on a 16-element (64-byte) boundary.
    static func alignedLayout(_ counts: [Int]) -> (tensors: [TensorRange], blockCount: Int) {
        var offset = 0
        var tensors: [TensorRange] = []
        for count in counts {
            tensors.append(TensorRange(offset: offset, count: count))
            offset = (offset + count + 15) / 16 * 16
        }
        return (tensors, offset)
    }

    func testBucketsAreContiguousInReverseLayoutOrderAndBounded() throws {
        let embeddings: [Int] = [1_953_408, 32_768, 64, 64]
        let layer: [Int] = [4096, 64, 16_384, 256, 16_384, 64]
        let counts = embeddings + layer + layer + layer + layer
        let (tensors, blockCount) = Self.alignedLayout(counts)
        let bucketBytes = 96 << 10
        let firstBucketBytes = 8 << 10
        let buckets = try GradientBucketPlan.plan(tensors: tensors, blockCount: blockCount,
                                                  bucketBytes: bucketBytes, firstBucketBytes: firstBucketBytes)
        XCTAssertGreaterThan(buckets.count, 3)
        XCTAssertEqual(buckets.first?.tensors.upperBound, tensors.count, "bucket 0 holds the last tensor")
        XCTAssertEqual(buckets.last?.tensors.lowerBound, 0, "the last bucket holds the first tensor")
        for (index, bucket) in buckets.enumerated() {
            XCTAssertEqual(bucket.elements.lowerBound, tensors[bucket.tensors.lowerBound].offset)
            let last = tensors[bucket.tensors.upperBound - 1]
            XCTAssertEqual(bucket.elements.upperBound, last.offset + last.count)
            let limit = index == 0 ? firstBucketBytes : bucketBytes
            if bucket.tensors.count > 1 {
                XCTAssertLessThanOrEqual(bucket.byteCount, limit, "bucket \(index)")
            }
            if index > 0 {
                let previous = buckets[index - 1]
                XCTAssertEqual(bucket.tensors.upperBound, previous.tensors.lowerBound, "no tensor skipped or shared")
                XCTAssertLessThanOrEqual(bucket.elements.upperBound, previous.elements.lowerBound)
                // Greedy: the previous bucket could not take this bucket's last tensor.
                let next = tensors[bucket.tensors.upperBound - 1]
                let end = tensors[previous.tensors.upperBound - 1]
                XCTAssertGreaterThan((end.offset + end.count - next.offset) * 4, index == 1 ? firstBucketBytes : bucketBytes)
            }
        }
        XCTAssertLessThanOrEqual(buckets[0].byteCount, firstBucketBytes)
    }

    func testATensorLargerThanTheLimitGetsItsOwnBucket() throws {
        let (tensors, blockCount) = Self.alignedLayout([100, 50_000, 100, 100])
        let buckets = try GradientBucketPlan.plan(tensors: tensors, blockCount: blockCount,
                                                  bucketBytes: 4096, firstBucketBytes: 1024)
        XCTAssertEqual(buckets.map(\.tensors), [2..<4, 1..<2, 0..<1])
    }

    func testAnIsolatedTensorGetsABucketOfItsOwnHoweverSmall() throws {
        let (tensors, blockCount) = Self.alignedLayout([100, 100, 100, 100, 100])
        let buckets = try GradientBucketPlan.plan(tensors: tensors, blockCount: blockCount,
                                                  bucketBytes: 1 << 20, firstBucketBytes: 1 << 20, isolating: 2)
        XCTAssertEqual(buckets.map(\.tensors), [3..<5, 2..<3, 0..<2])
        let last = try GradientBucketPlan.plan(tensors: tensors, blockCount: blockCount,
                                               bucketBytes: 1 << 20, firstBucketBytes: 1 << 20, isolating: 4)
        XCTAssertEqual(last.map(\.tensors), [4..<5, 0..<4])
    }

    func testInvalidLayoutsAreRejected() {
        let overlapping = [TensorRange(offset: 0, count: 10), TensorRange(offset: 5, count: 10)]
        XCTAssertThrowsError(try GradientBucketPlan.plan(tensors: overlapping, blockCount: 100, bucketBytes: 64,
                                                         firstBucketBytes: 64)) {
            XCTAssertTrue("\($0)".contains("tensor 1 (offset 5, count 10)"), "\($0)")
        }
        let outside = [TensorRange(offset: 90, count: 20)]
        XCTAssertThrowsError(try GradientBucketPlan.plan(tensors: outside, blockCount: 100, bucketBytes: 64,
                                                         firstBucketBytes: 64))
        XCTAssertThrowsError(try GradientBucketPlan.plan(tensors: [], blockCount: 0, bucketBytes: 0, firstBucketBytes: 64))
    }
}
