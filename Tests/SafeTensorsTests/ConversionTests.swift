import Foundation
import XCTest
@testable import SafeTensors

/// Reading dtypes the writer does not produce, from hand-built files.
final class ConversionTests: XCTestCase {
    /// A file holding each of `tensors` (name, dtype, shape, raw bytes) back to back.
    private func file(_ tensors: [(String, SafeTensorDType, [Int], [UInt8])]) throws -> SafeTensorsFile {
        var entries: [String] = []
        var data: [UInt8] = []
        for (name, dtype, shape, bytes) in tensors {
            let shapeText = shape.map(String.init).joined(separator: ",")
            entries.append(#""\#(name)":{"dtype":"\#(dtype.rawValue)","shape":[\#(shapeText)],"data_offsets":[\#(data.count),\#(data.count + bytes.count)]}"#)
            data += bytes
        }
        let bytes = safetensorsBytes(header: "{" + entries.joined(separator: ",") + "}", data: data)
        return try SafeTensorsFile(contents: bytes, url: URL(fileURLWithPath: "/memory/conversions.safetensors"))
    }

    func testHalfPrecision() throws {
        let halves: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x8000, 0x7C00, 0xFC00, 0x3555, 0x7E00]
        let file = try file([("h", .f16, [halves.count], littleEndian(halves))])
        let values = try file.floats("h")
        XCTAssertEqual(Array(values.prefix(10)), [1, -2, 65504, 0x1p-24, 1023 * 0x1p-24, 0x1p-14, -0.0, .infinity, -.infinity, 0.333251953125])
        XCTAssertEqual(values[6].sign, .minus)
        XCTAssertTrue(values[10].isNaN)
        XCTAssertEqual(try file.doubles("h")[2], 65504)
        assertSafeTensorsError(["conversions.safetensors", "\"h\"", "F16", "Int64"]) { _ = try file.int64s("h") }
    }

    func testBrainFloat() throws {
        let values: [Float] = [1, -3.5, 0x1p100, -0x1p-100]
        let file = try file([("b", .bf16, [2, 2], littleEndian(values.map { UInt16($0.bitPattern >> 16) }))])
        XCTAssertEqual(try file.floats("b"), values)
        XCTAssertEqual(try file.doubles("b"), values.map(Double.init))
    }

    func testIntegerTypesAndBool() throws {
        let file = try file([
            ("i32", .i32, [3], littleEndian([Int32.min, -1, Int32.max])),
            ("i16", .i16, [2], littleEndian([Int16.min, 300])),
            ("i8", .i8, [2], littleEndian([Int8.min, 5])),
            ("u8", .u8, [2], [0, 255]),
            ("bool", .bool, [3], [0, 1, 2]),
        ])
        XCTAssertEqual(try file.int64s("i32"), [Int64(Int32.min), -1, Int64(Int32.max)])
        XCTAssertEqual(try file.int64s("i16"), [-32768, 300])
        XCTAssertEqual(try file.int64s("i8"), [-128, 5])
        XCTAssertEqual(try file.int64s("u8"), [0, 255])
        XCTAssertEqual(try file.int64s("bool"), [0, 1, 1])
        XCTAssertEqual(try file.floats("i16"), [-32768, 300])
        XCTAssertEqual(try file.floats("bool"), [0, 1, 1])
        XCTAssertEqual(try file.doubles("i32"), [Double(Int32.min), -1, Double(Int32.max)])
        XCTAssertEqual(try file.doubles("u8"), [0, 255])
    }

    func testUnalignedTensorsDecode() throws {
        let file = try file([
            ("byte", .u8, [1], [9]),
            ("f32", .f32, [2], littleEndian([Float(1.25).bitPattern, Float(-2).bitPattern])),
            ("f64", .f64, [1], littleEndian([Double.pi.bitPattern])),
        ])
        XCTAssertEqual(file.info("f32")?.byteOffset, 1)
        XCTAssertEqual(try file.floats("f32"), [1.25, -2])
        XCTAssertEqual(try file.doubles("f64"), [.pi])
    }
}
