import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes that survive a crash or power loss: fsync of files and directories, and whole-file
/// replacement by rename.
enum DurableFile {
    /// Prefix of every temporary name in a checkpoint root; such entries are leftovers of an
    /// interrupted write or removal and may be deleted.
    static let temporaryPrefix = ".tmp-"

    /// Flushes a file's or directory's contents and metadata to the storage device.
    static func sync(_ url: URL, directory: Bool = false) throws {
        let descriptor = open(url.path, directory ? O_RDONLY | O_DIRECTORY : O_RDONLY)
        guard descriptor >= 0 else { throw posixError("open", url) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw posixError("fsync", url) }
    }

    /// Replaces `url` with `data` atomically: readers see the old or the new file, never a
    /// mix. Writes a temporary file in the same directory, syncs it, renames it over `url` and
    /// syncs the directory.
    static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(
            "\(temporaryPrefix)\(url.lastPathComponent)-\(randomSuffix())")
        do {
            try data.write(to: temporary)
            try sync(temporary)
            try rename(temporary, to: url)
            try sync(directory, directory: true)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Renames `source` to `destination` with rename(2): atomic, replacing a file (or an empty
    /// directory) at the destination.
    static func rename(_ source: URL, to destination: URL) throws {
        #if canImport(Glibc)
        let result = Glibc.rename(source.path, destination.path)
        #else
        let result = Darwin.rename(source.path, destination.path)
        #endif
        guard result == 0 else {
            throw posixError("rename to \(destination.path)", source)
        }
    }

    /// 16 random hexadecimal digits, to make temporary names unique.
    static func randomSuffix() -> String {
        let value = UInt64.random(in: .min ... .max)
        return String(value, radix: 16).leftPadded(to: 16)
    }

    private static func posixError(_ operation: String, _ url: URL) -> CocoaError {
        let reason = String(cString: strerror(errno))
        return CocoaError(.fileWriteUnknown, userInfo: [
            NSFilePathErrorKey: url.path,
            NSLocalizedDescriptionKey: "\(operation) failed for \(url.path): \(reason)",
        ])
    }
}

extension String {
    /// The string preceded by zeros up to `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
