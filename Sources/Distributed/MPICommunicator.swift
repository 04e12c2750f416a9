import CMPI
import Foundation

/// The world communicator of an MPI job (`MPI_COMM_WORLD`), or of a single process started
/// without `mpirun` (a singleton of size 1).
///
/// Only one may exist per process, and MPI cannot be initialized again after `finalize()`.
/// MPI is initialized with `MPI_THREAD_SERIALIZED`: any one thread at a time may call the
/// communicator (async code may hop threads between calls), never two at once. MPI errors are
/// returned, not fatal (`MPI_ERRORS_RETURN` on the world communicator), and thrown as
/// `CommunicatorError.mpi` with MPI's message.
///
/// Never create one inside a test process: a singleton `MPI_Init` would start a helper daemon
/// there. Test through `mpirun` of the built executable instead.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    /// The thread support MPI granted (`MPI_THREAD_*`).
    public let threadLevel: Int32
    /// Whether `finalize()` ran; collectives then throw `CommunicatorError.closed`.
    public private(set) var isFinalized = false

    private let world: MPI_Comm?
    /// Handles handed to `MPI_Testall`, reused across calls.
    private var testScratch: [MPI_Request?] = []

    /// Serializes the one-per-process check.
    private static let creationLock = NSLock()
    private static var created = false

    /// Initializes MPI and wraps `MPI_COMM_WORLD`.
    ///
    /// Without `mpirun` (no launcher variables in the environment) it sets
    /// `OMPI_MCA_ess_singleton_isolated=1` unless already set, so the singleton runs without a
    /// helper daemon.
    public init() throws {
        MPICommunicator.creationLock.lock()
        defer { MPICommunicator.creationLock.unlock() }
        guard !MPICommunicator.created else {
            throw CommunicatorError.alreadyInitialized("this process already created an MPICommunicator")
        }
        var initialized: Int32 = 0
        try mpiCheck(MPI_Initialized(&initialized), "MPI_Initialized")
        guard initialized == 0 else {
            throw CommunicatorError.alreadyInitialized("MPI_Init was called outside MPICommunicator")
        }
        if !MPICommunicator.launchedByMPIRun {
            setenv("OMPI_MCA_ess_singleton_isolated", "1", 0)
        }
        let required = Int32(MPI_THREAD_SERIALIZED)
        var provided: Int32 = 0
        // Before MPI_Init_thread returns, errors are fatal: MPI aborts with its own message.
        try mpiCheck(MPI_Init_thread(nil, nil, required, &provided), "MPI_Init_thread")
        MPICommunicator.created = true
        world = skim_mpi_comm_world()
        threadLevel = provided
        guard provided >= required else {
            MPI_Finalize()
            throw CommunicatorError.unsupportedThreadLevel(required: required, provided: provided)
        }
        try mpiCheck(MPI_Comm_set_errhandler(world, skim_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0
        var size: Int32 = 0
        try mpiCheck(MPI_Comm_rank(world, &rank), "MPI_Comm_rank")
        try mpiCheck(MPI_Comm_size(world, &size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.size = Int(size)
    }

    /// Whether the environment shows an MPI launcher (Open MPI's `mpirun` or a PMIx launcher).
    public static var launchedByMPIRun: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// Ends MPI for this process (`MPI_Finalize`, collective: every rank must call it). Later calls
    /// do nothing; collectives afterwards throw `CommunicatorError.closed`.
    public func finalize() throws {
        if isFinalized { return }
        isFinalized = true
        try mpiCheck(MPI_Finalize(), "MPI_Finalize")
    }

    // MARK: Reductions

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOp) throws {
        try allreduce(UnsafeMutableRawPointer(buffer.baseAddress), buffer.count, skim_mpi_float(), op)
    }

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Double>, op: ReduceOp) throws {
        try allreduce(UnsafeMutableRawPointer(buffer.baseAddress), buffer.count, skim_mpi_double(), op)
    }

    public func allreduce(_ buffer: UnsafeMutableBufferPointer<Int64>, op: ReduceOp) throws {
        try allreduce(UnsafeMutableRawPointer(buffer.baseAddress), buffer.count, skim_mpi_int64(), op)
    }

    private func allreduce(_ base: UnsafeMutableRawPointer?, _ count: Int, _ type: MPI_Datatype?, _ op: ReduceOp) throws {
        try checkOpen()
        let n = try mpiCount(count)
        if n == 0 { return }
        try mpiCheck(MPI_Allreduce(skim_mpi_in_place(), base, n, type, mpiOp(op), world), "MPI_Allreduce")
    }

    public func iallreduce(_ buffer: UnsafeMutableBufferPointer<Float>, op: ReduceOp) throws -> CommunicatorRequest {
        try checkOpen()
        let n = try mpiCount(buffer.count)
        if n == 0 { return MPIRequest(handle: skim_mpi_request_null(), isComplete: true) }
        let request = MPIRequest(handle: skim_mpi_request_null(), isComplete: false)
        try mpiCheck(
            MPI_Iallreduce(skim_mpi_in_place(), buffer.baseAddress, n, skim_mpi_float(), mpiOp(op), world, &request.handle),
            "MPI_Iallreduce")
        return request
    }

    /// One `MPI_Testall` over the requests not yet complete.
    public func testAll(_ requests: [CommunicatorRequest]) throws -> Bool {
        testScratch.removeAll(keepingCapacity: true)
        for request in requests where !request.isComplete {
            guard let mpiRequest = request as? MPIRequest else {
                throw CommunicatorError.invalidArgument("testAll got a request of another communicator type")
            }
            testScratch.append(mpiRequest.handle)
        }
        if testScratch.isEmpty { return true }
        var flag: Int32 = 0
        try mpiCheck(MPI_Testall(Int32(testScratch.count), &testScratch, &flag, skim_mpi_statuses_ignore()), "MPI_Testall")
        guard flag != 0 else { return false }
        for request in requests where !request.isComplete {
            (request as! MPIRequest).markComplete()
        }
        return true
    }

    // MARK: Broadcast, gather, barrier

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        try broadcast(UnsafeMutableRawPointer(buffer.baseAddress), buffer.count, skim_mpi_float(), root)
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Double>, root: Int) throws {
        try broadcast(UnsafeMutableRawPointer(buffer.baseAddress), buffer.count, skim_mpi_double(), root)
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Int64>, root: Int) throws {
        try broadcast(UnsafeMutableRawPointer(buffer.baseAddress), buffer.count, skim_mpi_int64(), root)
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<UInt8>, root: Int) throws {
        try broadcast(UnsafeMutableRawPointer(buffer.baseAddress), buffer.count, skim_mpi_uint8(), root)
    }

    private func broadcast(_ base: UnsafeMutableRawPointer?, _ count: Int, _ type: MPI_Datatype?, _ root: Int) throws {
        try checkOpen()
        guard (0..<size).contains(root) else {
            throw CommunicatorError.invalidArgument("broadcast root \(root) is not a rank of a group of \(size)")
        }
        let n = try mpiCount(count)
        if n == 0 { return }
        try mpiCheck(MPI_Bcast(base, n, type, Int32(root), world), "MPI_Bcast")
    }

    public func allgather(_ send: UnsafeBufferPointer<UInt8>, into receive: UnsafeMutableBufferPointer<UInt8>) throws {
        try allgather(UnsafeRawPointer(send.baseAddress), send.count,
                      UnsafeMutableRawPointer(receive.baseAddress), receive.count, skim_mpi_uint8())
    }

    public func allgather(_ send: UnsafeBufferPointer<Int64>, into receive: UnsafeMutableBufferPointer<Int64>) throws {
        try allgather(UnsafeRawPointer(send.baseAddress), send.count,
                      UnsafeMutableRawPointer(receive.baseAddress), receive.count, skim_mpi_int64())
    }

    private func allgather(_ send: UnsafeRawPointer?, _ sendCount: Int, _ receive: UnsafeMutableRawPointer?,
                           _ receiveCount: Int, _ type: MPI_Datatype?) throws {
        try checkOpen()
        guard receiveCount == sendCount * size else {
            throw CommunicatorError.invalidArgument(
                "allgather of \(sendCount) elements per rank needs \(sendCount * size) receive elements, got \(receiveCount)")
        }
        let n = try mpiCount(sendCount)
        _ = try mpiCount(receiveCount)
        if n == 0 { return }
        try mpiCheck(MPI_Allgather(send, n, type, receive, n, type, world), "MPI_Allgather")
    }

    public func barrier() throws {
        try checkOpen()
        try mpiCheck(MPI_Barrier(world), "MPI_Barrier")
    }

    /// `MPI_Abort` on the world communicator: mpirun ends every rank with exit status `code`.
    public func abort(code: Int32) -> Never {
        if !isFinalized { MPI_Abort(world, code) }
        exit(code)
    }

    // MARK: Helpers

    private func checkOpen() throws {
        if isFinalized { throw CommunicatorError.closed(rank: rank) }
    }

    private func mpiOp(_ op: ReduceOp) -> MPI_Op? {
        switch op {
        case .sum: return skim_mpi_sum()
        case .max: return skim_mpi_max()
        case .min: return skim_mpi_min()
        }
    }
}
