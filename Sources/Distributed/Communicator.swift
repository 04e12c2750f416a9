/// A reduction applied element-wise across ranks.
public enum ReduceOp: Sendable, Equatable, CustomStringConvertible {
    case sum
    case max
    case min

    public var description: String {
        switch self {
        case .sum: return "sum"
        case .max: return "max"
        case .min: return "min"
        }
    }
}

/// A posted non-blocking collective.
///
/// The buffer given when posting belongs to the operation until `test()` returned `true` or `wait()`
/// returned: it must stay allocated and must not be read or written by the caller before then.
public protocol CommunicatorRequest: AnyObject {
    /// Whether the operation is known to be complete (its result is in the buffer).
    var isComplete: Bool { get }
    /// Drives progress once and reports whether the operation completed. Never blocks.
    func test() throws -> Bool
    /// Blocks until the operation completed.
    func wait() throws
}

/// A group of `size` processes (ranks `0..<size`) that run the same collectives in the same order.
///
/// Every collective must be entered by every rank, in the same sequence, with the same element
/// type, count, operation and root; results are identical (bitwise) on every rank. Buffers are
/// counted in elements. A communicator is used by one thread at a time.
public protocol Communicator: AnyObject {
    /// This process's index in the group, `0..<size`.
    var rank: Int { get }
    /// Number of ranks in the group.
    var size: Int { get }

    /// Replaces `buffer` on every rank by the element-wise reduction of all ranks' buffers.
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOp) throws
    /// Replaces `buffer` on every rank by the element-wise reduction of all ranks' buffers.
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Double>, op: ReduceOp) throws
    /// Replaces `buffer` on every rank by the element-wise reduction of all ranks' buffers.
    /// Sums wrap around on overflow.
    func allreduce(_ buffer: UnsafeMutableBufferPointer<Int64>, op: ReduceOp) throws

    /// Posts an in-place reduction of `buffer` without waiting for it; see `CommunicatorRequest`
    /// for the buffer's ownership until completion.
    func iallreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOp) throws -> CommunicatorRequest
    /// Drives progress on all `requests` at once and reports whether every one of them completed.
    /// Never blocks.
    func testAll(_ requests: [CommunicatorRequest]) throws -> Bool

    /// Copies rank `root`'s `buffer` into every other rank's `buffer` (same count everywhere).
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws
    /// Copies rank `root`'s `buffer` into every other rank's `buffer` (same count everywhere).
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Double>, root: Int) throws
    /// Copies rank `root`'s `buffer` into every other rank's `buffer` (same count everywhere).
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Int64>, root: Int) throws
    /// Copies rank `root`'s `buffer` into every other rank's `buffer` (same count everywhere).
    func broadcast(_ buffer: UnsafeMutableBufferPointer<UInt8>, root: Int) throws

    /// Gathers every rank's `send` (same count `n` everywhere) into `receive` (`size · n` elements):
    /// rank r's elements land at `receive[r·n ..< (r+1)·n]`, identically on every rank.
    func allgather(_ send: UnsafeBufferPointer<UInt8>, into receive: UnsafeMutableBufferPointer<UInt8>) throws
    /// Gathers every rank's `send` (same count `n` everywhere) into `receive` (`size · n` elements):
    /// rank r's elements land at `receive[r·n ..< (r+1)·n]`, identically on every rank.
    func allgather(_ send: UnsafeBufferPointer<Int64>, into receive: UnsafeMutableBufferPointer<Int64>) throws

    /// Returns once every rank entered the barrier.
    func barrier() throws

    /// Ends the whole job (every rank) with exit status `code`.
    func abort(code: Int32) -> Never
}
