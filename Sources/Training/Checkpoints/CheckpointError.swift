import Foundation

/// A checkpoint that is missing, torn or corrupted, or a store operation that failed, naming
/// the path relative to the store root (`step-00000040/model.safetensors`).
public struct CheckpointError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// What kind of damage or failure.
    public enum Kind: String, Equatable, Sendable {
        /// The directory has no manifest: its write was interrupted.
        case torn
        /// A file is shorter than the manifest says.
        case truncated
        /// A file's contents or size disagree with the manifest, or a listed file is missing.
        case corrupted
        /// A file is unreadable or malformed, or an operation was refused.
        case invalid
    }

    /// The file or directory concerned, relative to the store root when inside it.
    public let path: String
    /// What is wrong.
    public let problem: String
    /// The kind of problem.
    public let kind: Kind

    /// Creates an error about `path`.
    public init(path: String, problem: String, kind: Kind = .invalid) {
        self.path = path
        self.problem = problem
        self.kind = kind
    }

    /// `path: problem`.
    public var description: String { "\(path): \(problem)" }

    /// The same as ``description``.
    public var errorDescription: String? { description }
}
