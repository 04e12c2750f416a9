import Foundation

/// The names of the files of a checkpoint directory (ARCHITECTURE.md, "Coordinator,
/// checkpoints, resume").
public enum CheckpointFileName {
    /// The parameters under their Hugging Face names, loadable by `transformers`.
    public static let model = "model.safetensors"
    /// AdamW's m and v per tensor and its step counter (``OptimizerState``).
    public static let optimizer = "optimizer.safetensors"
    /// ``TrainerState``.
    public static let trainerState = TrainerState.fileName
    /// ``RankState`` of `rank`: `rank-<r>.json`.
    public static func rank(_ rank: Int) -> String { RankState.fileName(rank: rank) }

    /// Every file a complete checkpoint written by `worldSize` ranks must hold (besides the
    /// manifest): pass it to ``CheckpointStore/commit(_:requiring:)``.
    public static func required(worldSize: Int) -> [String] {
        [model, optimizer, trainerState] + (0..<worldSize).map(rank)
    }
}

extension CheckpointDraft {
    /// Adds a file from bytes in memory.
    public func add(_ name: String, data: Data) throws {
        try write(name, .data(data))
    }

    /// Adds a file written by `write` at the URL it is given (which does not exist yet), as
    /// `draft.add("model.safetensors") { try model.exportSafetensors(to: $0) }`.
    public func add(_ name: String, write writer: (URL) throws -> Void) throws {
        try withoutActuallyEscaping(writer) { try write(name, .writer($0)) }
    }

    /// Adds `trainer_state.json`.
    public func add(_ state: TrainerState) throws {
        try add(CheckpointFileName.trainerState, data: state.jsonData())
    }

    /// Adds `rank-<r>.json` of `state.rank`.
    public func add(_ state: RankState) throws {
        try add(CheckpointFileName.rank(state.rank), data: state.jsonData())
    }
}

extension CheckpointStore.Checkpoint {
    /// The URL of the file `name` in this checkpoint.
    public func url(_ name: String) -> URL {
        directory.appendingPathComponent(name)
    }

    /// Its `trainer_state.json`.
    public func trainerState() throws -> TrainerState {
        try TrainerState(jsonData: read(CheckpointFileName.trainerState), path: label(CheckpointFileName.trainerState))
    }

    /// Its `rank-<rank>.json`; the file must hold that rank.
    public func rankState(rank: Int) throws -> RankState {
        let name = CheckpointFileName.rank(rank)
        let state = try RankState(jsonData: read(name), path: label(name))
        guard state.rank == rank else {
            throw CheckpointError(path: label(name), problem: "holds the state of rank \(state.rank), not \(rank)")
        }
        return state
    }

    /// Whether the checkpoint holds `rank-<rank>.json`.
    public func hasRankState(rank: Int) -> Bool {
        manifest.files[CheckpointFileName.rank(rank)] != nil
    }

    private func read(_ name: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: url(name).path) else {
            throw CheckpointError(path: label(name), problem: "missing", kind: .corrupted)
        }
        return data
    }

    private func label(_ name: String) -> String {
        directory.lastPathComponent + "/" + name
    }
}
