/// Failures of collectives and of communicator set-up.
public enum CommunicatorError: Error, Equatable, CustomStringConvertible {
    /// An MPI call returned `code`; `message` is MPI's own text for it (`MPI_Error_string`).
    case mpi(function: String, code: Int32, message: String)
    /// MPI was initialized already (only one `MPICommunicator` per process, never re-initialized).
    case alreadyInitialized(String)
    /// The communicator was finalized or closed; no more collectives may run on it.
    case closed(rank: Int)
    /// MPI cannot give the thread support the communicator needs.
    case unsupportedThreadLevel(required: Int32, provided: Int32)
    /// A caller error: wrong counts, ranks out of range, a buffer too large for one MPI call.
    case invalidArgument(String)
    /// Ranks entered different collectives at the same point of their sequences.
    case mismatch(String)
    /// A rank waited longer than the group's timeout for the others.
    case timeout(operation: String, seconds: Double)
    /// A rank left the group before contributing to a collective others are waiting for.
    case peerLeft(rank: Int, operation: String)

    public var description: String {
        switch self {
        case let .mpi(function, code, message):
            return "\(function) failed with MPI error \(code): \(message)"
        case let .alreadyInitialized(detail):
            return "MPI is already initialized: \(detail)"
        case let .closed(rank):
            return "communicator of rank \(rank) is closed (finalized or left the group)"
        case let .unsupportedThreadLevel(required, provided):
            return "MPI provides thread level \(provided), the communicator needs at least \(required)"
        case let .invalidArgument(detail):
            return "invalid collective: \(detail)"
        case let .mismatch(detail):
            return "ranks entered different collectives: \(detail)"
        case let .timeout(operation, seconds):
            return "\(operation) did not complete within \(seconds) s: another rank did not enter it"
        case let .peerLeft(rank, operation):
            return "rank \(rank) left the group before entering \(operation)"
        }
    }
}
