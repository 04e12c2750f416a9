import Foundation

/// Collects tensors and writes them as one safetensors file.
///
/// Layout: header keys sorted (JSON object order carries no meaning); tensor bytes laid out
/// contiguously, without gaps, **in the order they were added**; header padded with spaces to a
/// multiple of 8 bytes. Values are stored little-endian. Adding copies the values, so buffers may
/// be reused right after `add` returns.
///
/// Programming errors trap: a name added twice, the name `__metadata__`, a negative dimension, or
/// a value count different from the shape's product.
public struct SafeTensorsWriter: Sendable {
    private struct Tensor {
        let name: String
        let dtype: SafeTensorDType
        let shape: [Int]
        let bytes: Data
    }

    private var tensors: [Tensor] = []
    private var names: Set<String> = []

    /// Written as `__metadata__` (omitted when empty).
    public var metadata: [String: String] = [:]

    public init() {}

    /// Adds an F32 tensor; `floats.count` must equal the product of `shape` (`[]` holds one value).
    public mutating func add(_ name: String, shape: [Int], floats: UnsafeBufferPointer<Float>) {
        append(name, .f32, shape, littleEndianBytes(floats) { $0.bitPattern })
    }

    /// Adds an F32 tensor; `floats.count` must equal the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], floats: [Float]) {
        floats.withUnsafeBufferPointer { add(name, shape: shape, floats: $0) }
    }

    /// Adds an F64 tensor; `doubles.count` must equal the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], doubles: [Double]) {
        append(name, .f64, shape, doubles.withUnsafeBufferPointer { littleEndianBytes($0) { $0.bitPattern } })
    }

    /// Adds an I64 tensor; `int64s.count` must equal the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], int64s: [Int64]) {
        append(name, .i64, shape, int64s.withUnsafeBufferPointer { littleEndianBytes($0) { $0 } })
    }

    /// Writes to a temporary file in the same directory, fsyncs it, then renames it over `url`, so
    /// an existing file is replaced only by a complete one. Throws ``SafeTensorsError/writeFailed(file:reason:)``.
    public func write(to url: URL) throws {
        var entries: [HeaderEncoder.Entry] = []
        entries.reserveCapacity(tensors.count)
        var offset = 0
        for tensor in tensors {
            entries.append(.init(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, begin: offset, end: offset + tensor.bytes.count))
            offset += tensor.bytes.count
        }
        let header = HeaderEncoder.encode(entries: entries, metadata: metadata)
        var prefix = Data(count: 8)
        prefix.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(header.count).littleEndian, as: UInt64.self) }
        try AtomicFileWriter.replaceFile(at: url, with: [prefix, Data(header)] + tensors.map(\.bytes))
    }

    private mutating func append(_ name: String, _ dtype: SafeTensorDType, _ shape: [Int], _ bytes: Data) {
        precondition(name != "__metadata__", "SafeTensorsWriter: the name __metadata__ is reserved")
        precondition(shape.allSatisfy { $0 >= 0 }, "SafeTensorsWriter: tensor \(name) has a negative dimension in \(shape)")
        let elementCount = shape.reduce(1, *)
        precondition(elementCount * dtype.byteSize == bytes.count,
                     "SafeTensorsWriter: tensor \(name) has shape \(shape) but \(bytes.count / dtype.byteSize) values")
        precondition(names.insert(name).inserted, "SafeTensorsWriter: tensor \(name) added twice")
        tensors.append(Tensor(name: name, dtype: dtype, shape: shape, bytes: bytes))
    }

    /// The values' bit patterns, little-endian, packed: a bulk copy on little-endian hosts.
    private func littleEndianBytes<Value, Bits: FixedWidthInteger>(
        _ values: UnsafeBufferPointer<Value>, _ bits: (Value) -> Bits
    ) -> Data {
        precondition(MemoryLayout<Value>.size == MemoryLayout<Bits>.size, "bit pattern size differs from value size")
        #if _endian(little)
        return Data(buffer: values)
        #else
        var data = Data(count: values.count * MemoryLayout<Bits>.size)
        data.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            for index in 0..<values.count {
                raw.storeBytes(of: bits(values[index]).littleEndian, toByteOffset: index &* MemoryLayout<Bits>.size, as: Bits.self)
            }
        }
        return data
        #endif
    }
}
