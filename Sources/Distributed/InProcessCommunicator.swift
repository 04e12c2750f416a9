import Foundation

/// One rank of an `InProcessGroup`: ranks are threads of one process, for tests of code that
/// runs under MPI.
///
/// Same contract as MPI: every rank enters the same collectives in the same order. Reductions are
/// combined in rank order (`((r0 ∘ r1) ∘ r2) ∘ …`), so results are bitwise identical on every rank
/// and in every run. Contributions are copied when a collective is entered; non-blocking
/// reductions therefore post eagerly and complete in `test()`/`wait()`. A rank waiting longer than
/// the group's timeout throws `CommunicatorError.timeout`; a rank waiting for one that `close()`d
/// throws `CommunicatorError.peerLeft`; ranks calling different collectives throw
/// `CommunicatorError.mismatch`.
public final class InProcessCommunicator: Communicator {
    public let rank: Int
    public let size: Int

    private let rendezvous: InProcessRendezvous
    /// Number of collectives this rank entered so far: the next one's key in the rendezvous.
    private var sequence = 0
    private var isClosed = false

    init(rank: Int, rendezvous: InProcessRendezvous) {
        self.rank = rank
        self.size = rendezvous.size
        self.rendezvous = rendezvous
    }

    /// Leaves the group: collectives of other ranks that still need this rank fail with
    /// `peerLeft` instead of waiting; this rank's own later collectives throw `closed`.
    public func close() {
        isClosed = true
        rendezvous.leave(rank: rank)
    }

    // MARK: Reductions

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOp) throws {
        try run(.allreduce(op), .float, UnsafeMutableRawBufferPointer(buffer))
    }

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Double>, op: ReduceOp) throws {
        try run(.allreduce(op), .double, UnsafeMutableRawBufferPointer(buffer))
    }

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Int64>, op: ReduceOp) throws {
        try run(.allreduce(op), .int64, UnsafeMutableRawBufferPointer(buffer))
    }

    public func iallreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOp) throws -> CommunicatorRequest {
        let bytes = UnsafeMutableRawBufferPointer(buffer)
        let number = try post(InProcessCollective(kind: .allreduce(op), element: .float, count: buffer.count),
                              UnsafeRawBufferPointer(bytes))
        return InProcessRequest(rendezvous: rendezvous, rank: rank, sequence: number, output: bytes)
    }

    public func testAll(_ requests: [CommunicatorRequest]) throws -> Bool {
        var all = true
        for request in requests where !(try request.test()) { all = false }
        return all
    }

    // MARK: Broadcast, gather, barrier

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        try broadcast(.float, UnsafeMutableRawBufferPointer(buffer), root: root)
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Double>, root: Int) throws {
        try broadcast(.double, UnsafeMutableRawBufferPointer(buffer), root: root)
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Int64>, root: Int) throws {
        try broadcast(.int64, UnsafeMutableRawBufferPointer(buffer), root: root)
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<UInt8>, root: Int) throws {
        try broadcast(.uint8, UnsafeMutableRawBufferPointer(buffer), root: root)
    }

    private func broadcast(_ element: InProcessElement, _ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard (0..<size).contains(root) else {
            throw CommunicatorError.invalidArgument("broadcast root \(root) is not a rank of a group of \(size)")
        }
        try run(.broadcast(root: root), element, bytes)
    }

    public func allgather(_ send: UnsafeBufferPointer<UInt8>, into receive: UnsafeMutableBufferPointer<UInt8>) throws {
        try allgather(.uint8, UnsafeRawBufferPointer(send), UnsafeMutableRawBufferPointer(receive))
    }

    public func allgather(_ send: UnsafeBufferPointer<Int64>, into receive: UnsafeMutableBufferPointer<Int64>) throws {
        try allgather(.int64, UnsafeRawBufferPointer(send), UnsafeMutableRawBufferPointer(receive))
    }

    private func allgather(_ element: InProcessElement, _ send: UnsafeRawBufferPointer,
                           _ receive: UnsafeMutableRawBufferPointer) throws {
        guard receive.count == send.count * size else {
            throw CommunicatorError.invalidArgument("allgather of \(send.count / element.stride) elements per rank needs "
                + "\(send.count / element.stride * size) receive elements, got \(receive.count / element.stride)")
        }
        let collective = InProcessCollective(kind: .allgather, element: element, count: send.count / element.stride)
        let number = try post(collective, send)
        _ = try rendezvous.collect(rank: rank, sequence: number, into: receive, blocking: true)
    }

    public func barrier() throws {
        try run(.barrier, .uint8, UnsafeMutableRawBufferPointer(start: nil, count: 0))
    }

    /// Ranks share this process, so aborting the job ends the process with status `code`.
    public func abort(code: Int32) -> Never {
        FileHandle.standardError.write("skim rank \(rank): abort with code \(code)\n".data(using: .utf8)!)
        exit(code)
    }

    // MARK: Helpers

    /// Contributes `bytes` as collective `kind` and blocks until the result is back in `bytes`.
    private func run(_ kind: InProcessCollective.Kind, _ element: InProcessElement,
                     _ bytes: UnsafeMutableRawBufferPointer) throws {
        let count = kind == .barrier ? 0 : bytes.count / element.stride
        let number = try post(InProcessCollective(kind: kind, element: element, count: count),
                              UnsafeRawBufferPointer(bytes))
        _ = try rendezvous.collect(rank: rank, sequence: number, into: bytes, blocking: true)
    }

    /// Contributes to this rank's next collective and returns its sequence number.
    private func post(_ collective: InProcessCollective, _ bytes: UnsafeRawBufferPointer) throws -> Int {
        if isClosed { throw CommunicatorError.closed(rank: rank) }
        let number = sequence
        sequence += 1
        try rendezvous.contribute(rank: rank, sequence: number, collective: collective, bytes: bytes)
        return number
    }
}

/// A posted in-process reduction: its contribution is in the rendezvous; the result is copied
/// into the caller's buffer when the last rank arrived and this rank tests or waits.
final class InProcessRequest: CommunicatorRequest {
    private let rendezvous: InProcessRendezvous
    private let rank: Int
    private let sequence: Int
    private let output: UnsafeMutableRawBufferPointer
    private(set) var isComplete = false

    init(rendezvous: InProcessRendezvous, rank: Int, sequence: Int, output: UnsafeMutableRawBufferPointer) {
        self.rendezvous = rendezvous
        self.rank = rank
        self.sequence = sequence
        self.output = output
    }

    func test() throws -> Bool {
        if !isComplete {
            isComplete = try rendezvous.collect(rank: rank, sequence: sequence, into: output, blocking: false)
        }
        return isComplete
    }

    func wait() throws {
        if !isComplete {
            isComplete = try rendezvous.collect(rank: rank, sequence: sequence, into: output, blocking: true)
        }
    }
}
