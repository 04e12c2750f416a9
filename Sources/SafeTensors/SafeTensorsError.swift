import Foundation

/// Everything that can go wrong reading or writing a safetensors file.
///
/// Every case carries the file's name, and `description` is a single line of the form
/// `"<file>: <problem>"`, suitable for logs and for users.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file is shorter than the 8-byte header-length prefix.
    case fileTooShort(file: String, byteCount: Int)
    /// The header length exceeds the hard limit (``SafeTensorsFile/maximumHeaderLength``).
    case headerTooLarge(file: String, headerLength: UInt64, limit: Int)
    /// The header length is larger than what follows the 8-byte prefix.
    case headerExceedsFile(file: String, headerLength: UInt64, fileSize: Int)
    /// The header bytes are not valid UTF-8.
    case headerNotUTF8(file: String)
    /// The header is not syntactically valid JSON.
    case headerNotJSON(file: String, reason: String)
    /// The header is JSON, but its top level is not an object.
    case headerNotObject(file: String)
    /// `__metadata__` is not an object of string values.
    case invalidMetadata(file: String, reason: String)
    /// A tensor entry is not an object, or lacks `dtype`, `shape` or `data_offsets`.
    case missingField(file: String, tensor: String, field: String)
    /// A tensor entry's field has the wrong JSON type.
    case wrongFieldType(file: String, tensor: String, field: String, expected: String)
    /// A tensor's `dtype` is not one of ``SafeTensorDType``.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A shape entry is negative, not an integer, or does not fit in `Int`.
    case invalidShape(file: String, tensor: String, reason: String)
    /// The shape's element count (or its byte count) overflows `Int`.
    case shapeOverflow(file: String, tensor: String, shape: [Int])
    /// `data_offsets` is not `[begin, end]` of integers.
    case invalidDataOffsets(file: String, tensor: String, reason: String)
    /// `data_offsets` does not satisfy `0 ≤ begin ≤ end ≤ data section size`.
    case dataOffsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// `end − begin` differs from element count × dtype size.
    case byteCountMismatch(file: String, tensor: String, dtype: SafeTensorDType, shape: [Int], expected: Int, actual: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingTensors(file: String, first: String, second: String)
    /// A tensor of that name is not in the file.
    case tensorNotFound(file: String, tensor: String)
    /// The tensor's dtype cannot be converted to the requested element type.
    case unsupportedConversion(file: String, tensor: String, dtype: SafeTensorDType, target: String)
    /// A destination buffer's element count differs from the tensor's.
    case elementCountMismatch(file: String, tensor: String, shape: [Int], expected: Int, destinationCount: Int)
    /// Writing, syncing or renaming the output failed.
    case writeFailed(file: String, reason: String)

    /// One line: `"<file>: <problem>"`. Newlines inside names are escaped.
    public var description: String {
        let line: String
        switch self {
        case let .unreadable(file, reason):
            line = "\(file): cannot read file: \(reason)"
        case let .fileTooShort(file, byteCount):
            line = "\(file): file is \(byteCount) bytes, shorter than the 8-byte header length"
        case let .headerTooLarge(file, headerLength, limit):
            line = "\(file): header length \(headerLength) exceeds the limit of \(limit) bytes"
        case let .headerExceedsFile(file, headerLength, fileSize):
            line = "\(file): header length \(headerLength) exceeds file size \(fileSize)"
        case let .headerNotUTF8(file):
            line = "\(file): header is not valid UTF-8"
        case let .headerNotJSON(file, reason):
            line = "\(file): header is not valid JSON: \(reason)"
        case let .headerNotObject(file):
            line = "\(file): header JSON is not an object"
        case let .invalidMetadata(file, reason):
            line = "\(file): invalid __metadata__: \(reason)"
        case let .missingField(file, tensor, field):
            line = "\(file): tensor \(quoted(tensor)) has no \(field)"
        case let .wrongFieldType(file, tensor, field, expected):
            line = "\(file): tensor \(quoted(tensor)) field \(field) is not \(expected)"
        case let .unknownDType(file, tensor, dtype):
            line = "\(file): tensor \(quoted(tensor)) has unknown dtype \(quoted(dtype))"
        case let .invalidShape(file, tensor, reason):
            line = "\(file): tensor \(quoted(tensor)) has invalid shape: \(reason)"
        case let .shapeOverflow(file, tensor, shape):
            line = "\(file): tensor \(quoted(tensor)) shape \(shape) overflows the element or byte count"
        case let .invalidDataOffsets(file, tensor, reason):
            line = "\(file): tensor \(quoted(tensor)) has invalid data_offsets: \(reason)"
        case let .dataOffsetsOutOfRange(file, tensor, begin, end, dataSize):
            line = "\(file): tensor \(quoted(tensor)) data_offsets [\(begin), \(end)] outside data section of \(dataSize) bytes"
        case let .byteCountMismatch(file, tensor, dtype, shape, expected, actual):
            line = "\(file): tensor \(quoted(tensor)) \(dtype.rawValue) \(shape) needs \(expected) bytes but data_offsets span \(actual)"
        case let .overlappingTensors(file, first, second):
            line = "\(file): tensors \(quoted(first)) and \(quoted(second)) overlap"
        case let .tensorNotFound(file, tensor):
            line = "\(file): no tensor named \(quoted(tensor))"
        case let .unsupportedConversion(file, tensor, dtype, target):
            line = "\(file): tensor \(quoted(tensor)) of dtype \(dtype.rawValue) cannot be read as \(target)"
        case let .elementCountMismatch(file, tensor, shape, expected, destinationCount):
            line = "\(file): tensor \(quoted(tensor)) has shape \(shape) (\(expected) elements) but the destination holds \(destinationCount)"
        case let .writeFailed(file, reason):
            line = "\(file): cannot write file: \(reason)"
        }
        return line.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }
}

/// A tensor or dtype name in double quotes, with control characters escaped.
private func quoted(_ name: String) -> String {
    name.debugDescription
}
