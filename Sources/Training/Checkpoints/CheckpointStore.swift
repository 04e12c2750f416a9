import Foundation

/// A directory of checkpoints `root/step-<N, 8 digits>/`, each written under a temporary name,
/// sealed by a manifest written last, and renamed into place atomically (ARCHITECTURE.md,
/// "Coordinator, checkpoints, resume").
///
/// One process (rank 0) owns the store: it calls ``latestValid()`` at start, ``begin(step:)``,
/// ``commit(_:requiring:)``, ``prune(keepLast:best:)``. Other ranks either send their small
/// files (their ``RankState``) to rank 0, or, on a shared file system, write them into
/// ``draftDirectory(step:)`` between rank 0's `begin` and `commit` (with barriers).
public struct CheckpointStore: Sendable {
    /// The directory holding the checkpoints.
    public let root: URL

    /// A store at `root`, which is created when the first checkpoint is written.
    public init(root: URL) {
        self.root = root
    }

    /// A checkpoint found in the store.
    public struct Checkpoint: Equatable, Sendable {
        /// Optimizer steps completed when it was written.
        public let step: Int
        /// Its directory.
        public let directory: URL
        /// Its verified manifest.
        public let manifest: CheckpointManifest
    }

    // MARK: Names

    /// `step-00000040` for step 40.
    public static func directoryName(step: Int) -> String {
        "step-" + String(step).leftPadded(to: 8)
    }

    /// The step of a checkpoint directory name, or nil for any other name.
    public static func step(ofDirectoryName name: String) -> Int? {
        guard name.hasPrefix("step-") else { return nil }
        let digits = name.dropFirst(5)
        guard digits.count >= 8, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }

    /// The directory of the checkpoint of `step`.
    public func directory(step: Int) -> URL {
        root.appendingPathComponent(Self.directoryName(step: step), isDirectory: true)
    }

    // MARK: Writing

    /// Writes a complete checkpoint of `step` holding `files` and returns its directory.
    ///
    /// The files go into ``draftDirectory(step:)`` (`root/.tmp-step-<N>/`), each synced; then `manifest.json`
    /// (sizes and SHA-256 of every file) is written and synced, the directory is synced and
    /// renamed to `root/step-<N>/`. An existing checkpoint of the same step is replaced only
    /// once the new one is complete.
    @discardableResult
    public func write(step: Int, files: [String: CheckpointFile]) throws -> URL {
        let draft = try begin(step: step)
        do {
            for name in files.keys.sorted() {
                try draft.write(name, files[name]!)
            }
            return try commit(draft)
        } catch {
            draft.discard()
            throw error
        }
    }

    /// The temporary directory of a checkpoint of `step` being written:
    /// `root/.tmp-step-<N, 8 digits>/`. Deterministic, so that other ranks sharing the file
    /// system can write their files into it between rank 0's ``begin(step:)`` and
    /// ``commit(_:requiring:)``.
    public func draftDirectory(step: Int) -> URL {
        root.appendingPathComponent(DurableFile.temporaryPrefix + Self.directoryName(step: step), isDirectory: true)
    }

    /// Creates the temporary directory of a checkpoint of `step` (removing a stale one of the
    /// same step left by an interrupted attempt).
    public func begin(step: Int) throws -> CheckpointDraft {
        precondition(step >= 0, "checkpoint step must be ≥ 0")
        let directory = draftDirectory(step: step)
        if FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.removeItem(at: directory)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return CheckpointDraft(step: step, directory: directory)
    }

    /// Seals `draft`: checks that every name in `requiring` is present (as `rank-<r>.json` of
    /// every rank), checksums every file in its directory (including files other ranks wrote
    /// there), writes the manifest last, syncs files and directory, and renames the directory
    /// to `step-<N>/`. An existing checkpoint of the same step is replaced only once the new one
    /// is complete.
    ///
    /// - Throws: ``CheckpointError`` naming a missing required file or an unexpected entry;
    ///   the draft is left in place (call ``CheckpointDraft/discard()``).
    @discardableResult
    public func commit(_ draft: CheckpointDraft, requiring: [String] = []) throws -> URL {
        let fileManager = FileManager.default
        for name in requiring.sorted() where !fileManager.fileExists(atPath: draft.directory.appendingPathComponent(name).path) {
            throw CheckpointError(path: relativePath(draft.directory.appendingPathComponent(name)),
                                  problem: "missing from the checkpoint of step \(draft.step) (was it written?)")
        }
        var entries: [String: CheckpointManifest.Entry] = [:]
        for name in try fileManager.contentsOfDirectory(atPath: draft.directory.path).sorted() {
            let url = draft.directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            _ = fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory)
            guard !isDirectory.boolValue, CheckpointDraft.isValidFileName(name) else {
                throw CheckpointError(path: relativePath(url),
                                      problem: "unexpected entry in a checkpoint draft (only plain, non-hidden files are allowed)")
            }
            try DurableFile.sync(url)
            entries[name] = try CheckpointManifest.entry(of: url)
        }
        let manifest = CheckpointManifest(step: draft.step, createdAt: Date(), files: entries)
        let manifestURL = draft.directory.appendingPathComponent(CheckpointManifest.fileName)
        try CheckpointJSON.encode(manifest).write(to: manifestURL)
        try DurableFile.sync(manifestURL)
        try DurableFile.sync(draft.directory, directory: true)

        let final = directory(step: draft.step)
        if fileManager.fileExists(atPath: final.path) {
            let replaced = root.appendingPathComponent(
                "\(DurableFile.temporaryPrefix)replaced-\(final.lastPathComponent)-\(DurableFile.randomSuffix())")
            try DurableFile.rename(final, to: replaced)
            try DurableFile.rename(draft.directory, to: final)
            try DurableFile.sync(root, directory: true)
            try fileManager.removeItem(at: replaced)
        } else {
            try DurableFile.rename(draft.directory, to: final)
            try DurableFile.sync(root, directory: true)
        }
        return final
    }

    // MARK: Listing and removal

    /// Steps of every `step-<N>` directory in the store, ascending, verified or not.
    public func steps() throws -> [Int] {
        guard FileManager.default.fileExists(atPath: root.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: root.path)
            .compactMap(Self.step(ofDirectoryName:))
            .filter { step in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: directory(step: step).path, isDirectory: &isDirectory)
                    && isDirectory.boolValue
            }
            .sorted()
    }

    /// Removes a checkpoint directory: renamed to a temporary name first, so an interrupted
    /// removal never leaves a partial checkpoint under a real name.
    func remove(step: Int) throws {
        let doomed = root.appendingPathComponent(
            "\(DurableFile.temporaryPrefix)removing-\(Self.directoryName(step: step))-\(DurableFile.randomSuffix())")
        try DurableFile.rename(directory(step: step), to: doomed)
        try FileManager.default.removeItem(at: doomed)
    }

    /// `url`'s path relative to the root, for messages; the full path when outside it.
    func relativePath(_ url: URL) -> String {
        let rootPath = root.standardizedFileURL.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(rootPath) ? String(path.dropFirst(rootPath.count)) : path
    }
}
