/// The validated content of a safetensors header.
struct ValidatedHeader {
    let metadata: [String: String]
    /// Keyed by tensor name.
    let tensors: [String: SafeTensorInfo]
    /// Byte ranges of the data section not covered by any tensor, in ascending order.
    let coverageGaps: [Range<Int>]
}

/// Turns header JSON bytes into ``SafeTensorInfo``s, checking every rule of the format against a
/// data section of `dataSize` bytes. All errors name `file`.
struct HeaderValidator {
    let file: String
    let dataSize: Int

    /// Validates `headerBytes` (UTF-8 JSON, possibly space-padded).
    func validate(_ headerBytes: [UInt8]) throws -> ValidatedHeader {
        guard String(validating: headerBytes, as: UTF8.self) != nil else {
            throw SafeTensorsError.headerNotUTF8(file: file)
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(headerBytes)
        } catch let syntax as JSONSyntaxError {
            throw SafeTensorsError.headerNotJSON(file: file, reason: syntax.reason)
        }
        guard case let .object(entries) = root else {
            throw SafeTensorsError.headerNotObject(file: file)
        }
        var metadata: [String: String] = [:]
        var tensors: [String: SafeTensorInfo] = [:]
        for (name, entry) in entries {
            if name == "__metadata__" {
                metadata = try validateMetadata(entry)
            } else {
                tensors[name] = try validateTensor(name: name, entry: entry)
            }
        }
        return ValidatedHeader(metadata: metadata, tensors: tensors, coverageGaps: try layoutGaps(tensors.values))
    }

    private func validateMetadata(_ value: JSONValue) throws -> [String: String] {
        guard case let .object(members) = value else {
            throw SafeTensorsError.invalidMetadata(file: file, reason: "\(value.summary), not an object")
        }
        var metadata: [String: String] = [:]
        for (key, member) in members {
            guard case let .string(text) = member else {
                throw SafeTensorsError.invalidMetadata(file: file, reason: "value of \(key.debugDescription) is \(member.summary), not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private func validateTensor(name: String, entry: JSONValue) throws -> SafeTensorInfo {
        guard case let .object(fields) = entry else {
            throw SafeTensorsError.wrongFieldType(file: file, tensor: name, field: "entry", expected: "an object")
        }
        guard let dtypeValue = fields["dtype"] else {
            throw SafeTensorsError.missingField(file: file, tensor: name, field: "dtype")
        }
        guard let shapeValue = fields["shape"] else {
            throw SafeTensorsError.missingField(file: file, tensor: name, field: "shape")
        }
        guard let offsetsValue = fields["data_offsets"] else {
            throw SafeTensorsError.missingField(file: file, tensor: name, field: "data_offsets")
        }
        guard case let .string(dtypeText) = dtypeValue else {
            throw SafeTensorsError.wrongFieldType(file: file, tensor: name, field: "dtype", expected: "a string")
        }
        guard let dtype = SafeTensorDType(rawValue: dtypeText) else {
            throw SafeTensorsError.unknownDType(file: file, tensor: name, dtype: dtypeText)
        }
        let shape = try validateShape(name: name, shapeValue)
        let (begin, end) = try validateOffsets(name: name, offsetsValue)

        var elementCount = 1
        for dimension in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw SafeTensorsError.shapeOverflow(file: file, tensor: name, shape: shape) }
            elementCount = product
        }
        let (expectedBytes, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw SafeTensorsError.shapeOverflow(file: file, tensor: name, shape: shape) }
        guard end - begin == expectedBytes else {
            throw SafeTensorsError.byteCountMismatch(
                file: file, tensor: name, dtype: dtype, shape: shape, expected: expectedBytes, actual: end - begin)
        }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, byteOffset: begin, byteCount: expectedBytes)
    }

    private func validateShape(name: String, _ value: JSONValue) throws -> [Int] {
        guard case let .array(elements) = value else {
            throw SafeTensorsError.wrongFieldType(file: file, tensor: name, field: "shape", expected: "an array")
        }
        var shape: [Int] = []
        shape.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard let dimension = element.integer else {
                throw SafeTensorsError.invalidShape(
                    file: file, tensor: name, reason: "entry \(index) is \(element.summary), not an integer in range")
            }
            guard dimension >= 0 else {
                throw SafeTensorsError.invalidShape(file: file, tensor: name, reason: "entry \(index) is negative (\(dimension))")
            }
            shape.append(dimension)
        }
        return shape
    }

    private func validateOffsets(name: String, _ value: JSONValue) throws -> (begin: Int, end: Int) {
        guard case let .array(elements) = value else {
            throw SafeTensorsError.wrongFieldType(file: file, tensor: name, field: "data_offsets", expected: "an array")
        }
        guard elements.count == 2 else {
            throw SafeTensorsError.invalidDataOffsets(file: file, tensor: name, reason: "\(elements.count) entries, expected 2")
        }
        guard let begin = elements[0].integer, let end = elements[1].integer else {
            throw SafeTensorsError.invalidDataOffsets(
                file: file, tensor: name, reason: "[\(elements[0].summary), \(elements[1].summary)] are not integers in range")
        }
        guard 0 <= begin, begin <= end, end <= dataSize else {
            throw SafeTensorsError.dataOffsetsOutOfRange(file: file, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        return (begin, end)
    }

    /// Rejects overlapping non-empty ranges and returns the uncovered parts of the data section.
    private func layoutGaps(_ tensors: some Collection<SafeTensorInfo>) throws -> [Range<Int>] {
        let ordered = tensors.filter { $0.byteCount > 0 }.sorted {
            ($0.byteOffset, $0.name) < ($1.byteOffset, $1.name)
        }
        var gaps: [Range<Int>] = []
        var coveredEnd = 0
        var previous: SafeTensorInfo?
        for tensor in ordered {
            if let previous, tensor.byteOffset < coveredEnd {
                throw SafeTensorsError.overlappingTensors(file: file, first: previous.name, second: tensor.name)
            }
            if tensor.byteOffset > coveredEnd {
                gaps.append(coveredEnd..<tensor.byteOffset)
            }
            coveredEnd = tensor.byteOffset + tensor.byteCount
            previous = tensor
        }
        if coveredEnd < dataSize {
            gaps.append(coveredEnd..<dataSize)
        }
        return gaps
    }
}
