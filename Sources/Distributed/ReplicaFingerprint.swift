/// Fingerprints of Float buffers, to prove that every rank holds bitwise-identical parameters.
public enum ReplicaFingerprint {
    /// FNV-1a over the values' bit patterns (one 32-bit word per element): equal on two ranks
    /// if (with overwhelming probability only if) the buffers are bitwise equal.
    public static func of(_ values: UnsafeBufferPointer<Float>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in values { hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}

/// The ranks whose replica differs from rank 0's, and every rank's fingerprint.
public struct ReplicaComparison: Equatable, Sendable {
    /// Each rank's `ReplicaFingerprint`, in rank order.
    public let fingerprints: [UInt64]
    /// Ranks whose fingerprint differs from rank 0's (empty when all agree).
    public var differingRanks: [Int] { fingerprints.indices.filter { fingerprints[$0] != fingerprints[0] } }
    public var allIdentical: Bool { differingRanks.isEmpty }
}

extension Communicator {
    /// Compares `values` (e.g. the parameter block) across ranks by fingerprint: one allgather of
    /// 8 bytes per rank. Collective: every rank must call it. Same result on every rank.
    public func compareReplicas(_ values: UnsafeBufferPointer<Float>) throws -> ReplicaComparison {
        let mine = Int64(bitPattern: ReplicaFingerprint.of(values))
        return ReplicaComparison(fingerprints: try allgather([mine]).map { UInt64(bitPattern: $0) })
    }
}
