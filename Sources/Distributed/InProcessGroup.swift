import Foundation

/// `size` in-process ranks sharing one rendezvous; hands out one communicator per rank.
public final class InProcessGroup {
    public let size: Int
    /// The communicators of ranks `0..<size`, in rank order; give each to its own thread.
    public let communicators: [InProcessCommunicator]

    /// - Parameters:
    ///   - size: number of ranks, at least 1.
    ///   - timeout: seconds a rank waits inside one collective before throwing
    ///     `CommunicatorError.timeout`.
    public init(size: Int, timeout: Double = 60) {
        precondition(size >= 1, "an in-process group needs at least one rank, got \(size)")
        let rendezvous = InProcessRendezvous(size: size, timeout: timeout)
        self.size = size
        communicators = (0..<size).map { InProcessCommunicator(rank: $0, rendezvous: rendezvous) }
    }

    /// Runs `body` once per rank, each on its own thread, and returns the results in rank order.
    ///
    /// A rank's communicator is closed when its `body` returns or throws, so the others fail fast
    /// instead of waiting for it. If any rank threw, rethrows the error thrown first (the cause;
    /// other ranks' errors are usually its consequences, such as `peerLeft`).
    public static func run<T>(size: Int, timeout: Double = 60,
                              _ body: @escaping (InProcessCommunicator) throws -> T) throws -> [T] {
        let group = InProcessGroup(size: size, timeout: timeout)
        let outcomes = RankOutcomes<T>(size: size)
        let done = DispatchGroup()
        for communicator in group.communicators {
            done.enter()
            let thread = Thread {
                outcomes.record(rank: communicator.rank, Result { try body(communicator) })
                communicator.close()
                done.leave()
            }
            thread.name = "in-process rank \(communicator.rank)"
            thread.start()
        }
        done.wait()
        return try outcomes.values()
    }
}

/// What each rank's body of `InProcessGroup.run` returned or threw, and which error came first.
private final class RankOutcomes<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<T, Error>?]
    private var firstFailure: Error?

    init(size: Int) {
        results = [Result<T, Error>?](repeating: nil, count: size)
    }

    func record(rank: Int, _ result: Result<T, Error>) {
        lock.lock()
        defer { lock.unlock() }
        results[rank] = result
        if case let .failure(error) = result, firstFailure == nil { firstFailure = error }
    }

    /// The results in rank order, or the first error thrown.
    func values() throws -> [T] {
        lock.lock()
        defer { lock.unlock() }
        if let failure = firstFailure { throw failure }
        return try results.map { try $0!.get() }
    }
}
