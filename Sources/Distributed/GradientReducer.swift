/// Averages a flat Float gradient block across ranks, overlapping the reduction with backward.
///
/// The block is cut once into persistent buckets (see `GradientBucketPlan`). Each step:
/// `beginStep()`; `markReady(tensorIndex:)` as backward finishes each tensor, which posts a
/// bucket's non-blocking allreduce once all its tensors are ready — always in bucket order, so
/// every rank posts the same sequence; `progress()` between layers (MPI only advances
/// non-blocking collectives inside MPI calls); `finish(scale:)` before the optimizer. While a
/// step is open, the block's bucket slices belong to the reducer: posted buckets must not be read
/// or written until `finish` returns.
///
/// `reduceAll(scale:)` is the blocking path over the same buckets. With 2 ranks both paths give
/// the same bits (a + b is exact-commutative); with more ranks MPI may pick different reduction
/// orders for blocking and non-blocking calls, while results stay identical across ranks.
public final class GradientReducer {
    /// Totals since creation.
    public struct Statistics: Equatable, Sendable {
        /// Steps completed (`finish` or `reduceAll`).
        public var steps = 0
        /// Bytes allreduced over all steps (per rank).
        public var bytesReduced = 0
        /// Seconds spent inside `finish`/`reduceAll` waiting for (or posting) allreduces, summed.
        public var exposedSeconds = 0.0
        /// Exposed seconds of the last step.
        public var lastExposedSeconds = 0.0
    }

    /// Buckets in posting order (bucket 0 holds the last tensors of the layout).
    public let buckets: [GradientBucket]
    public private(set) var statistics = Statistics()

    private let communicator: Communicator
    private let block: UnsafeMutableBufferPointer<Float>
    private let watchdog: Watchdog?
    private let bucketOfTensor: [Int]
    private let tensorCount: Int

    private var isStepOpen = false
    private var tensorReady: [Bool]
    /// Tensors of each bucket not yet marked ready in this step.
    private var remaining: [Int]
    private var requests: [CommunicatorRequest?]
    /// Posted requests not yet known complete, in posting order.
    private var inFlight: [CommunicatorRequest] = []
    private var nextToPost = 0

    /// - Parameters:
    ///   - communicator: the group to average over.
    ///   - block: the flat gradient block (Float elements); it must outlive the reducer.
    ///   - tensors: each tensor's place in `block`, in layout order.
    ///   - bucketBytes: bucket size limit in bytes (default 8 MiB).
    ///   - firstBucketBytes: limit for the first bucket posted (default 1 MiB).
    ///   - watchdog: if given, every wait is reported as "allreduce gradients bucket N".
    public init(communicator: Communicator, block: UnsafeMutableBufferPointer<Float>, tensors: [TensorRange],
                bucketBytes: Int = 8 << 20, firstBucketBytes: Int = 1 << 20, watchdog: Watchdog? = nil) throws {
        buckets = try GradientBucketPlan.plan(tensors: tensors, blockCount: block.count,
                                              bucketBytes: bucketBytes, firstBucketBytes: firstBucketBytes)
        self.communicator = communicator
        self.block = block
        self.watchdog = watchdog
        tensorCount = tensors.count
        var bucketOfTensor = [Int](repeating: 0, count: tensors.count)
        for (index, bucket) in buckets.enumerated() {
            for tensor in bucket.tensors { bucketOfTensor[tensor] = index }
        }
        self.bucketOfTensor = bucketOfTensor
        tensorReady = [Bool](repeating: false, count: tensors.count)
        remaining = buckets.map { $0.tensors.count }
        requests = [CommunicatorRequest?](repeating: nil, count: buckets.count)
        inFlight.reserveCapacity(buckets.count)
    }

    /// Bytes one step reduces (the sum of the buckets' slices).
    public var bytesPerStep: Int { buckets.reduce(0) { $0 + $1.byteCount } }

    /// Opens a step: no tensor is ready, no bucket posted.
    public func beginStep() throws {
        guard !isStepOpen else { throw GradientReducerError("beginStep() while the previous step is not finished") }
        for index in tensorReady.indices { tensorReady[index] = false }
        for (index, bucket) in buckets.enumerated() {
            remaining[index] = bucket.tensors.count
            requests[index] = nil
        }
        inFlight.removeAll(keepingCapacity: true)
        nextToPost = 0
        isStepOpen = true
    }

    /// Records that backward finished tensor `tensorIndex` (layout order) for this step; posts every
    /// bucket that is now complete and whose predecessors are posted.
    public func markReady(tensorIndex: Int) throws {
        guard isStepOpen else { throw GradientReducerError("markReady(tensorIndex:) outside beginStep()/finish()") }
        guard (0..<tensorCount).contains(tensorIndex) else {
            throw GradientReducerError("tensor index \(tensorIndex) is not in 0..<\(tensorCount)")
        }
        guard !tensorReady[tensorIndex] else {
            throw GradientReducerError("tensor \(tensorIndex) marked ready twice in one step")
        }
        tensorReady[tensorIndex] = true
        remaining[bucketOfTensor[tensorIndex]] -= 1
        while nextToPost < buckets.count && remaining[nextToPost] == 0 {
            try post(nextToPost)
        }
    }

    /// Lets MPI advance the posted allreduces (one `MPI_Testall`). Never blocks.
    public func progress() throws {
        guard isStepOpen, !inFlight.isEmpty else { return }
        if try communicator.testAll(inFlight) {
            inFlight.removeAll(keepingCapacity: true)
        }
    }

    /// Posts the buckets not yet posted (their unmarked tensors count as ready), waits for all, and
    /// multiplies each bucket slice by `scale` (e.g. 1 / global examples; 1 if the loss was scaled).
    public func finish(scale: Float) throws {
        guard isStepOpen else { throw GradientReducerError("finish(scale:) without beginStep()") }
        let start = monotonicSeconds()
        while nextToPost < buckets.count { try post(nextToPost) }
        for (index, request) in requests.enumerated() {
            watchdog?.enter("allreduce gradients bucket", index)
            defer { watchdog?.leave() }
            try request!.wait()
        }
        record(seconds: monotonicSeconds() - start)
        inFlight.removeAll(keepingCapacity: true)
        isStepOpen = false
        scaleBuckets(by: scale)
    }

    /// Reduces every bucket with a blocking allreduce, in bucket order, and multiplies by `scale`.
    public func reduceAll(scale: Float) throws {
        guard !isStepOpen else { throw GradientReducerError("reduceAll(scale:) while a step is open") }
        let start = monotonicSeconds()
        for (index, bucket) in buckets.enumerated() {
            watchdog?.enter("allreduce gradients bucket", index)
            defer { watchdog?.leave() }
            try communicator.allreduce(slice(bucket), op: .sum)
        }
        record(seconds: monotonicSeconds() - start)
        scaleBuckets(by: scale)
    }

    private func post(_ index: Int) throws {
        let request = try communicator.iallreduce(slice(buckets[index]), op: .sum)
        requests[index] = request
        inFlight.append(request)
        nextToPost = index + 1
    }

    private func slice(_ bucket: GradientBucket) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: block[bucket.elements])
    }

    private func scaleBuckets(by scale: Float) {
        guard scale != 1 else { return }
        for bucket in buckets {
            let values = slice(bucket)
            for index in values.indices { values[index] *= scale }
        }
    }

    private func record(seconds: Double) {
        statistics.steps += 1
        statistics.bytesReduced += bytesPerStep
        statistics.exposedSeconds += seconds
        statistics.lastExposedSeconds = seconds
    }
}
