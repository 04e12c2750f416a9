import Foundation
import Yams

/// One `--set key.path=value` argument: a dotted key path and a YAML value, applied to the
/// configuration's node tree before it is checked and decoded.
struct ConfigOverride {
    /// The argument as given, for error messages.
    let argument: String
    /// The key path split at dots (`["skim", "lambda"]`).
    let keys: [String]
    /// The value parsed as a one-line YAML document (`0.3`, `[0, 1]`, `null`).
    let value: Node

    /// The dotted key path.
    var keyPath: String { keys.joined(separator: ".") }

    /// Parses `key.path=value`; the value is YAML, and an empty value means null.
    init(parsing argument: String) throws {
        self.argument = argument
        guard let equals = argument.firstIndex(of: "=") else {
            throw Self.malformed(argument, "expected key.path=value")
        }
        let keys = argument[..<equals].split(separator: ".", omittingEmptySubsequences: false)
            .map { String($0).trimmingCharacters(in: .whitespaces) }
        guard !keys.contains(where: \.isEmpty) else {
            throw Self.malformed(argument, "empty key in key path")
        }
        self.keys = keys
        do {
            value = try Yams.compose(yaml: String(argument[argument.index(after: equals)...]))
                ?? Node("null", .implicit, .plain)
        } catch {
            throw Self.malformed(argument, "value is not valid YAML: \(error)")
        }
    }

    /// Sets the value in `root` (a mapping, or nil for no file), creating sections as needed.
    /// Every key on the path must exist in `schema`; the last one must not be a section.
    func apply(to root: Node?, schema: ConfigSection) throws -> Node {
        try set(in: root, keys[...], section: schema, sectionPath: "")
    }

    private func set(in node: Node?, _ keys: ArraySlice<String>, section: ConfigSection,
                     sectionPath: String) throws -> Node {
        let key = keys.first!
        let keyPath = sectionPath.isEmpty ? key : "\(sectionPath).\(key)"
        guard let field = section.field(key) else {
            throw ConfigChecker.unknownKey(keyPath, in: section, sectionPath: sectionPath,
                                           location: "--set \(argument)")
        }
        if let node = node, node.mapping == nil, node.null == nil {
            return node  // not a mapping: left for the checker to report where it is written
        }
        var mapping = node?.mapping ?? Node.Mapping([])
        let index = mapping.firstIndex { $0.key.scalar?.string == key }
        let newValue: Node
        if keys.count == 1 {
            if case .section = field.kind {
                throw Self.malformed(argument, "'\(keyPath)' is a section; set one of its keys, as \(keyPath).<key>=value")
            }
            newValue = value
        } else {
            guard case .section(let inner) = field.kind else {
                throw ConfigError(.unknownKey, key: keyPath + "." + keys.dropFirst().joined(separator: "."),
                                  location: "--set \(argument)",
                                  message: "'\(keyPath)' is not a section, so '\(self.keyPath)' does not exist")
            }
            let existing = index.map { mapping[$0].value }
            newValue = try set(in: existing, keys.dropFirst(), section: inner, sectionPath: keyPath)
        }
        if let index = index {
            mapping[index] = (key: mapping[index].key, value: newValue)
        } else {
            mapping[Node(key)] = newValue
        }
        return .mapping(mapping)
    }

    private static func malformed(_ argument: String, _ problem: String) -> ConfigError {
        ConfigError(.malformedOverride, key: nil, location: "--set \(argument)", message: problem)
    }
}
