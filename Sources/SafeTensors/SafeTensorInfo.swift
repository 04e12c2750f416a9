/// Where one tensor lives in a safetensors file, as validated by ``SafeTensorsFile``.
public struct SafeTensorInfo: Equatable, Sendable {
    /// The tensor's key in the header.
    public let name: String
    public let dtype: SafeTensorDType
    /// Row-major dimensions; `[]` is a scalar (one element).
    public let shape: [Int]
    /// Start of the tensor's bytes, relative to the start of the data section (just after the header).
    public let byteOffset: Int
    /// Length of the tensor's bytes: `elementCount × dtype.byteSize`.
    public let byteCount: Int

    /// Product of `shape` (1 for a scalar). Validated not to overflow when the file was read.
    public var elementCount: Int {
        shape.reduce(1, *)
    }
}
