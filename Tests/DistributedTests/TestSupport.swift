import Foundation
import XCTest

/// An error a test body throws on purpose.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A counter shared by threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Messages collected from several threads.
final class ErrorLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []
    func append(_ message: String) { lock.lock(); entries.append(message); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return entries }
    var count: Int { messages.count }
}

/// Starts `threads` and waits (at most 10 s) until `expected` messages are in `errors`.
func runAndJoin(_ threads: [Thread], errors: ErrorLog, expected: Int) {
    threads.forEach { $0.start() }
    let deadline = Date(timeIntervalSinceNow: 10)
    while errors.count < expected && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
}

/// SplitMix64: a small seeded generator, so test data is the same in every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
