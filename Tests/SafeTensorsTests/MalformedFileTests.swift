import Foundation
import XCTest
@testable import SafeTensors

/// Every validation rule, checked through real files so the error must name the file.
final class MalformedFileTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory = nil
    }

    /// Writes `bytes` as `bad.safetensors` and asserts loading throws naming it and each fragment.
    private func assertRejected(_ bytes: Data, _ fragments: String..., line: UInt = #line) throws {
        let url = directory.file("bad.safetensors")
        try bytes.write(to: url)
        assertSafeTensorsError(["bad.safetensors: "] + fragments, line: line) {
            _ = try SafeTensorsFile(contentsOf: url)
        }
    }

    /// A file with one tensor entry `entry` (JSON object text) and `dataBytes` zero bytes of data.
    private func oneTensor(_ entry: String, dataBytes: Int = 8) -> Data {
        safetensorsBytes(header: #"{"t":"# + entry + "}", data: [UInt8](repeating: 0, count: dataBytes))
    }

    func testUnreadableFile() {
        assertSafeTensorsError(["absent.safetensors: cannot read file"]) {
            _ = try SafeTensorsFile(contentsOf: directory.file("absent.safetensors"))
        }
        assertSafeTensorsError([directory.url.lastPathComponent + ": cannot read file"]) {
            _ = try SafeTensorsFile(contentsOf: directory.url)
        }
    }

    func testFileShorterThanEightBytes() throws {
        try assertRejected(Data(), "file is 0 bytes")
        try assertRejected(Data([1, 0, 0, 0, 0, 0, 0]), "file is 7 bytes, shorter than the 8-byte header length")
    }

    func testHeaderLengthBeyondFileSize() throws {
        try assertRejected(safetensorsBytes(headerLength: 123_456, headerBytes: Array("{}".utf8)),
                           "header length 123456 exceeds file size 10")
        try assertRejected(safetensorsBytes(headerLength: 3, headerBytes: Array("{}".utf8)),
                           "header length 3 exceeds file size 10")
    }

    func testAbsurdHeaderLength() throws {
        try assertRejected(safetensorsBytes(headerLength: 100_000_001, headerBytes: []),
                           "header length 100000001 exceeds the limit of 100000000 bytes")
        try assertRejected(safetensorsBytes(headerLength: .max, headerBytes: Array("{}".utf8)),
                           "header length 18446744073709551615 exceeds the limit")
    }

    func testHeaderNotUTF8() throws {
        try assertRejected(safetensorsBytes(headerLength: 6, headerBytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]),
                           "header is not valid UTF-8")
    }

    func testHeaderNotJSON() throws {
        try assertRejected(safetensorsBytes(header: ""), "header is not valid JSON: unexpected end of input")
        try assertRejected(safetensorsBytes(header: "{\"a\":"), "header is not valid JSON")
        try assertRejected(safetensorsBytes(header: "{} x"), "header is not valid JSON: unexpected data after the top-level value")
        try assertRejected(safetensorsBytes(header: "{'a':1}"), "header is not valid JSON: expected a string key at byte 1")
        try assertRejected(safetensorsBytes(header: "[" + String(repeating: "[", count: 100_000)),
                           "header is not valid JSON: nesting deeper than 64")
        try assertRejected(safetensorsBytes(header: #"{"__metadata__":{},"__metadata__":{}}"#),
                           #"duplicate key "__metadata__""#)
        try assertRejected(safetensorsBytes(header: #"{"\ud800":1}"#), "unpaired high surrogate")
        try assertRejected(safetensorsBytes(header: "{\"a\nb\":1}"), "control character in string")
    }

    func testHeaderNotAnObject() throws {
        try assertRejected(safetensorsBytes(header: "[]"), "header JSON is not an object")
        try assertRejected(safetensorsBytes(header: "  \"text\"  "), "header JSON is not an object")
    }

    func testInvalidMetadata() throws {
        try assertRejected(safetensorsBytes(header: #"{"__metadata__":[]}"#), "invalid __metadata__: an array, not an object")
        try assertRejected(safetensorsBytes(header: #"{"__metadata__":{"epoch":3}}"#),
                           #"invalid __metadata__: value of "epoch" is 3, not a string"#)
    }

    func testEntryMissingFields() throws {
        try assertRejected(oneTensor(#"{"shape":[2],"data_offsets":[0,8]}"#), #"tensor "t" has no dtype"#)
        try assertRejected(oneTensor(#"{"dtype":"F32","data_offsets":[0,8]}"#), #"tensor "t" has no shape"#)
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[2]}"#), #"tensor "t" has no data_offsets"#)
    }

    func testEntryWithWrongJSONTypes() throws {
        try assertRejected(oneTensor("[1]"), #"tensor "t" field entry is not an object"#)
        try assertRejected(oneTensor(#"{"dtype":4,"shape":[2],"data_offsets":[0,8]}"#), #"tensor "t" field dtype is not a string"#)
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":2,"data_offsets":[0,8]}"#), #"tensor "t" field shape is not an array"#)
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[2],"data_offsets":{}}"#),
                           #"tensor "t" field data_offsets is not an array"#)
    }

    func testUnknownDType() throws {
        try assertRejected(oneTensor(#"{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}"#),
                           #"tensor "t" has unknown dtype "F8_E4M3""#)
        try assertRejected(oneTensor(#"{"dtype":"f32","shape":[2],"data_offsets":[0,8]}"#), #"unknown dtype "f32""#)
    }

    func testNegativeOrNonIntegerShape() throws {
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}"#),
                           #"tensor "t" has invalid shape: entry 0 is negative (-2)"#)
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[1,2.0],"data_offsets":[0,8]}"#),
                           "invalid shape: entry 1 is 2.0, not an integer")
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}"#), "entry 0 is 2e0, not an integer")
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}"#), "entry 0 is a string, not an integer")
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}"#),
                           "entry 0 is 99999999999999999999, not an integer in range")
    }

    func testShapeProductOverflow() throws {
        try assertRejected(oneTensor(#"{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,8]}"#),
                           #"tensor "t" shape [4294967296, 4294967296] overflows"#)
        // The element count fits, the byte count does not.
        try assertRejected(oneTensor(#"{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}"#),
                           "shape [2305843009213693952] overflows the element or byte count")
    }

    func testMalformedDataOffsets() throws {
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[0]}"#),
                           #"tensor "t" has invalid data_offsets: 1 entries, expected 2"#)
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}"#), "3 entries, expected 2")
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}"#),
                           "invalid data_offsets: [0, 8.5] are not integers")
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[null,8]}"#), "[null, 8] are not integers")
    }

    func testDataOffsetsOutOfRange() throws {
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}"#),
                           #"tensor "t" data_offsets [-8, 0] outside data section of 8 bytes"#)
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[0],"data_offsets":[8,0]}"#), "data_offsets [8, 0] outside")
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[4,12]}"#),
                           "data_offsets [4, 12] outside data section of 8 bytes")
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, dataBytes: 7),
                           "data_offsets [0, 8] outside data section of 7 bytes")
    }

    func testByteCountDisagreesWithShape() throws {
        try assertRejected(oneTensor(#"{"dtype":"F32","shape":[3],"data_offsets":[0,8]}"#),
                           #"tensor "t" F32 [3] needs 12 bytes but data_offsets span 8"#)
        try assertRejected(oneTensor(#"{"dtype":"BF16","shape":[],"data_offsets":[0,8]}"#), "BF16 [] needs 2 bytes but data_offsets span 8")
    }

    func testOverlappingTensors() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        try assertRejected(safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: 8)), #"tensors "a" and "b" overlap"#)
        let same = #"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}"#
        try assertRejected(safetensorsBytes(header: same, data: [UInt8](repeating: 0, count: 8)), #"tensors "a" and "b" overlap"#)
    }

    func testTensorNamesAreEscapedToKeepOneLine() throws {
        try assertRejected(safetensorsBytes(header: #"{"line\nbreak":{"dtype":"X","shape":[],"data_offsets":[0,0]}}"#),
                           #"tensor "line\nbreak" has unknown dtype "X""#)
    }

    func testEmptyTensorsMayShareOffsetsAndGapsAreReported() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[6,6]},"#
            + #""f":{"dtype":"I8","shape":[0,5],"data_offsets":[6,6]}}    "#
        let url = directory.file("gaps.safetensors")
        try safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: 12)).write(to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.names, ["a", "e", "f"])
        XCTAssertEqual(file.coverageGaps, [0..<4, 8..<12])
        XCTAssertEqual(try file.floats("e"), [])
        XCTAssertEqual(try file.int64s("f"), [])
    }
}
