/// Averages a flat Float gradient block across ranks, overlapping the reduction with backward.
///
/// The block is cut once into persistent buckets (see `GradientBucketPlan`). Each step:
/// `beginStep()`; as backward finishes gradients (in reverse layout order), `markReady(from:)`
/// with the lowest offset finished so far (or `markReady(tensorIndex:)` / `markReady(tensors:)`),
/// which posts a bucket's non-blocking allreduce once all its tensors are ready — always in
/// bucket order, so every rank posts the same sequence; `progress()` between layers (MPI only
/// advances non-blocking collectives inside MPI calls); `finish()` before clipping and the
/// optimizer, which waits and divides by the world size (or multiplies by a given scale). While a
/// step is open, the block's bucket slices belong to the reducer: posted buckets must not be read
/// or written until `finish` returns.
///
/// At most `maxInFlight` buckets (default 2) are in flight at once: a complete bucket waits for
/// the oldest in flight to finish (noticed by `progress()` or the next `markReady`). Posting every
/// bucket at once is 2–5× slower with Open MPI for a ~90 MB block (measured with
/// `skim distributed-check --benchmark`).
///
/// Gradient accumulation: run the reducer only on the last micro-step (no `beginStep()` on the
/// others); the block then holds the sum of the micro-steps' gradients when it is reduced.
///
/// A row-sparse tensor (`rowSparse`, the word embedding) gets a bucket of its own, reduced with
/// blocking collectives when its turn comes: only the rows non-zero on some rank are exchanged
/// (`RowSparseReduction`), with the same result as a dense allreduce.
///
/// `reduceAll(scale:)` is the blocking path over the same buckets. With 2 ranks both paths give
/// the same bits (a + b is exact-commutative); with more ranks MPI may pick different reduction
/// orders for blocking and non-blocking calls, while results stay identical across ranks.
public final class GradientReducer {
    /// Totals since creation.
    public struct Statistics: Equatable, Sendable {
        /// Steps completed (`finish` or `reduceAll`).
        public var steps = 0
        /// Bytes exchanged over all steps (per rank).
        public var bytesReduced = 0
        /// Bytes exchanged in the last step (per rank).
        public var lastBytesReduced = 0
        /// Seconds spent inside `finish`/`reduceAll` waiting for (or posting) allreduces, summed.
        public var exposedSeconds = 0.0
        /// Exposed seconds of the last step.
        public var lastExposedSeconds = 0.0
    }

    /// Buckets in posting order (bucket 0 holds the last tensors of the layout).
    public let buckets: [GradientBucket]
    /// At most this many buckets are in flight (posted, not known complete) at once; a complete
    /// bucket waits for a slot. Open MPI's non-blocking allreduces slow each other down when many
    /// run at once (each allocates its own temporary buffer).
    public let maxInFlight: Int
    public private(set) var statistics = Statistics()

    private let communicator: Communicator
    private let block: UnsafeMutableBufferPointer<Float>
    private let watchdog: Watchdog?
    private let bucketOfTensor: [Int]
    private let tensorCount: Int
    /// Each tensor's first element, ascending (layout order).
    private let tensorOffsets: [Int]
    /// The row-sparse tensor's bucket and its reduction.
    private let sparseBucket: Int?
    private let sparseReduction: RowSparseReduction?
    /// Seconds spent in this step's blocking row-sparse reduction, and bytes sent so far.
    private var stepSparseSeconds = 0.0
    private var stepBytes = 0

    private var stepOpen = false
    private var tensorReady: [Bool]
    /// Tensors of each bucket not yet marked ready in this step.
    private var remaining: [Int]
    private var requests: [CommunicatorRequest?]
    /// Buckets `firstInFlight..<nextToPost` are posted and not known complete; those below
    /// `firstInFlight` are complete.
    private var firstInFlight = 0
    private var nextToPost = 0
    /// Every tensor at this index or above was marked ready by `markReady(from:)` in this step.
    private var readyFromIndex = 0

    /// - Parameters:
    ///   - communicator: the group to average over.
    ///   - block: the flat gradient block (Float elements); it must outlive the reducer.
    ///   - tensors: each tensor's place in `block`, in layout order.
    ///   - bucketBytes: bucket size limit in bytes (default 8 MiB).
    ///   - firstBucketBytes: limit for the first bucket posted (default 1 MiB).
    ///   - maxInFlight: buckets in flight at once (default 2; at least 1).
    ///   - rowSparse: a tensor whose gradient is zero outside a few rows, reduced row-sparsely
    ///     when there is more than one rank.
    ///   - watchdog: if given, every wait is reported as "allreduce gradients bucket N".
    public init(communicator: Communicator, block: UnsafeMutableBufferPointer<Float>, tensors: [TensorRange],
                bucketBytes: Int = 8 << 20, firstBucketBytes: Int = 1 << 20, maxInFlight: Int = 2,
                rowSparse: RowSparseTensor? = nil, watchdog: Watchdog? = nil) throws {
        buckets = try GradientBucketPlan.plan(tensors: tensors, blockCount: block.count, bucketBytes: bucketBytes,
                                              firstBucketBytes: firstBucketBytes, isolating: rowSparse?.index)
        guard maxInFlight >= 1 else { throw GradientReducerError("maxInFlight must be at least 1, got \(maxInFlight)") }
        if let rowSparse {
            guard tensors.indices.contains(rowSparse.index), rowSparse.width > 0,
                  tensors[rowSparse.index].count % rowSparse.width == 0 else {
                throw GradientReducerError("row-sparse tensor \(rowSparse.index) with rows of \(rowSparse.width) elements "
                    + "does not match the \(tensors.count) tensors of the layout")
            }
        }
        if let rowSparse, communicator.size > 1 {
            sparseBucket = buckets.firstIndex { $0.tensors == rowSparse.index..<(rowSparse.index + 1) }
            sparseReduction = RowSparseReduction(rows: tensors[rowSparse.index].count / rowSparse.width,
                                                 width: rowSparse.width, worldSize: communicator.size)
        } else {
            sparseBucket = nil
            sparseReduction = nil
        }
        self.maxInFlight = maxInFlight
        self.communicator = communicator
        self.block = block
        self.watchdog = watchdog
        tensorCount = tensors.count
        tensorOffsets = tensors.map(\.offset)
        var bucketOfTensor = [Int](repeating: 0, count: tensors.count)
        for (index, bucket) in buckets.enumerated() {
            for tensor in bucket.tensors { bucketOfTensor[tensor] = index }
        }
        self.bucketOfTensor = bucketOfTensor
        tensorReady = [Bool](repeating: false, count: tensors.count)
        remaining = buckets.map { $0.tensors.count }
        requests = [CommunicatorRequest?](repeating: nil, count: buckets.count)
        readyFromIndex = tensors.count
    }

    /// A reducer over the flat gradient block at `gradients` (`count` Floats), whose tensors occupy
    /// `tensorRanges` (element ranges, in layout order: ascending, not overlapping; gaps allowed).
    ///
    /// - Parameters:
    ///   - communicator: the group to average over.
    ///   - gradients: the block's first element; the block must outlive the reducer.
    ///   - count: elements in the block.
    ///   - tensorRanges: each parameter tensor's elements, in layout order.
    ///   - bucketBytes: bucket size limit in bytes (default 8 MiB).
    ///   - firstBucketBytes: limit for the first bucket posted (default 1 MiB).
    ///   - maxInFlight: buckets in flight at once (default 2; at least 1).
    ///   - rowSparse: a tensor whose gradient is zero outside a few rows, reduced row-sparsely
    ///     when there is more than one rank.
    ///   - watchdog: if given, every wait is reported as "allreduce gradients bucket N".
    public convenience init(communicator: Communicator, gradients: UnsafeMutablePointer<Float>, count: Int,
                            tensorRanges: [Range<Int>], bucketBytes: Int = 8 << 20, firstBucketBytes: Int = 1 << 20,
                            maxInFlight: Int = 2, rowSparse: RowSparseTensor? = nil, watchdog: Watchdog? = nil) throws {
        try self.init(communicator: communicator, block: UnsafeMutableBufferPointer(start: gradients, count: count),
                      tensors: tensorRanges.map { TensorRange(offset: $0.lowerBound, count: $0.count) },
                      bucketBytes: bucketBytes, firstBucketBytes: firstBucketBytes, maxInFlight: maxInFlight,
                      rowSparse: rowSparse, watchdog: watchdog)
    }

    /// Whether a step is open (`beginStep()` called, `finish` not yet).
    public var isStepOpen: Bool { stepOpen }

    /// Bytes of the buckets' slices: what one step reduces without a row-sparse tensor (with
    /// one, `statistics.lastBytesReduced` tells what was sent).
    public var bytesPerStep: Int { buckets.reduce(0) { $0 + $1.byteCount } }

    /// Opens a step: no tensor is ready, no bucket posted.
    public func beginStep() throws {
        guard !stepOpen else { throw GradientReducerError("beginStep() while the previous step is not finished") }
        for index in tensorReady.indices { tensorReady[index] = false }
        for (index, bucket) in buckets.enumerated() {
            remaining[index] = bucket.tensors.count
            requests[index] = nil
        }
        firstInFlight = 0
        nextToPost = 0
        readyFromIndex = tensorCount
        stepSparseSeconds = 0
        stepBytes = 0
        stepOpen = true
    }

    /// Records that backward finished tensor `tensorIndex` (layout order) for this step; posts every
    /// bucket that is now complete and whose predecessors are posted.
    public func markReady(tensorIndex: Int) throws {
        guard stepOpen else { throw GradientReducerError("markReady(tensorIndex:) outside beginStep()/finish()") }
        guard (0..<tensorCount).contains(tensorIndex) else {
            throw GradientReducerError("tensor index \(tensorIndex) is not in 0..<\(tensorCount)")
        }
        guard !tensorReady[tensorIndex] else {
            throw GradientReducerError("tensor \(tensorIndex) marked ready twice in one step")
        }
        setReady(tensorIndex)
        try postCompleteBuckets()
    }

    /// Records that backward finished tensors `tensors` (indices in layout order, e.g. one layer's)
    /// for this step; posts what became complete. Each tensor may be marked once per step.
    public func markReady(tensors: Range<Int>) throws {
        guard stepOpen else { throw GradientReducerError("markReady(tensors:) outside beginStep()/finish()") }
        guard tensors.lowerBound >= 0, tensors.upperBound <= tensorCount else {
            throw GradientReducerError("tensor indices \(tensors) are not within 0..<\(tensorCount)")
        }
        if let twice = tensors.first(where: { tensorReady[$0] }) {
            throw GradientReducerError("tensor \(twice) marked ready twice in one step")
        }
        for index in tensors { setReady(index) }
        try postCompleteBuckets()
    }

    /// Records that backward finished every gradient at element `offset` and above (the tensors
    /// starting at or after `offset`), as it does in reverse layout order; posts what became
    /// complete. Offsets may repeat or go down in any steps; tensors already ready stay ready.
    /// `markReady(from: 0)` marks every tensor.
    public func markReady(from offset: Int) throws {
        guard stepOpen else { throw GradientReducerError("markReady(from:) outside beginStep()/finish()") }
        guard offset >= 0 else { throw GradientReducerError("markReady(from: \(offset)): offset must not be negative") }
        // First tensor starting at or after `offset` (binary search over ascending offsets).
        var low = 0
        var high = tensorCount
        while low < high {
            let middle = (low + high) / 2
            if tensorOffsets[middle] < offset { low = middle + 1 } else { high = middle }
        }
        guard low < readyFromIndex else { return }
        for index in low..<readyFromIndex where !tensorReady[index] { setReady(index) }
        readyFromIndex = low
        try postCompleteBuckets()
    }

    private func setReady(_ index: Int) {
        tensorReady[index] = true
        remaining[bucketOfTensor[index]] -= 1
    }

    /// Posts complete buckets in order while there is a free slot.
    private func postCompleteBuckets() throws {
        while nextToPost < buckets.count && remaining[nextToPost] == 0 {
            if nextToPost - firstInFlight >= maxInFlight {
                try reapCompleted()
                if nextToPost - firstInFlight >= maxInFlight { return }
            }
            try post(nextToPost)
        }
    }

    /// Tests the oldest in-flight buckets (each test also drives MPI's progress on the others) and
    /// retires those complete, oldest first. Never blocks.
    private func reapCompleted() throws {
        while firstInFlight < nextToPost, try requests[firstInFlight]?.test() ?? true {
            firstInFlight += 1
        }
    }

    /// Lets MPI advance the posted allreduces (`MPI_Test` on the oldest), and posts complete
    /// buckets that were waiting for a free slot. Never blocks. Call it between layers.
    public func progress() throws {
        guard stepOpen, firstInFlight < nextToPost || nextToPost < buckets.count else { return }
        try reapCompleted()
        try postCompleteBuckets()
    }

    /// Posts the buckets not yet posted (their unmarked tensors count as ready), waits for all, and
    /// multiplies each bucket slice by `scale`: by default 1 / world size (the mean of the ranks'
    /// gradients); 1 if the loss was already normalised by the global number of examples.
    public func finish(scale: Float? = nil) throws {
        guard stepOpen else { throw GradientReducerError("finish(scale:) without beginStep()") }
        // A row-sparse reduction posted below is inside the measured window already; only one
        // that ran earlier, during backward, is added.
        let sparseSecondsBeforeFinish = stepSparseSeconds
        let start = monotonicSeconds()
        while firstInFlight < buckets.count {
            if nextToPost < buckets.count && nextToPost - firstInFlight < maxInFlight {
                try post(nextToPost)
                continue
            }
            watchdog?.enter("allreduce gradients bucket", firstInFlight)
            defer { watchdog?.leave() }
            try requests[firstInFlight]?.wait()
            firstInFlight += 1
        }
        record(seconds: monotonicSeconds() - start + sparseSecondsBeforeFinish)
        stepOpen = false
        scaleBuckets(by: scale ?? 1 / Float(communicator.size))
    }

    /// Reduces every bucket with a blocking allreduce, in bucket order, and multiplies by `scale`
    /// (default 1 / world size, as in `finish`).
    public func reduceAll(scale: Float? = nil) throws {
        guard !stepOpen else { throw GradientReducerError("reduceAll(scale:) while a step is open") }
        let start = monotonicSeconds()
        stepBytes = 0
        for (index, bucket) in buckets.enumerated() {
            watchdog?.enter("allreduce gradients bucket", index)
            defer { watchdog?.leave() }
            if index == sparseBucket {
                stepBytes += try sparseReduction!.sum(slice(bucket), communicator: communicator)
            } else {
                try communicator.allreduce(slice(bucket), op: .sum)
                stepBytes += bucket.byteCount
            }
        }
        record(seconds: monotonicSeconds() - start)
        scaleBuckets(by: scale ?? 1 / Float(communicator.size))
    }

    /// Posts bucket `index`; the row-sparse bucket is reduced right away (blocking) and left
    /// without a request, which counts as complete.
    private func post(_ index: Int) throws {
        if index == sparseBucket {
            let start = monotonicSeconds()
            watchdog?.enter("allreduce gradients bucket", index)
            defer { watchdog?.leave() }
            stepBytes += try sparseReduction!.sum(slice(buckets[index]), communicator: communicator)
            stepSparseSeconds += monotonicSeconds() - start
            requests[index] = nil
        } else {
            requests[index] = try communicator.iallreduce(slice(buckets[index]), op: .sum)
            stepBytes += buckets[index].byteCount
        }
        nextToPost = index + 1
    }

    private func slice(_ bucket: GradientBucket) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: block[bucket.elements])
    }

    private func scaleBuckets(by scale: Float) {
        guard scale != 1 else { return }
        for (index, bucket) in buckets.enumerated() {
            if index == sparseBucket {
                sparseReduction!.scaleUnion(slice(bucket), by: scale)
                continue
            }
            let values = slice(bucket)
            for index in values.indices { values[index] *= scale }
        }
    }

    private func record(seconds: Double) {
        statistics.steps += 1
        statistics.bytesReduced += stepBytes
        statistics.lastBytesReduced = stepBytes
        statistics.exposedSeconds += seconds
        statistics.lastExposedSeconds = seconds
    }
}
