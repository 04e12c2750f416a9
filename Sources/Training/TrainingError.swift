import Foundation

/// A problem that stops a training or evaluation run, with a message naming its cause.
public struct TrainingError: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}
