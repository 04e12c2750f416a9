import Distributed
import Foundation
import Logging

/// What every distributed subcommand starts with: MPI (one process without mpirun works too),
/// logs that name the rank, and one way to stop on an error.
struct RankContext {
    let communicator: MPICommunicator
    let logger: Logger

    /// Initialises MPI and logging. Rank 0 logs at `info`, the others only warnings and errors.
    init(label: String) throws {
        communicator = try MPICommunicator()
        let rank = communicator.rank, size = communicator.size
        LoggingSystem.bootstrap { name in
            var handler = StreamLogHandler.standardError(label: size > 1 ? "\(name)[rank \(rank)]" : name)
            handler.logLevel = rank == 0 ? .info : .warning
            return handler
        }
        logger = Logger(label: label)
    }

    /// Runs `body`; an error is printed with the rank and ends every rank of the job (exit status 1),
    /// so that no rank is left waiting in a collective.
    func run(_ body: () throws -> Void) {
        do {
            try body()
            try communicator.finalize()
        } catch {
            FileHandle.standardError.write(Data("error: \(communicator.size > 1 ? "rank \(communicator.rank): " : "")\(error)\n".utf8))
            if communicator.size > 1 { communicator.abort(code: 1) }
            exit(1)
        }
    }
}
