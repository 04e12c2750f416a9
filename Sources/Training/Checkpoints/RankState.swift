import Foundation

/// `rank-<N>.json`: what one process needs to continue bitwise: its random generator state
/// and its data cursor.
public struct RankState: Codable, Equatable, Sendable {
    /// The file name of `rank`'s state inside a checkpoint.
    public static func fileName(rank: Int) -> String { "rank-\(rank).json" }

    /// The process's rank.
    public var rank: Int
    /// The words of its random generator's state.
    public var rngState: [UInt64]
    /// Its position in its shard of the data.
    public var dataCursor: Int

    /// A state with explicit values.
    public init(rank: Int, rngState: [UInt64], dataCursor: Int) {
        self.rank = rank
        self.rngState = rngState
        self.dataCursor = dataCursor
    }

    enum CodingKeys: String, CodingKey {
        case rank
        case rngState = "rng_state"
        case dataCursor = "data_cursor"
    }

    /// The JSON file contents, keys sorted.
    public func jsonData() throws -> Data {
        try CheckpointJSON.encode(self)
    }

    /// Reads ``jsonData()``; errors name `path`.
    public init(jsonData: Data, path: String) throws {
        self = try CheckpointJSON.decode(RankState.self, from: jsonData, path: path)
    }
}
