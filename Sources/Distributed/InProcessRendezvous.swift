import Foundation

/// One collective call as a rank made it; calls at the same sequence number must be equal.
struct InProcessCollective: Equatable, CustomStringConvertible {
    enum Kind: Equatable {
        case allreduce(ReduceOp)
        case broadcast(root: Int)
        case allgather
        case barrier
    }

    let kind: Kind
    let element: InProcessElement
    /// Elements each rank contributes.
    let count: Int

    var description: String {
        switch kind {
        case let .allreduce(op): return "allreduce(\(op)) of \(count) \(element)"
        case let .broadcast(root): return "broadcast from rank \(root) of \(count) \(element)"
        case .allgather: return "allgather of \(count) \(element) per rank"
        case .barrier: return "barrier"
        }
    }
}

/// The meeting point of an in-process group: each collective is a slot keyed by its sequence
/// number, filled by every rank's contribution, reduced once by the last arrival, and copied out by
/// every rank. Contributions are copied when posted, so a rank never waits to contribute.
final class InProcessRendezvous {
    let size: Int
    /// Seconds a rank waits for the others before `CommunicatorError.timeout`.
    let timeout: Double

    private let condition = NSCondition()
    private var slots: [Int: Slot] = [:]
    private var departed: [Bool]

    private final class Slot {
        let collective: InProcessCollective
        var arrived: [Bool]
        var arrivals = 0
        var contributions: [InProcessPayload?]
        var result: InProcessPayload?
        var failure: CommunicatorError?
        var collected = 0

        init(collective: InProcessCollective, size: Int) {
            self.collective = collective
            arrived = [Bool](repeating: false, count: size)
            contributions = [InProcessPayload?](repeating: nil, count: size)
        }
    }

    init(size: Int, timeout: Double) {
        self.size = size
        self.timeout = timeout
        departed = [Bool](repeating: false, count: size)
    }

    /// Records `rank`'s part of collective number `sequence`; the last rank to arrive computes the
    /// result. Throws if the rank left, or if its call differs from the other ranks' call.
    func contribute(rank: Int, sequence: Int, collective: InProcessCollective, bytes: UnsafeRawBufferPointer) throws {
        condition.lock()
        defer { condition.unlock() }
        if departed[rank] { throw CommunicatorError.closed(rank: rank) }
        let slot: Slot
        if let existing = slots[sequence] {
            slot = existing
        } else {
            slot = Slot(collective: collective, size: size)
            slots[sequence] = slot
        }
        if slot.collective != collective {
            let first = slot.arrived.firstIndex(of: true)!
            let failure = CommunicatorError.mismatch(
                "collective #\(sequence): rank \(first) called \(slot.collective), rank \(rank) called \(collective)")
            slot.failure = failure
            condition.broadcast()
            throw failure
        }
        slot.arrived[rank] = true
        slot.arrivals += 1
        if needsContribution(rank: rank, of: collective) {
            slot.contributions[rank] = InProcessPayload(copying: bytes)
        }
        if slot.arrivals == size && slot.failure == nil {
            slot.result = combine(slot)
            slot.contributions = []
            condition.broadcast()
        }
    }

    /// Copies collective `sequence`'s result into `output` once every rank contributed. With
    /// `blocking` false it returns `false` instead of waiting. Throws the collective's failure, a
    /// timeout, or `peerLeft` when a rank that has not contributed left the group.
    func collect(rank: Int, sequence: Int, into output: UnsafeMutableRawBufferPointer, blocking: Bool) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let slot = slots[sequence] else {
            preconditionFailure("rank \(rank) collects collective #\(sequence) it never contributed to")
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            if let failure = slot.failure { throw failure }
            if let result = slot.result {
                if output.count > 0 { output.copyMemory(from: UnsafeRawBufferPointer(result.bytes)) }
                slot.collected += 1
                if slot.collected == size { slots[sequence] = nil }
                return true
            }
            if let missing = (0..<size).first(where: { departed[$0] && !slot.arrived[$0] }) {
                throw CommunicatorError.peerLeft(rank: missing, operation: slot.collective.description)
            }
            if !blocking { return false }
            if !condition.wait(until: deadline) && slot.result == nil && slot.failure == nil {
                throw CommunicatorError.timeout(operation: slot.collective.description, seconds: timeout)
            }
        }
    }

    /// Marks `rank` as gone: collectives still missing its contribution fail at once.
    func leave(rank: Int) {
        condition.lock()
        departed[rank] = true
        condition.broadcast()
        condition.unlock()
    }

    private func needsContribution(rank: Int, of collective: InProcessCollective) -> Bool {
        switch collective.kind {
        case .allreduce, .allgather: return true
        case let .broadcast(root): return rank == root
        case .barrier: return false
        }
    }

    /// The result every rank receives, computed in rank order.
    private func combine(_ slot: Slot) -> InProcessPayload {
        let collective = slot.collective
        switch collective.kind {
        case let .allreduce(op):
            return InProcessPayload.reduce(slot.contributions.map { $0! }, element: collective.element, op: op)
        case let .broadcast(root):
            return slot.contributions[root]!
        case .allgather:
            let part = collective.count * collective.element.stride
            let result = InProcessPayload(byteCount: part * size)
            for (rank, contribution) in slot.contributions.enumerated() where part > 0 {
                UnsafeMutableRawBufferPointer(rebasing: result.bytes[(rank * part)..<((rank + 1) * part)])
                    .copyMemory(from: UnsafeRawBufferPointer(contribution!.bytes))
            }
            return result
        case .barrier:
            return InProcessPayload(byteCount: 0)
        }
    }
}
