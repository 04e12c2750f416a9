/// The order of examples within an epoch.
public enum SampleOrder: Sendable, Equatable {
    /// File order, cut into consecutive batches (evaluation).
    case sequential
    /// Shortest first (ties in file order): least padding, for evaluation.
    case sortedByLength
    /// A seeded permutation per epoch, cut into consecutive batches.
    case shuffled
    /// Length bucketing: a seeded permutation is cut into pools of `poolBatches` batches; each pool is
    /// sorted by length (ties in permutation order) and cut into batches; the full batches are then put
    /// in a seeded random order, and a final partial batch, if any, comes last.
    case lengthBucketed(poolBatches: Int)
}

/// Deterministic batches of example indices for one epoch, the same on every rank: a pure function of
/// the lengths, batch size, order, seed and epoch. A rank takes its part of each global batch with
/// `shard(_:rank:worldSize:)`; resuming after `cursor` consumed batches is `batches(epoch:)[cursor...]`.
public struct BatchSampler: Sendable, Equatable {
    /// Length in tokens of each example (used only by the length-aware orders).
    public let lengths: [Int]
    /// Examples per (global) batch.
    public let batchSize: Int
    public let order: SampleOrder
    public let seed: UInt64
    /// Leave out a final batch with fewer than `batchSize` examples.
    public let dropLast: Bool

    /// Throws `BatchError` if `batchSize` or `poolBatches` is not positive.
    public init(lengths: [Int], batchSize: Int, order: SampleOrder, seed: UInt64 = 0, dropLast: Bool = false) throws {
        guard batchSize > 0 else { throw BatchError(description: "batch size must be positive, got \(batchSize)") }
        if case .lengthBucketed(let pool) = order, pool <= 0 {
            throw BatchError(description: "pool size in batches must be positive, got \(pool)")
        }
        self.lengths = lengths
        self.batchSize = batchSize
        self.order = order
        self.seed = seed
        self.dropLast = dropLast
    }

    /// A sampler over `examples`' lengths.
    public init(examples: [EncodedExample], batchSize: Int, order: SampleOrder, seed: UInt64 = 0,
                dropLast: Bool = false) throws {
        try self.init(lengths: examples.map(\.length), batchSize: batchSize, order: order, seed: seed, dropLast: dropLast)
    }

    /// Number of examples.
    public var exampleCount: Int { lengths.count }

    /// Batches per epoch (the same for every epoch).
    public var batchCount: Int {
        dropLast ? lengths.count / batchSize : (lengths.count + batchSize - 1) / batchSize
    }

    /// The epoch's batches, each a list of example indices; every index appears once per epoch (except
    /// those of a dropped partial batch). All batches have `batchSize` indices but possibly the last.
    public func batches(epoch: Int) -> [[Int]] {
        var generator = SplitMix64(seed: seed, epoch: epoch)
        var indices = Array(lengths.indices)
        var result: [[Int]]
        switch order {
        case .sequential:
            result = Self.cut(indices, size: batchSize)
        case .sortedByLength:
            indices.sort { (lengths[$0], $0) < (lengths[$1], $1) }
            result = Self.cut(indices, size: batchSize)
        case .shuffled:
            generator.shuffle(&indices)
            result = Self.cut(indices, size: batchSize)
        case .lengthBucketed(let poolBatches):
            generator.shuffle(&indices)
            let poolSize = poolBatches * batchSize
            result = []
            result.reserveCapacity(batchCount + 1)
            for poolStart in stride(from: 0, to: indices.count, by: poolSize) {
                let pool = indices[poolStart ..< min(poolStart + poolSize, indices.count)]
                let ranked = pool.enumerated().sorted { (lengths[$0.element], $0.offset) < (lengths[$1.element], $1.offset) }
                result += Self.cut(ranked.map(\.element), size: batchSize)
            }
            var partial: [Int]? = nil
            if result.last.map({ $0.count < batchSize }) == true { partial = result.removeLast() }
            generator.shuffle(&result)
            if let partial { result.append(partial) }
        }
        if dropLast, result.last.map({ $0.count < batchSize }) == true { result.removeLast() }
        return result
    }

    /// Rank `rank`'s part of a global batch: positions `rank, rank + worldSize, …` (strided, so that in
    /// a length-sorted batch every rank gets a similar mix of lengths). Parts differ by at most one
    /// example; a part is empty when the batch has fewer examples than `rank + 1`.
    public static func shard(_ batch: [Int], rank: Int, worldSize: Int) -> [Int] {
        precondition(worldSize > 0 && (0..<worldSize).contains(rank), "rank \(rank) outside world size \(worldSize)")
        return Array(stride(from: rank, to: batch.count, by: worldSize).map { batch[$0] })
    }

    /// `rows` cut into `parts` consecutive pieces (gradient-accumulation micro-batches) whose sizes differ
    /// by at most one, larger first; pieces are empty when `rows.count < parts`.
    public static func split(_ rows: [Int], into parts: Int) -> [[Int]] {
        precondition(parts > 0, "parts must be positive")
        let base = rows.count / parts, extra = rows.count % parts
        var result: [[Int]] = []
        var start = 0
        for part in 0..<parts {
            let size = base + (part < extra ? 1 : 0)
            result.append(Array(rows[start ..< start + size]))
            start += size
        }
        return result
    }

    private static func cut(_ indices: [Int], size: Int) -> [[Int]] {
        stride(from: 0, to: indices.count, by: size).map { Array(indices[$0 ..< min($0 + size, indices.count)]) }
    }
}
