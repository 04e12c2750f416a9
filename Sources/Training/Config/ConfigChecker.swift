import Foundation
import Yams

/// Checks a YAML node tree against a ``ConfigSection`` before decoding: every key must be
/// known, every value must have its key's shape, and required keys must be present. Errors name
/// the dotted key path and its location.
struct ConfigChecker {
    /// Where the tree's values came from.
    let source: ConfigSource

    /// Checks `node` (a mapping, or nil for an empty document) against `section`.
    func check(_ node: Node?, against section: ConfigSection, path: String = "") throws {
        guard let node = node, !isNull(node) else {
            try checkRequired(present: [], in: section, path: path, node: nil)
            return
        }
        guard let mapping = node.mapping else {
            let what = path.isEmpty ? "the configuration" : "'\(path)'"
            throw ConfigError(.wrongType, key: path.isEmpty ? nil : path,
                              location: source.location(of: path, node: node),
                              message: "\(what) must be a mapping of keys, found \(describe(node))")
        }
        var present: Set<String> = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                throw ConfigError(.unknownKey, key: nil, location: source.location(mark: keyNode.mark),
                                  message: "keys must be plain words, found \(describe(keyNode))")
            }
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard let field = section.field(key) else {
                throw Self.unknownKey(keyPath, in: section, sectionPath: path,
                                      location: source.location(of: keyPath, node: keyNode))
            }
            present.insert(key)
            try check(value, field: field, path: keyPath)
        }
        try checkRequired(present: present, in: section, path: path, node: node)
    }

    /// The error for a key that `section` (at `sectionPath`) does not have.
    static func unknownKey(_ keyPath: String, in section: ConfigSection, sectionPath: String,
                           location: String) -> ConfigError {
        let key = keyPath.split(separator: ".").last.map(String.init) ?? keyPath
        var message = "unknown key '\(keyPath)'"
        if let suggestion = closestKey(to: key, in: section.knownKeys) {
            message += " (did you mean '\(suggestion)'?)"
        }
        let scope = sectionPath.isEmpty ? "at the top level" : "in '\(sectionPath)'"
        message += "; known keys \(scope): " + section.knownKeys.joined(separator: ", ")
        return ConfigError(.unknownKey, key: keyPath, location: location, message: message)
    }

    private func checkRequired(present: Set<String>, in section: ConfigSection, path: String,
                               node: Node?) throws {
        for entry in section.fields where entry.field.required && !present.contains(entry.key) {
            let keyPath = path.isEmpty ? entry.key : "\(path).\(entry.key)"
            throw ConfigError(.missingKey, key: keyPath, location: source.location(of: path, node: node),
                              message: "missing required key '\(keyPath)' (\(entry.field.kind.expectation))")
        }
    }

    private func check(_ value: Node, field: ConfigField, path: String) throws {
        if isNull(value) {
            guard field.nullable else {
                throw wrongType(path, value, expected: field.kind.expectation)
            }
            return
        }
        switch field.kind {
        case .section(let section):
            try check(value, against: section, path: path)
        case .integerList:
            guard let sequence = value.sequence else {
                throw wrongType(path, value, expected: field.kind.expectation)
            }
            for element in sequence where element.scalar.flatMap(Int.construct(from:)) == nil {
                throw wrongType(path, element, expected: "a list of integers",
                                at: source.location(of: path, node: element))
            }
        default:
            guard let scalar = value.scalar, accepts(scalar, field.kind) else {
                throw wrongType(path, value, expected: field.kind.expectation)
            }
        }
    }

    private func accepts(_ scalar: Node.Scalar, _ kind: ConfigValueKind) -> Bool {
        switch kind {
        case .string: return true
        case .integer: return Int.construct(from: scalar) != nil
        case .number: return Double.construct(from: scalar) != nil
        case .boolean: return Bool.construct(from: scalar) != nil
        case .oneOf(let words): return words.contains(scalar.string)
        case .integerList, .section: return false
        }
    }

    private func isNull(_ node: Node) -> Bool {
        node.null != nil
    }

    private func wrongType(_ path: String, _ node: Node, expected: String, at location: String? = nil) -> ConfigError {
        ConfigError(.wrongType, key: path, location: location ?? source.location(of: path, node: node),
                    message: "'\(path)' must be \(expected), found \(describe(node))")
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return "null" }
            if scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
                return "the quoted string \"\(scalar.string)\""
            }
            return "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The known key within edit distance 2 of `key`, if there is one.
    static func closestKey(to key: String, in keys: [String]) -> String? {
        let scored = keys.map { (key: $0, distance: editDistance(Array(key), Array($0))) }
        guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= 2 else {
            return nil
        }
        return best.key
    }

    /// Levenshtein distance between two character arrays.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
