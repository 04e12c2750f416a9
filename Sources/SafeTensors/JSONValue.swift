/// A parsed JSON value, as produced by ``JSONParser``.
indirect enum JSONValue {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    /// A number, kept as its literal text so integers are read exactly.
    case number(String)
    case bool(Bool)
    case null

    /// The value as an `Int` if it is a number written as an integer (no fraction, no exponent)
    /// that fits in `Int`; otherwise `nil`.
    var integer: Int? {
        guard case let .number(text) = self, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            return nil
        }
        return Int(text)
    }

    /// A short name of the value's JSON type, or the literal for numbers, for error messages.
    var summary: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case let .number(text): return text
        case let .bool(value): return String(value)
        case .null: return "null"
        }
    }
}
