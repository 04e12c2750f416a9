import Foundation

/// A checkpoint directory that ``CheckpointStore/latestValid()`` skipped, and why.
public struct SkippedCheckpoint: Equatable, Sendable {
    /// The step its directory name claims.
    public let step: Int
    /// Its directory.
    public let directory: URL
    /// The verification failure, naming the file (torn, truncated, corrupted, invalid).
    public let error: CheckpointError

    /// `skipping checkpoint step-00000040: step-00000040/model.safetensors: corrupted: …`.
    public var message: String { "skipping checkpoint \(directory.lastPathComponent): \(error)" }
}

/// What ``CheckpointStore/latestValid()`` found: the checkpoint to resume from, and everything it
/// skipped or cleaned up on the way, to report to the user.
public struct CheckpointScan: Equatable, Sendable {
    /// The newest checkpoint whose manifest verifies, nil when there is none.
    public let latest: CheckpointStore.Checkpoint?
    /// Newer checkpoints that failed verification, newest first.
    public let skipped: [SkippedCheckpoint]
    /// Names of leftover temporary entries (interrupted writes or removals) that were deleted.
    public let removedTemporaries: [String]

    /// One line per removed temporary entry, then one per skipped checkpoint (newest first).
    public var messages: [String] {
        removedTemporaries.map { "removing leftover temporary entry \($0) (interrupted write)" }
            + skipped.map(\.message)
    }
}

extension CheckpointStore {
    /// Checks a checkpoint directory against its manifest: the manifest is present and valid,
    /// names the directory's step, and every listed file exists with its size and SHA-256; no
    /// file is unlisted.
    ///
    /// - Returns: the manifest.
    /// - Throws: ``CheckpointError`` naming the file and the problem, as
    ///   `step-00000040: torn: no manifest.json (the write was interrupted)`,
    ///   `step-00000040/model.safetensors: truncated: 123 of 456 bytes` or
    ///   `step-00000040/model.safetensors: corrupted: sha256 mismatch (manifest …, file …)`.
    @discardableResult
    public func verify(_ directory: URL) throws -> CheckpointManifest {
        let fileManager = FileManager.default
        let name = relativePath(directory)
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError(path: name, problem: "no such checkpoint directory")
        }
        let manifestURL = directory.appendingPathComponent(CheckpointManifest.fileName)
        guard let manifestData = fileManager.contents(atPath: manifestURL.path) else {
            throw CheckpointError(path: name, problem: "torn: no \(CheckpointManifest.fileName) (the write was interrupted)",
                                  kind: .torn)
        }
        let manifest: CheckpointManifest
        do {
            manifest = try CheckpointJSON.decode(CheckpointManifest.self, from: manifestData, path: relativePath(manifestURL))
        } catch let error as CheckpointError {
            throw CheckpointError(path: error.path, problem: "corrupted: " + error.problem, kind: .corrupted)
        }
        guard manifest.formatVersion == CheckpointManifest.currentFormatVersion else {
            throw CheckpointError(path: relativePath(manifestURL),
                                  problem: "format version \(manifest.formatVersion), this build reads \(CheckpointManifest.currentFormatVersion)")
        }
        if let step = Self.step(ofDirectoryName: directory.lastPathComponent), step != manifest.step {
            throw CheckpointError(path: relativePath(manifestURL),
                                  problem: "manifest is for step \(manifest.step), not \(step)")
        }
        for fileName in manifest.files.keys.sorted() {
            try verifyFile(named: fileName, in: directory, against: manifest.files[fileName]!)
        }
        let present = try fileManager.contentsOfDirectory(atPath: directory.path)
        for extra in present.sorted() where extra != CheckpointManifest.fileName && manifest.files[extra] == nil {
            throw CheckpointError(path: relativePath(directory.appendingPathComponent(extra)),
                                  problem: "not listed in the manifest")
        }
        return manifest
    }

    private func verifyFile(named fileName: String, in directory: URL, against entry: CheckpointManifest.Entry) throws {
        let url = directory.appendingPathComponent(fileName)
        let path = relativePath(url)
        guard CheckpointDraft.isValidFileName(fileName) else {
            throw CheckpointError(path: path, problem: "invalid file name in the manifest")
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = (attributes[.size] as? NSNumber)?.intValue else {
            throw CheckpointError(path: path, problem: "corrupted: missing (listed in the manifest)", kind: .corrupted)
        }
        if size < entry.bytes {
            throw CheckpointError(path: path, problem: "truncated: \(size) of \(entry.bytes) bytes", kind: .truncated)
        }
        if size > entry.bytes {
            throw CheckpointError(path: path, problem: "corrupted: \(size) bytes, manifest says \(entry.bytes)",
                                  kind: .corrupted)
        }
        let actual = try CheckpointManifest.entry(of: url)
        if actual.sha256 != entry.sha256 {
            throw CheckpointError(path: path,
                                  problem: "corrupted: sha256 mismatch (manifest \(entry.sha256), file \(actual.sha256))",
                                  kind: .corrupted)
        }
    }

    /// The checkpoint in `directory` (inside this store or anywhere else, as for
    /// `resume: <path>`), verified against its manifest.
    ///
    /// - Throws: ``CheckpointError`` as ``verify(_:)``.
    public func checkpoint(at directory: URL) throws -> Checkpoint {
        let manifest = try verify(directory)
        return Checkpoint(step: manifest.step, directory: directory, manifest: manifest)
    }

    /// Finds the checkpoint to resume from: deletes leftover temporary entries, then returns the
    /// newest checkpoint (by step) whose manifest verifies, with every newer one that failed
    /// verification (torn, truncated, corrupted) and the reason, naming the file.
    ///
    /// Call it on the owning process (rank 0) before any checkpoint is written in this run.
    /// An absent root is an empty store.
    public func latestValid() throws -> CheckpointScan {
        guard FileManager.default.fileExists(atPath: root.path) else {
            return CheckpointScan(latest: nil, skipped: [], removedTemporaries: [])
        }
        let removed = try removeStaleTemporaries()
        var skipped: [SkippedCheckpoint] = []
        for step in try steps().reversed() {
            let directory = directory(step: step)
            do {
                let manifest = try verify(directory)
                return CheckpointScan(latest: Checkpoint(step: step, directory: directory, manifest: manifest),
                                      skipped: skipped, removedTemporaries: removed)
            } catch let error as CheckpointError {
                skipped.append(SkippedCheckpoint(step: step, directory: directory, error: error))
            }
        }
        return CheckpointScan(latest: nil, skipped: skipped, removedTemporaries: removed)
    }

    /// Deletes every entry of the root whose name starts with `.tmp-`: drafts of checkpoints
    /// whose write was interrupted, removals cut short, temporary `best.json` files. Call it on
    /// the owning process at start, before any checkpoint is written (``latestValid()`` does).
    ///
    /// - Returns: the deleted names, sorted.
    @discardableResult
    public func removeStaleTemporaries() throws -> [String] {
        guard FileManager.default.fileExists(atPath: root.path) else { return [] }
        var removed: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        where name.hasPrefix(DurableFile.temporaryPrefix) {
            try FileManager.default.removeItem(at: root.appendingPathComponent(name))
            removed.append(name)
        }
        return removed
    }
}
