import Crypto
import Foundation
import Yams

extension TrainConfig {
    /// The canonical JSON of the fields that define a run's identity: every field, keys sorted,
    /// no whitespace, with `resume` and `allow_reshard` normalised to their defaults, because
    /// they say how to continue a run, not what the run is (a resume may change them).
    public func canonicalJSON() -> Data {
        var identity = self
        identity.resume = .auto
        identity.allowReshard = false
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try encoder.encode(identity)
        } catch {
            preconditionFailure("a TrainConfig always encodes to JSON: \(error)")
        }
    }

    /// A stable 64-bit identity of the configuration: the first 8 bytes (big-endian) of the
    /// SHA-256 of ``canonicalJSON()``. Equal on every rank and across resumes of one run.
    public func canonicalHash() -> UInt64 {
        SHA256.hash(data: canonicalJSON()).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The effective configuration as YAML (every field, nulls explicit, declaration order),
    /// which ``load(file:overrides:)`` reads back to an equal value.
    /// Numbers are written in their shortest exact form (`5e-05`, `0.06`, `60.0`).
    public func yaml() -> String {
        do {
            guard let node = try Yams.compose(yaml: YAMLEncoder().encode(self)) else {
                preconditionFailure("a TrainConfig encodes to a non-empty YAML document")
            }
            return try Yams.serialize(node: Self.shortestNumbers(node))
        } catch {
            preconditionFailure("a TrainConfig always encodes to YAML: \(error)")
        }
    }

    /// `node` with every plain floating-point scalar rewritten as Swift's shortest round-trip
    /// spelling, instead of the encoder's 17 significant digits.
    private static func shortestNumbers(_ node: Node) -> Node {
        switch node {
        case .mapping(var mapping):
            for index in mapping.indices {
                mapping[index] = (key: mapping[index].key, value: shortestNumbers(mapping[index].value))
            }
            return .mapping(mapping)
        case .sequence(var sequence):
            for index in sequence.indices {
                sequence[index] = shortestNumbers(sequence[index])
            }
            return .sequence(sequence)
        case .scalar(var scalar):
            if scalar.style == .plain, Int.construct(from: scalar) == nil,
               let value = Double.construct(from: scalar) {
                scalar.string = "\(value)"
            }
            return .scalar(scalar)
        case .alias:
            return node
        }
    }
}
