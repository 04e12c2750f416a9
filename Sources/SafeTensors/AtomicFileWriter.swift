import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file atomically: the chunks go to a uniquely named temporary file in the destination's
/// directory, which is fsynced, then renamed over the destination (and the directory fsynced).
/// Readers see either the old file or the complete new one; on failure the temporary is removed.
enum AtomicFileWriter {
    /// Writes the concatenation of `chunks` to `url`. Errors are ``SafeTensorsError/writeFailed(file:reason:)``.
    static func replaceFile(at url: URL, with chunks: [Data]) throws {
        let fileName = url.lastPathComponent
        let directory = url.deletingLastPathComponent().path
        let temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(fileName).\(UUID().uuidString).tmp").path

        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SafeTensorsError.writeFailed(file: fileName, reason: "cannot create temporary file in \(directory): \(lastErrorText())")
        }
        do {
            for chunk in chunks {
                try writeAll(chunk, to: descriptor, fileName: fileName)
            }
            guard fsync(descriptor) == 0 else {
                throw SafeTensorsError.writeFailed(file: fileName, reason: "fsync: \(lastErrorText())")
            }
        } catch {
            close(descriptor)
            unlink(temporaryPath)
            throw error
        }
        guard close(descriptor) == 0 else {
            let reason = "close: \(lastErrorText())"
            unlink(temporaryPath)
            throw SafeTensorsError.writeFailed(file: fileName, reason: reason)
        }
        guard rename(temporaryPath, url.path) == 0 else {
            let reason = "rename into place: \(lastErrorText())"
            unlink(temporaryPath)
            throw SafeTensorsError.writeFailed(file: fileName, reason: reason)
        }
        syncDirectory(directory)
    }

    /// Writes every byte of `chunk`, retrying partial writes and interrupted calls.
    private static func writeAll(_ chunk: Data, to descriptor: Int32, fileName: String) throws {
        try chunk.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var written = 0
            while written < bytes.count {
                let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw SafeTensorsError.writeFailed(file: fileName, reason: "write: \(lastErrorText())")
                }
                written += result
            }
        }
    }

    /// Makes the rename durable. Best effort: some file systems refuse to fsync directories.
    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}
