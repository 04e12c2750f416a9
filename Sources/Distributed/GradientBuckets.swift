/// One tensor's place in the flat gradient block, in elements.
public struct TensorRange: Equatable, Sendable {
    public let offset: Int
    public let count: Int

    public init(offset: Int, count: Int) {
        self.offset = offset
        self.count = count
    }
}

/// A contiguous slice of the gradient block reduced by one allreduce.
public struct GradientBucket: Equatable, Sendable {
    /// Elements of the block, from the first element of its first tensor to the end of its last
    /// (padding between its tensors included).
    public let elements: Range<Int>
    /// Indices (in layout order) of the tensors it holds.
    public let tensors: Range<Int>

    /// Size in bytes of the slice (Float elements).
    public var byteCount: Int { elements.count * MemoryLayout<Float>.stride }
}

/// Bucket planning: buckets in posting order, which is reverse layout order, because backward
/// produces the last tensors' gradients first.
public enum GradientBucketPlan {
    /// Groups `tensors` (layout order: ascending offsets, no overlap) into buckets, walking from the
    /// last tensor to the first. A bucket takes tensors while its slice stays within `bucketBytes`
    /// (`firstBucketBytes` for the first bucket, so communication starts early). Tensors are never
    /// split: a tensor larger than the limit gets a bucket of its own, and so does tensor
    /// `isolating` (one reduced differently, such as a row-sparse embedding).
    ///
    /// - Returns: buckets in posting order; bucket 0 holds the last tensors of the layout.
    public static func plan(tensors: [TensorRange], blockCount: Int, bucketBytes: Int,
                            firstBucketBytes: Int, isolating: Int? = nil) throws -> [GradientBucket] {
        try validate(tensors: tensors, blockCount: blockCount)
        guard bucketBytes > 0, firstBucketBytes > 0 else {
            throw GradientReducerError("bucket sizes must be positive, got \(bucketBytes) and \(firstBucketBytes) bytes")
        }
        var buckets: [GradientBucket] = []
        guard var last = tensors.indices.last else { return buckets }
        var first = last
        for index in tensors.indices.reversed().dropFirst() {
            let limit = buckets.isEmpty ? firstBucketBytes : bucketBytes
            let end = tensors[last].offset + tensors[last].count
            let fits = (end - tensors[index].offset) * MemoryLayout<Float>.stride <= limit
            if fits && index != isolating && first != isolating {
                first = index
            } else {
                buckets.append(bucket(tensors, first, last))
                last = index
                first = index
            }
        }
        buckets.append(bucket(tensors, first, last))
        return buckets
    }

    private static func bucket(_ tensors: [TensorRange], _ first: Int, _ last: Int) -> GradientBucket {
        GradientBucket(elements: tensors[first].offset..<(tensors[last].offset + tensors[last].count),
                       tensors: first..<(last + 1))
    }

    private static func validate(tensors: [TensorRange], blockCount: Int) throws {
        var end = 0
        for (index, tensor) in tensors.enumerated() {
            guard tensor.count >= 0, tensor.offset >= end, tensor.offset + tensor.count <= blockCount else {
                throw GradientReducerError("tensor \(index) (offset \(tensor.offset), count \(tensor.count)) must have a "
                    + "non-negative count, start at or after \(end) (the end of the previous tensor) and end within the "
                    + "block of \(blockCount) elements")
            }
            end = tensor.offset + tensor.count
        }
    }
}

/// A misuse of `GradientReducer` or an invalid tensor layout.
public struct GradientReducerError: Error, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = "gradient reducer: " + description
    }
}
