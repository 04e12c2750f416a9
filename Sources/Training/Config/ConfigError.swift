import Foundation

/// A configuration that cannot be used, with the key and the place (file:line:column, or the
/// `--set` argument) that caused it.
public struct ConfigError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// What kind of problem this is.
    public enum Kind: Equatable, Sendable {
        /// The file is not valid YAML, or cannot be read.
        case syntax
        /// A key that is not part of the configuration.
        case unknownKey
        /// A value of the wrong type.
        case wrongType
        /// A required key is absent.
        case missingKey
        /// A value of the right type outside its allowed range.
        case invalidValue
        /// A `--set` argument that is not of the form `key.path=value`.
        case malformedOverride
    }

    /// What kind of problem this is.
    public let kind: Kind
    /// The dotted key path concerned (`skim.lambda`), when there is one.
    public let key: String?
    /// Where the problem is: `file:line:column`, `file`, or `--set key=value`.
    public let location: String
    /// What is wrong, naming the key.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, key: String?, location: String, message: String) {
        self.kind = kind
        self.key = key
        self.location = location
        self.message = message
    }

    /// `location: message`.
    public var description: String { "\(location): \(message)" }

    /// The same as ``description``.
    public var errorDescription: String? { description }
}
