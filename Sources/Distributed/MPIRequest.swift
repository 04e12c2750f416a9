import CMPI

/// A posted `MPI_Iallreduce`; completed by `MPI_Test`, `MPI_Wait` or the communicator's `MPI_Testall`.
final class MPIRequest: CommunicatorRequest {
    /// The MPI handle; `MPI_REQUEST_NULL` once complete.
    var handle: MPI_Request?
    private(set) var isComplete: Bool

    init(handle: MPI_Request?, isComplete: Bool) {
        self.handle = handle
        self.isComplete = isComplete
    }

    func test() throws -> Bool {
        if isComplete { return true }
        var flag: Int32 = 0
        try mpiCheck(MPI_Test(&handle, &flag, skim_mpi_status_ignore()), "MPI_Test")
        if flag != 0 { markComplete() }
        return isComplete
    }

    func wait() throws {
        if isComplete { return }
        try mpiCheck(MPI_Wait(&handle, skim_mpi_status_ignore()), "MPI_Wait")
        markComplete()
    }

    /// Records completion after MPI released the handle (`MPI_Test`, `MPI_Wait`, `MPI_Testall`).
    func markComplete() {
        isComplete = true
        handle = skim_mpi_request_null()
    }
}
