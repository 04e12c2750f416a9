import Foundation

/// The start-up check that every rank runs the same job: each rank contributes the same named
/// fields (layout fingerprint, config hash, data fingerprint, batch settings, world size…), the
/// values are gathered, and any difference makes every rank throw the same `HandshakeError`.
public struct Handshake {
    /// How a field's value is printed in a mismatch message.
    public enum Format: Equatable, Sendable {
        /// `0x` and 16 hex digits, for hashes and fingerprints.
        case hex
        /// Signed decimal, for counts and sizes.
        case decimal
    }

    /// One named value.
    public struct Field: Equatable, Sendable {
        public let name: String
        /// The value's 64 bits (hex fields are stored by bit pattern).
        public let bits: Int64
        public let format: Format
    }

    public private(set) var fields: [Field] = []

    public init() {}

    /// Adds a hash or fingerprint, printed in hex.
    public mutating func add(_ name: String, hex value: UInt64) {
        fields.append(Field(name: name, bits: Int64(bitPattern: value), format: .hex))
    }

    /// Adds a count or size, printed in decimal.
    public mutating func add(_ name: String, _ value: Int) {
        fields.append(Field(name: name, bits: Int64(value), format: .decimal))
    }

    /// Compares every field across ranks (two allgathers: the field list's shape, then the values).
    /// Collective: every rank must call it. Throws the same `HandshakeError` on every rank if any
    /// rank's field names or values differ from another's.
    public func verify(on communicator: Communicator) throws {
        let shape = try communicator.allgather([Int64(fields.count), Int64(bitPattern: namesFingerprint)])
        let counts = stride(from: 0, to: shape.count, by: 2).map { shape[$0] }
        let names = stride(from: 1, to: shape.count, by: 2).map { UInt64(bitPattern: shape[$0]) }
        if Set(counts).count > 1 || Set(names).count > 1 {
            let ranks = (0..<communicator.size).map { rank in
                "rank \(rank) = \(counts[rank]) fields (names \(Self.hex(names[rank])))"
            }
            throw HandshakeError(message: "handshake: ranks contribute different field lists: "
                                     + ranks.joined(separator: ", "),
                                 fields: [])
        }
        let gathered = try communicator.allgather(fields.map(\.bits))
        var differing: [String] = []
        var descriptions: [String] = []
        for (index, field) in fields.enumerated() {
            let values = (0..<communicator.size).map { gathered[$0 * fields.count + index] }
            guard Set(values).count > 1 else { continue }
            differing.append(field.name)
            descriptions.append("field '\(field.name)' differs: " + Self.describe(values, format: field.format))
        }
        if !differing.isEmpty {
            throw HandshakeError(message: "handshake: " + descriptions.joined(separator: "; "), fields: differing)
        }
    }

    /// FNV-1a over the names and formats, so ranks can compare field lists with one number.
    private var namesFingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for field in fields {
            for byte in field.name.utf8 + [0, field.format == .hex ? 1 : 2] {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
        }
        return hash
    }

    /// "rank 0 = 0x…, rank 1 = 0x…"; ranks with equal values are grouped ("ranks 0-2,5 = 4").
    private static func describe(_ values: [Int64], format: Format) -> String {
        var groups: [(value: Int64, ranks: [Int])] = []
        for (rank, value) in values.enumerated() {
            if let index = groups.firstIndex(where: { $0.value == value }) {
                groups[index].ranks.append(rank)
            } else {
                groups.append((value, [rank]))
            }
        }
        return groups.map { group in
            let shown = format == .hex ? hex(UInt64(bitPattern: group.value)) : String(group.value)
            let label = group.ranks.count == 1 ? "rank" : "ranks"
            return "\(label) \(rankList(group.ranks)) = \(shown)"
        }.joined(separator: ", ")
    }

    /// Ascending ranks with runs collapsed: [0, 1, 2, 5] → "0-2,5".
    private static func rankList(_ ranks: [Int]) -> String {
        var parts: [String] = []
        var start = ranks[0]
        var previous = ranks[0]
        for rank in ranks.dropFirst() + [Int.min] {
            if rank == previous + 1 {
                previous = rank
                continue
            }
            parts.append(start == previous ? "\(start)" : "\(start)-\(previous)")
            start = rank
            previous = rank
        }
        return parts.joined(separator: ",")
    }

    private static func hex(_ value: UInt64) -> String {
        String(format: "0x%016llx", value)
    }
}

/// A handshake mismatch; identical on every rank.
public struct HandshakeError: Error, Equatable, CustomStringConvertible {
    /// Names the differing fields and which ranks had which value.
    public let message: String
    /// Names of the fields whose values differ (empty if the field lists themselves differ).
    public let fields: [String]

    public var description: String { message }
}
