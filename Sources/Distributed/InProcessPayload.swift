/// Element types of in-process collectives.
enum InProcessElement: Equatable, CustomStringConvertible {
    case float, double, int64, uint8

    /// Bytes per element.
    var stride: Int {
        switch self {
        case .float: return MemoryLayout<Float>.stride
        case .double: return MemoryLayout<Double>.stride
        case .int64: return MemoryLayout<Int64>.stride
        case .uint8: return 1
        }
    }

    var description: String {
        switch self {
        case .float: return "Float"
        case .double: return "Double"
        case .int64: return "Int64"
        case .uint8: return "UInt8"
        }
    }
}

/// An aligned copy of one rank's contribution (or of a collective's result).
final class InProcessPayload {
    let bytes: UnsafeMutableRawBufferPointer

    init(copying source: UnsafeRawBufferPointer) {
        bytes = .allocate(byteCount: source.count, alignment: 16)
        if source.count > 0 { bytes.copyMemory(from: source) }
    }

    init(byteCount: Int) {
        bytes = .allocate(byteCount: byteCount, alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { bytes.deallocate() }

    /// The element-wise reduction of `contributions` (equal byte counts), combined strictly in
    /// rank order, `((c0 ∘ c1) ∘ c2) ∘ …`, so every run gives the same bits.
    static func reduce(_ contributions: [InProcessPayload], element: InProcessElement, op: ReduceOp) -> InProcessPayload {
        let result = InProcessPayload(copying: UnsafeRawBufferPointer(contributions[0].bytes))
        for contribution in contributions.dropFirst() {
            switch element {
            case .float: combine(Float.self, into: result.bytes, contribution.bytes, op: op, add: +)
            case .double: combine(Double.self, into: result.bytes, contribution.bytes, op: op, add: +)
            case .int64: combine(Int64.self, into: result.bytes, contribution.bytes, op: op, add: &+)
            case .uint8: preconditionFailure("UInt8 buffers are broadcast and gathered, never reduced")
            }
        }
        return result
    }

    /// `accumulator[i] = accumulator[i] ∘ next[i]`; max is `a > b ? a : b` and min `a < b ? a : b`,
    /// as Open MPI's operators (which matters for NaN).
    private static func combine<T: Comparable>(
        _: T.Type, into accumulator: UnsafeMutableRawBufferPointer, _ next: UnsafeMutableRawBufferPointer,
        op: ReduceOp, add: (T, T) -> T
    ) {
        let a = accumulator.bindMemory(to: T.self)
        let b = next.bindMemory(to: T.self)
        switch op {
        case .sum: for i in a.indices { a[i] = add(a[i], b[i]) }
        case .max: for i in a.indices where !(a[i] > b[i]) { a[i] = b[i] }
        case .min: for i in a.indices where !(a[i] < b[i]) { a[i] = b[i] }
        }
    }
}
