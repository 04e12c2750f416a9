/// Converts a tensor's raw little-endian bytes into host numbers, element by element over raw
/// buffers (no allocation). Each function returns `false` if the dtype cannot be converted.
///
/// Preconditions for all: `source.count == destination.count × dtype.byteSize`.
enum ElementDecoding {
    /// Floats and all integer types (BOOL as 0/1) to `Float`; F64 and I64/I32 are rounded.
    static func decode(_ dtype: SafeTensorDType, _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        switch dtype {
        case .f32: reinterpret(source, destination) { (bits: UInt32) in Float(bitPattern: bits) }
        case .f64: convert(source, destination) { (bits: UInt64) in Float(Double(bitPattern: bits)) }
        case .f16: convert(source, destination) { (bits: UInt16) in floatFromHalf(bits) }
        case .bf16: convert(source, destination) { (bits: UInt16) in Float(bitPattern: UInt32(bits) << 16) }
        case .i64: convert(source, destination) { (value: Int64) in Float(value) }
        case .i32: convert(source, destination) { (value: Int32) in Float(value) }
        case .i16: convert(source, destination) { (value: Int16) in Float(value) }
        case .i8: convert(source, destination) { (value: Int8) in Float(value) }
        case .u8: convert(source, destination) { (value: UInt8) in Float(value) }
        case .bool: convert(source, destination) { (value: UInt8) in value == 0 ? 0 : 1 }
        }
        return true
    }

    /// Floats and all integer types (BOOL as 0/1) to `Double`; I64 beyond 2^53 is rounded.
    static func decode(_ dtype: SafeTensorDType, _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Double>) -> Bool {
        switch dtype {
        case .f64: reinterpret(source, destination) { (bits: UInt64) in Double(bitPattern: bits) }
        case .f32: convert(source, destination) { (bits: UInt32) in Double(Float(bitPattern: bits)) }
        case .f16: convert(source, destination) { (bits: UInt16) in Double(floatFromHalf(bits)) }
        case .bf16: convert(source, destination) { (bits: UInt16) in Double(Float(bitPattern: UInt32(bits) << 16)) }
        case .i64: convert(source, destination) { (value: Int64) in Double(value) }
        case .i32: convert(source, destination) { (value: Int32) in Double(value) }
        case .i16: convert(source, destination) { (value: Int16) in Double(value) }
        case .i8: convert(source, destination) { (value: Int8) in Double(value) }
        case .u8: convert(source, destination) { (value: UInt8) in Double(value) }
        case .bool: convert(source, destination) { (value: UInt8) in value == 0 ? 0 : 1 }
        }
        return true
    }

    /// Integer types (BOOL as 0/1) to `Int64`, exactly. Floating-point dtypes are refused.
    static func decode(_ dtype: SafeTensorDType, _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Int64>) -> Bool {
        switch dtype {
        case .i64: reinterpret(source, destination) { (value: Int64) in value }
        case .i32: convert(source, destination) { (value: Int32) in Int64(value) }
        case .i16: convert(source, destination) { (value: Int16) in Int64(value) }
        case .i8: convert(source, destination) { (value: Int8) in Int64(value) }
        case .u8: convert(source, destination) { (value: UInt8) in Int64(value) }
        case .bool: convert(source, destination) { (value: UInt8) in value == 0 ? 0 : 1 }
        case .f64, .f32, .f16, .bf16: return false
        }
        return true
    }

    /// Like `convert`, for an output whose in-memory bits are exactly `Raw`'s: a bulk copy on
    /// little-endian hosts, where stored and host layouts agree.
    @inline(__always)
    private static func reinterpret<Raw: FixedWidthInteger, Output>(
        _ source: UnsafeRawBufferPointer, _ destination: UnsafeMutableBufferPointer<Output>, _ fromBits: (Raw) -> Output
    ) {
        #if _endian(little)
        precondition(MemoryLayout<Output>.size == MemoryLayout<Raw>.size && source.count == destination.count * MemoryLayout<Raw>.size,
                     "source and destination sizes differ")
        guard let sourceBase = source.baseAddress, let destinationBase = destination.baseAddress else { return }
        UnsafeMutableRawPointer(destinationBase).copyMemory(from: sourceBase, byteCount: source.count)
        #else
        convert(source, destination, fromBits)
        #endif
    }

    /// Loads `destination.count` little-endian `Raw` values from `source` and stores `transform` of each.
    @inline(__always)
    private static func convert<Raw: FixedWidthInteger, Output>(
        _ source: UnsafeRawBufferPointer, _ destination: UnsafeMutableBufferPointer<Output>, _ transform: (Raw) -> Output
    ) {
        precondition(source.count == destination.count * MemoryLayout<Raw>.size, "source and destination sizes differ")
        guard let sourceBase = source.baseAddress, let destinationBase = destination.baseAddress else { return }
        for index in 0..<destination.count {
            let raw = sourceBase.loadUnaligned(fromByteOffset: index &* MemoryLayout<Raw>.size, as: Raw.self)
            destinationBase[index] = transform(Raw(littleEndian: raw))
        }
    }

    /// IEEE 754 binary16 bits to `Float` (exact: every half value is representable).
    static func floatFromHalf(_ bits: UInt16) -> Float {
        let sign: UInt32 = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }
}
