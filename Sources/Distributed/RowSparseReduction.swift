import Foundation

/// A tensor of the gradient block stored as `rows × width` (row-major) whose gradient is zero
/// outside a few rows: a word embedding, where only the rows of the tokens in the batch receive a
/// gradient (for MiniLM-L6 and BERT-base the 30,522-row table is half of all gradient bytes).
public struct RowSparseTensor: Equatable, Sendable {
    /// The tensor's index in layout order.
    public let index: Int
    /// Elements per row.
    public let width: Int

    public init(index: Int, width: Int) {
        self.index = index
        self.width = width
    }
}

/// Sums a row-sparse slice across ranks by exchanging only the rows that are non-zero on at least
/// one rank: each rank marks its non-zero rows in a bit set, the bit sets are gathered and OR-ed
/// (so every rank agrees on the same rows), those rows are packed into one buffer, allreduced and
/// copied back. Rows that are zero on every rank stay zero, exactly what a dense allreduce gives;
/// the rows exchanged are summed element by element as a dense allreduce would.
///
/// Every buffer is allocated once (the pack buffer grows to the largest union seen), so a step
/// allocates nothing once the union has reached its usual size.
final class RowSparseReduction {
    let rows: Int
    let width: Int
    /// 64 rows per word.
    private let words: Int
    private let localBits: UnsafeMutableBufferPointer<Int64>
    /// Every rank's bit set, rank-major (`size · words`).
    private let gatheredBits: UnsafeMutableBufferPointer<Int64>
    /// Indices of the rows exchanged in the last reduction, ascending; the first `unionCount` count.
    private let unionRows: UnsafeMutableBufferPointer<Int32>
    private(set) var unionCount = 0
    private var packed: UnsafeMutableBufferPointer<Float>

    init(rows: Int, width: Int, worldSize: Int) {
        self.rows = rows
        self.width = width
        words = (rows + 63) / 64
        localBits = .allocate(capacity: words)
        gatheredBits = .allocate(capacity: words * worldSize)
        unionRows = .allocate(capacity: rows)
        packed = .allocate(capacity: 0)
    }

    deinit {
        localBits.deallocate()
        gatheredBits.deallocate()
        unionRows.deallocate()
        packed.deallocate()
    }

    /// Replaces `slice` (`rows · width` Floats) on every rank by the element-wise sum over ranks.
    /// Returns the bytes exchanged per rank: the packed rows and the gathered bit sets.
    func sum(_ slice: UnsafeMutableBufferPointer<Float>, communicator: Communicator) throws -> Int {
        precondition(slice.count == rows * width, "row-sparse slice of \(slice.count) elements, expected \(rows) × \(width)")
        markNonZeroRows(slice)
        try communicator.allgather(UnsafeBufferPointer(localBits), into: gatheredBits)
        collectUnion(worldSize: communicator.size)
        let count = unionCount * width
        let bytes = count * MemoryLayout<Float>.stride + words * communicator.size * MemoryLayout<Int64>.stride
        guard count > 0 else { return bytes }
        if packed.count < count {
            packed.deallocate()
            packed = .allocate(capacity: min(rows * width, max(count, 2 * packed.count)))
        }
        let base = slice.baseAddress!
        let buffer = packed.baseAddress!
        for (position, row) in unionRows[0..<unionCount].enumerated() {
            (buffer + position * width).update(from: base + Int(row) * width, count: width)
        }
        try communicator.allreduce(UnsafeMutableBufferPointer(rebasing: packed[0..<count]), op: .sum)
        for (position, row) in unionRows[0..<unionCount].enumerated() {
            (base + Int(row) * width).update(from: buffer + position * width, count: width)
        }
        return bytes
    }

    /// Multiplies the rows exchanged by the last `sum` by `scale` (every other row is zero).
    func scaleUnion(_ slice: UnsafeMutableBufferPointer<Float>, by scale: Float) {
        let base = slice.baseAddress!
        for row in unionRows[0..<unionCount] {
            let values = base + Int(row) * width
            for index in 0..<width { values[index] *= scale }
        }
    }

    /// Sets bit `r` of `localBits` when row `r` holds any bit pattern other than +0.0 (so -0.0 and
    /// NaN rows are exchanged too, as a dense allreduce would carry them).
    private func markNonZeroRows(_ slice: UnsafeMutableBufferPointer<Float>) {
        let base = UnsafeRawPointer(slice.baseAddress!).assumingMemoryBound(to: UInt32.self)
        for word in 0..<words {
            var bits: UInt64 = 0
            for row in (word * 64)..<min(rows, word * 64 + 64) {
                let values = base + row * width
                var any: UInt32 = 0
                for index in 0..<width { any |= values[index] }
                if any != 0 { bits |= 1 << UInt64(row - word * 64) }
            }
            localBits[word] = Int64(bitPattern: bits)
        }
    }

    /// The OR of every rank's bit set, as ascending row indices in `unionRows`.
    private func collectUnion(worldSize: Int) {
        unionCount = 0
        for word in 0..<words {
            var bits: UInt64 = 0
            for rank in 0..<worldSize { bits |= UInt64(bitPattern: gatheredBits[rank * words + word]) }
            while bits != 0 {
                let bit = bits.trailingZeroBitCount
                unionRows[unionCount] = Int32(word * 64 + bit)
                unionCount += 1
                bits &= bits - 1
            }
        }
    }
}
