import Foundation

/// The contents of one checkpoint file: bytes in memory, or a closure that writes the file at
/// the URL it is given (for large files such as `model.safetensors`, written by their own writer).
public enum CheckpointFile {
    /// Bytes to write.
    case data(Data)
    /// Writes the file at the given URL, which does not exist yet.
    case writer((URL) throws -> Void)
}
