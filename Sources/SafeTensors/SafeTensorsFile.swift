import Foundation

/// A safetensors file read fully into memory and validated.
///
/// `init(contentsOf:)` checks the whole header and every tensor's layout before returning, so the
/// accessors never read out of bounds. Values are converted from little-endian storage.
public struct SafeTensorsFile: Sendable {
    /// Largest accepted header, in bytes (100 MB).
    public static let maximumHeaderLength = 100_000_000

    public let url: URL
    /// The header's `__metadata__` (empty if absent).
    public let metadata: [String: String]
    /// Byte ranges of the data section (relative to its start) not covered by any tensor, ascending.
    /// The format allows them; they usually mean a writer bug or padding.
    public let coverageGaps: [Range<Int>]

    private let contents: Data
    /// Offset of the data section in `contents`: 8 + header length.
    private let dataStart: Int
    private let tensors: [String: SafeTensorInfo]
    /// The file's last path component, used in error messages.
    private let fileName: String

    /// Reads and validates the file at `url`. Throws ``SafeTensorsError`` naming the file on any problem.
    public init(contentsOf url: URL) throws {
        let fileName = url.lastPathComponent
        let contents: Data
        do {
            contents = try Data(contentsOf: url)
        } catch {
            throw SafeTensorsError.unreadable(file: fileName, reason: Self.reason(error))
        }
        try self.init(contents: contents, url: url)
    }

    /// Validates `contents` as a safetensors file; `url` names it in errors.
    init(contents: Data, url: URL) throws {
        let fileName = url.lastPathComponent
        guard contents.count >= 8 else {
            throw SafeTensorsError.fileTooShort(file: fileName, byteCount: contents.count)
        }
        var headerLength: UInt64 = 0
        for index in (0..<8).reversed() {
            headerLength = headerLength << 8 | UInt64(contents[contents.startIndex + index])
        }
        guard headerLength <= UInt64(Self.maximumHeaderLength) else {
            throw SafeTensorsError.headerTooLarge(file: fileName, headerLength: headerLength, limit: Self.maximumHeaderLength)
        }
        guard headerLength <= UInt64(contents.count - 8) else {
            throw SafeTensorsError.headerExceedsFile(file: fileName, headerLength: headerLength, fileSize: contents.count)
        }
        let dataStart = 8 + Int(headerLength)
        let headerBytes = [UInt8](contents[(contents.startIndex + 8)..<(contents.startIndex + dataStart)])
        let header = try HeaderValidator(file: fileName, dataSize: contents.count - dataStart).validate(headerBytes)

        self.url = url
        self.fileName = fileName
        self.contents = contents
        self.dataStart = dataStart
        self.metadata = header.metadata
        self.tensors = header.tensors
        self.coverageGaps = header.coverageGaps
    }

    /// Tensor names, sorted.
    public var names: [String] {
        tensors.keys.sorted()
    }

    public func info(_ name: String) -> SafeTensorInfo? {
        tensors[name]
    }

    public func contains(_ name: String) -> Bool {
        tensors[name] != nil
    }

    /// The tensor's elements as `Float`, row-major. Converts F32/F64/F16/BF16 and integer dtypes
    /// (BOOL as 0/1). Throws naming file and tensor if absent.
    public func floats(_ name: String) throws -> [Float] {
        try decodedArray(name, target: "Float", ElementDecoding.decode)
    }

    /// The tensor's elements as `Double`, row-major. Converts every dtype (BOOL as 0/1).
    public func doubles(_ name: String) throws -> [Double] {
        try decodedArray(name, target: "Double", ElementDecoding.decode)
    }

    /// The tensor's elements as `Int64`, row-major. Only integer dtypes and BOOL; floats throw.
    public func int64s(_ name: String) throws -> [Int64] {
        try decodedArray(name, target: "Int64", ElementDecoding.decode)
    }

    /// Converts the tensor to `Float` into `destination`, whose count must equal the tensor's
    /// element count (the error names the tensor's shape and the destination's count).
    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let tensor = try lookUp(name)
        guard destination.count == tensor.elementCount else {
            throw SafeTensorsError.elementCountMismatch(
                file: fileName, tensor: name, shape: tensor.shape, expected: tensor.elementCount, destinationCount: destination.count)
        }
        try decode(tensor, target: "Float", into: destination, ElementDecoding.decode)
    }

    private func lookUp(_ name: String) throws -> SafeTensorInfo {
        guard let tensor = tensors[name] else {
            throw SafeTensorsError.tensorNotFound(file: fileName, tensor: name)
        }
        return tensor
    }

    private func decodedArray<Element>(
        _ name: String, target: String,
        _ decoder: (SafeTensorDType, UnsafeRawBufferPointer, UnsafeMutableBufferPointer<Element>) -> Bool
    ) throws -> [Element] {
        let tensor = try lookUp(name)
        return try [Element](unsafeUninitializedCapacity: tensor.elementCount) { buffer, initializedCount in
            let elements = UnsafeMutableBufferPointer(rebasing: buffer[0..<tensor.elementCount])
            try decode(tensor, target: target, into: elements, decoder)
            initializedCount = elements.count
        }
    }

    /// Converts `tensor`'s bytes into `destination` (count already checked to match).
    private func decode<Element>(
        _ tensor: SafeTensorInfo, target: String, into destination: UnsafeMutableBufferPointer<Element>,
        _ decoder: (SafeTensorDType, UnsafeRawBufferPointer, UnsafeMutableBufferPointer<Element>) -> Bool
    ) throws {
        let converted = contents.withUnsafeBytes { (file: UnsafeRawBufferPointer) -> Bool in
            let start = dataStart + tensor.byteOffset
            let source = UnsafeRawBufferPointer(rebasing: file[start..<(start + tensor.byteCount)])
            return decoder(tensor.dtype, source, destination)
        }
        guard converted else {
            throw SafeTensorsError.unsupportedConversion(file: fileName, tensor: tensor.name, dtype: tensor.dtype, target: target)
        }
    }

    /// A one-line reason for a Foundation read error.
    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return nsError.localizedDescription
    }
}
