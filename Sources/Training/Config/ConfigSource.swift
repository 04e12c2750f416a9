import Foundation
import Yams

/// Where the values of a configuration tree came from, to name them in error messages.
struct ConfigSource {
    /// The configuration file as the user named it, or nil when there is none.
    let fileName: String?
    /// The original `--set` argument of each overridden dotted key path.
    var overrides: [String: String] = [:]

    /// The place that supplied the value at `path`, whose node (if any) is `node`.
    func location(of path: String, node: Node?) -> String {
        if let argument = overrides[path] {
            return "--set \(argument)"
        }
        return location(mark: node?.mark)
    }

    /// `file:line:column` for a mark in the file, or the file name alone.
    func location(mark: Mark?) -> String {
        let file = fileName ?? "<command line>"
        guard let mark = mark else { return file }
        return "\(file):\(mark.line):\(mark.column)"
    }
}
