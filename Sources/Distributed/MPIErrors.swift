import CMPI

/// Throws `CommunicatorError.mpi` carrying MPI's own message unless `code` is `MPI_SUCCESS`.
@inline(__always)
func mpiCheck(_ code: Int32, _ function: StaticString) throws {
    if code != skim_mpi_success() { throw mpiError(code: code, function: function) }
}

/// The error for a failed MPI call, with the text of `MPI_Error_string`.
func mpiError(code: Int32, function: StaticString) -> CommunicatorError {
    let capacity = Int(skim_mpi_max_error_string())
    var text = [CChar](repeating: 0, count: capacity + 1)
    var length: Int32 = 0
    let message: String
    if MPI_Error_string(code, &text, &length) == skim_mpi_success() {
        let bytes = text.prefix(Int(max(0, min(length, Int32(capacity))))).map { UInt8(bitPattern: $0) }
        message = String(decoding: bytes, as: UTF8.self)
    } else {
        message = "unknown MPI error"
    }
    return .mpi(function: "\(function)", code: code, message: message)
}

/// `count` as MPI's `int`, or an error for buffers MPI cannot address in one call.
@inline(__always)
func mpiCount(_ count: Int) throws -> Int32 {
    guard count <= Int(Int32.max) else {
        throw CommunicatorError.invalidArgument("\(count) elements exceed MPI's limit of \(Int32.max) per call")
    }
    return Int32(count)
}
