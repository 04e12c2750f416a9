import Foundation

extension Communicator {
    /// The reduction of one `Double` across ranks.
    public func allreduce(_ x: Double, op: ReduceOp) throws -> Double {
        var value = x
        try withUnsafeMutablePointer(to: &value) {
            try allreduce(UnsafeMutableBufferPointer(start: $0, count: 1), op: op)
        }
        return value
    }

    /// The reduction of one `Int` across ranks (as a 64-bit integer; sums wrap around).
    public func allreduce(_ x: Int, op: ReduceOp) throws -> Int {
        var value = Int64(x)
        try withUnsafeMutablePointer(to: &value) {
            try allreduce(UnsafeMutableBufferPointer(start: $0, count: 1), op: op)
        }
        return Int(value)
    }

    /// Rank `root`'s bytes on every rank; the length may differ between ranks (other ranks' `bytes`
    /// are ignored). Sends the length first, then the bytes.
    public func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] {
        var length = Int64(rank == root ? bytes.count : 0)
        try withUnsafeMutablePointer(to: &length) {
            try broadcast(UnsafeMutableBufferPointer(start: $0, count: 1), root: root)
        }
        guard length >= 0, length <= Int64(Int32.max) else {
            throw CommunicatorError.invalidArgument("broadcast of \(length) bytes: the length must be in 0...\(Int32.max)")
        }
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length))
        try result.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
        return result
    }

    /// Rank `root`'s data on every rank; the length may differ between ranks (other ranks' `data`
    /// is ignored). Sends the length first, then the bytes.
    public func broadcast(_ data: Data, root: Int) throws -> Data {
        Data(try broadcast([UInt8](data), root: root))
    }

    /// Every rank's `values` (same count `n` everywhere), concatenated in rank order (`size · n`).
    public func allgather(_ values: [Int64]) throws -> [Int64] {
        var result = [Int64](repeating: 0, count: values.count * size)
        try values.withUnsafeBufferPointer { send in
            try result.withUnsafeMutableBufferPointer { try allgather(send, into: $0) }
        }
        return result
    }

    /// Every rank's `bytes` (same count `n` everywhere), concatenated in rank order (`size · n`).
    public func allgather(_ bytes: [UInt8]) throws -> [UInt8] {
        var result = [UInt8](repeating: 0, count: bytes.count * size)
        try bytes.withUnsafeBufferPointer { send in
            try result.withUnsafeMutableBufferPointer { try allgather(send, into: $0) }
        }
        return result
    }

    /// `true` on every rank if and only if every rank passed `true` (a minimum across ranks).
    /// Use it for decisions that change which collectives run next: "loss is finite", "save".
    public func agreeAll(_ flag: Bool) throws -> Bool {
        try allreduce(flag ? 1 : 0, op: .min) == 1
    }

    /// `true` on every rank if at least one rank passed `true` (a maximum across ranks), e.g. "stop".
    public func agreeAny(_ flag: Bool) throws -> Bool {
        try allreduce(flag ? 1 : 0, op: .max) == 1
    }
}
