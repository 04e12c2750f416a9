import Crypto
import Foundation

/// `manifest.json`, written last into a checkpoint directory: the step, the format version and
/// the size and SHA-256 of every other file. A checkpoint without it is incomplete.
public struct CheckpointManifest: Codable, Equatable, Sendable {
    /// The manifest's file name.
    public static let fileName = "manifest.json"
    /// The format version this code writes and reads.
    public static let currentFormatVersion = 1

    /// Size and checksum of one file.
    public struct Entry: Codable, Equatable, Sendable {
        /// Size in bytes.
        public var bytes: Int
        /// SHA-256 of the contents, lowercase hexadecimal.
        public var sha256: String

        /// An entry with explicit values.
        public init(bytes: Int, sha256: String) {
            self.bytes = bytes
            self.sha256 = sha256
        }

        enum CodingKeys: String, CodingKey {
            case bytes, sha256
        }
    }

    /// Format version of the checkpoint.
    public var formatVersion: Int
    /// Optimizer steps completed when the checkpoint was written.
    public var step: Int
    /// Creation time, ISO 8601 in UTC.
    public var createdAt: String
    /// Every file of the checkpoint except the manifest, by name.
    public var files: [String: Entry]

    /// A manifest of the current format.
    public init(step: Int, createdAt: Date, files: [String: Entry]) {
        self.formatVersion = Self.currentFormatVersion
        self.step = step
        self.createdAt = ISO8601DateFormatter().string(from: createdAt)
        self.files = files
    }

    enum CodingKeys: String, CodingKey {
        case step, files
        case formatVersion = "format_version"
        case createdAt = "created_at"
    }

    /// Size and SHA-256 of the file at `url`, read in 1 MiB chunks.
    static func entry(of url: URL) throws -> Entry {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += chunk.count
        }
        let digest = hasher.finalize().map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        return Entry(bytes: bytes, sha256: digest)
    }
}
