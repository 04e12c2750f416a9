import Foundation

/// A JSON value read back from a run log or a configuration's canonical JSON, comparable with
/// `==`. Numbers are Doubles: the writers use shortest round-trip spellings, so a value read
/// back equals the value written, bit for bit; integers up to 2⁵³ are exact.
public enum JSONValue: Codable, Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value as compact JSON with sorted keys (whole numbers without a fraction).
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            if value.isFinite, value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
            return "\(value)"
        case .string(let value):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            let data = (try? encoder.encode(value)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case .array(let values): return "[" + values.map(\.description).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { JSONValue.string($0).description + ":" + members[$0]!.description }
                .joined(separator: ",") + "}"
        }
    }

    /// The number, if this is one.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The string, if this is one.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Leaves of nested objects under dotted keys (`skim.tau`); arrays are leaves.
    func flattened(prefix: String = "") -> [String: JSONValue] {
        guard case .object(let members) = self else { return [prefix: self] }
        var result: [String: JSONValue] = [:]
        for (key, value) in members {
            let path = prefix.isEmpty ? key : prefix + "." + key
            if case .object = value {
                result.merge(value.flattened(prefix: path)) { first, _ in first }
            } else {
                result[path] = value
            }
        }
        return result
    }
}
