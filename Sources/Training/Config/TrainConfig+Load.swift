import Foundation
import Yams

extension TrainConfig {
    /// Loads a configuration: parses `file` (if any) as YAML, applies each `--set key.path=value`
    /// override to the node tree, checks every key and type against the schema, decodes, and
    /// validates ranges.
    ///
    /// - Throws: ``ConfigError`` naming the key and its location (`file:line:column` or the
    ///   `--set` argument).
    public static func load(file: URL?, overrides: [String]) throws -> TrainConfig {
        let text: String?
        if let file = file {
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw ConfigError(.syntax, key: nil, location: file.relativePath,
                                  message: "cannot read the configuration file: \(error.localizedDescription)")
            }
        } else {
            text = nil
        }
        return try parse(yaml: text, fileName: file?.relativePath, overrides: overrides)
    }

    /// Loads a configuration from YAML text; `fileName` names it in error messages.
    public static func parse(yaml text: String?, fileName: String?, overrides: [String]) throws -> TrainConfig {
        var source = ConfigSource(fileName: fileName)
        var root: Node?
        if let text = text {
            do {
                root = try Yams.compose(yaml: text)
            } catch {
                throw ConfigError(.syntax, key: nil, location: fileName ?? "<yaml>",
                                  message: "not valid YAML: \(error)")
            }
        }
        let schema = CodingKeys.section
        for argument in overrides {
            let override = try ConfigOverride(parsing: argument)
            root = try override.apply(to: root, schema: schema)
            source.overrides[override.keyPath] = argument
        }
        try ConfigChecker(source: source).check(root, against: schema)

        let config: TrainConfig
        do {
            config = try YAMLDecoder().decode(TrainConfig.self, from: root ?? .mapping(Node.Mapping([])))
        } catch let error as DecodingError {
            throw convert(error, source: source, root: root)
        }
        if let issue = config.validationIssues().first {
            throw ConfigError(.invalidValue, key: issue.key,
                              location: source.location(of: issue.key, node: root.flatMap { node(at: issue.key, in: $0) }),
                              message: issue.message)
        }
        return config
    }

    /// The node at a dotted key path, if present.
    private static func node(at keyPath: String, in root: Node) -> Node? {
        keyPath.split(separator: ".").reduce(Optional(root)) { node, key in
            node?.mapping?.first { $0.key.scalar?.string == String(key) }?.value
        }
    }

    /// A decoding error the checker did not anticipate, as a ``ConfigError`` naming the key.
    private static func convert(_ error: DecodingError, source: ConfigSource, root: Node?) -> ConfigError {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            context = c
        @unknown default:
            return ConfigError(.wrongType, key: nil, location: source.location(mark: nil), message: "\(error)")
        }
        let keyPath = context.codingPath.map(\.stringValue).joined(separator: ".")
        return ConfigError(.wrongType, key: keyPath,
                           location: source.location(of: keyPath, node: root.flatMap { node(at: keyPath, in: $0) }),
                           message: "'\(keyPath)': \(context.debugDescription)")
    }
}
