import Foundation

/// The shape a configuration value must have in YAML.
indirect enum ConfigValueKind {
    /// Any non-null scalar, taken as text.
    case string
    /// A plain integer scalar.
    case integer
    /// A plain integer or floating-point scalar.
    case number
    /// `true` or `false` (YAML 1.1 spellings accepted).
    case boolean
    /// A sequence of plain integer scalars.
    case integerList
    /// One of a fixed set of words.
    case oneOf([String])
    /// A nested mapping with its own keys.
    case section(ConfigSection)

    /// How the expectation reads in an error message.
    var expectation: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .boolean: return "true or false"
        case .integerList: return "a list of integers"
        case .oneOf(let words): return "one of " + words.joined(separator: ", ")
        case .section: return "a mapping of keys"
        }
    }
}

/// One key of a configuration section: the shape of its value and whether null or absence is
/// allowed.
struct ConfigField {
    /// The shape of a non-null value.
    let kind: ConfigValueKind
    /// Whether `null` is accepted (meaning "not set").
    let nullable: Bool
    /// Whether the key must be present.
    let required: Bool

    /// A key with a default value that must not be null.
    static func value(_ kind: ConfigValueKind) -> ConfigField {
        ConfigField(kind: kind, nullable: false, required: false)
    }

    /// A key whose value may be null; absent means null.
    static func nullable(_ kind: ConfigValueKind) -> ConfigField {
        ConfigField(kind: kind, nullable: true, required: false)
    }

    /// A key that must be present and not null.
    static func required(_ kind: ConfigValueKind) -> ConfigField {
        ConfigField(kind: kind, nullable: false, required: true)
    }
}

/// The keys a configuration mapping may hold, in declaration order.
struct ConfigSection {
    /// One key and its field.
    struct Entry {
        /// The YAML key.
        let key: String
        /// The shape of its value.
        let field: ConfigField
    }

    /// Keys and their fields, in declaration order.
    let fields: [Entry]

    /// The field of `key`, or nil when the key is unknown.
    func field(_ key: String) -> ConfigField? {
        fields.first { $0.key == key }?.field
    }

    /// The known keys, sorted, for error messages.
    var knownKeys: [String] { fields.map(\.key).sorted() }
}

/// A `CodingKeys` enum that also describes the shape of each key's value, so that the keys
/// accepted in YAML are exactly the keys decoded.
protocol ConfigSchemaKey: CaseIterable, RawRepresentable where RawValue == String {
    /// The shape of this key's value.
    var field: ConfigField { get }
}

extension ConfigSchemaKey {
    /// The section made of every case of the enum.
    static var section: ConfigSection {
        ConfigSection(fields: allCases.map { ConfigSection.Entry(key: $0.rawValue, field: $0.field) })
    }
}

extension KeyedDecodingContainer {
    /// Replaces `value` with the decoded value of `key` when the key is present and not null.
    func update<T: Decodable>(_ value: inout T, _ key: Key) throws {
        if let decoded = try decodeIfPresent(T.self, forKey: key) {
            value = decoded
        }
    }
}
