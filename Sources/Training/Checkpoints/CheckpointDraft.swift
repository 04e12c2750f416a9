import Foundation

/// A checkpoint being written: a temporary directory that becomes `step-<N>/` when
/// ``CheckpointStore/commit(_:)`` seals it. Any process may write files into ``directory``
/// before the commit.
public struct CheckpointDraft: Sendable {
    /// Optimizer steps completed at this checkpoint.
    public let step: Int
    /// The temporary directory receiving the files.
    public let directory: URL

    /// Writes one file of the checkpoint. `name` must be a plain file name (no `/`, not hidden,
    /// not `manifest.json`).
    public func write(_ name: String, _ file: CheckpointFile) throws {
        guard Self.isValidFileName(name) else {
            throw CheckpointError(path: name, problem: "not a valid checkpoint file name")
        }
        let url = directory.appendingPathComponent(name)
        switch file {
        case .data(let data):
            try data.write(to: url)
        case .writer(let write):
            try write(url)
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CheckpointError(path: name, problem: "the writer did not create the file")
        }
    }

    /// Deletes the temporary directory (after a failed write).
    public func discard() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether `name` may name a file in a checkpoint.
    static func isValidFileName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && !name.hasPrefix(".") && name != CheckpointManifest.fileName
    }
}
