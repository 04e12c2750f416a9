import Foundation
import XCTest
@testable import SafeTensors

final class RoundTripTests: XCTestCase {
    func testEveryWriterDTypeRoundTripsWithMetadata() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("round.safetensors")
        let floats: [Float] = [1.5, -0.0, .infinity, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 3, 4, 5]
        let doubles: [Double] = [0.1, -1e300, .pi, .leastNonzeroMagnitude, -2, 7]
        let int64s: [Int64] = [.min, -1, 0, 1, .max, 1 << 53 + 1]
        var writer = SafeTensorsWriter()
        writer.metadata = ["format": "pt", "quote\"and\\slash": "line\nbreak \u{1} ünï"]
        writer.add("z.floats", shape: [2, 4], floats: floats)
        floats.withUnsafeBufferPointer { writer.add("a.pointer", shape: [8], floats: $0) }
        writer.add("doubles", shape: [3, 1, 2], doubles: doubles)
        writer.add("ints", shape: [6], int64s: int64s)
        try writer.write(to: url)

        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.url, url)
        XCTAssertEqual(file.metadata, writer.metadata)
        XCTAssertEqual(file.names, ["a.pointer", "doubles", "ints", "z.floats"])
        XCTAssertEqual(file.coverageGaps, [])
        XCTAssertEqual(file.info("z.floats"), SafeTensorInfo(name: "z.floats", dtype: .f32, shape: [2, 4], byteOffset: 0, byteCount: 32))
        XCTAssertEqual(file.info("a.pointer")?.byteOffset, 32, "tensors are laid out in the order added")
        XCTAssertEqual(file.info("doubles")?.dtype, .f64)
        XCTAssertEqual(file.info("ints")?.dtype, .i64)
        XCTAssertEqual(try file.floats("z.floats").map(\.bitPattern), floats.map(\.bitPattern))
        XCTAssertEqual(try file.floats("a.pointer").map(\.bitPattern), floats.map(\.bitPattern))
        XCTAssertEqual(try file.doubles("doubles").map(\.bitPattern), doubles.map(\.bitPattern))
        XCTAssertEqual(try file.int64s("ints"), int64s)
        XCTAssertEqual(try file.doubles("z.floats"), floats.map(Double.init))
        XCTAssertEqual(try file.floats("doubles"), doubles.map(Float.init))
        XCTAssertEqual(try file.floats("ints"), int64s.map(Float.init))
        XCTAssertTrue(file.contains("ints"))
        XCTAssertFalse(file.contains("missing"))
        XCTAssertNil(file.info("missing"))
    }

    func testScalarAndEmptyShapes() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("shapes.safetensors")
        var writer = SafeTensorsWriter()
        writer.add("scalar", shape: [], floats: [42])
        writer.add("empty", shape: [0], floats: [])
        writer.add("empty.matrix", shape: [3, 0], doubles: [])
        writer.add("scalar.int", shape: [], int64s: [-7])
        try writer.write(to: url)

        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.metadata, [:])
        XCTAssertEqual(file.info("scalar")?.shape, [])
        XCTAssertEqual(file.info("scalar")?.elementCount, 1)
        XCTAssertEqual(try file.floats("scalar"), [42])
        XCTAssertEqual(file.info("empty")?.shape, [0])
        XCTAssertEqual(file.info("empty")?.elementCount, 0)
        XCTAssertEqual(try file.floats("empty"), [])
        XCTAssertEqual(try file.doubles("empty.matrix"), [])
        XCTAssertEqual(try file.int64s("scalar.int"), [-7])
        XCTAssertEqual(file.coverageGaps, [])
    }

    func testEmptyWriterProducesValidFile() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("empty.safetensors")
        try SafeTensorsWriter().write(to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.names, [])
        XCTAssertEqual(file.metadata, [:])
    }

    func testHeaderIsSortedCompactJSONPaddedToEightBytes() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("layout.safetensors")
        var writer = SafeTensorsWriter()
        writer.metadata = ["k": "v"]
        writer.add("b", shape: [1], floats: [1])
        writer.add("a", shape: [1, 1], int64s: [2])
        try writer.write(to: url)

        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(headerLength % 8, 0)
        XCTAssertEqual(bytes.count, 8 + headerLength + 4 + 8)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        let expected = #"{"__metadata__":{"k":"v"},"a":{"data_offsets":[4,12],"dtype":"I64","shape":[1,1]},"#
            + #""b":{"data_offsets":[0,4],"dtype":"F32","shape":[1]}}"#
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces), expected)
        XCTAssertTrue(header.hasPrefix(expected) && header.dropFirst(expected.count).allSatisfy { $0 == " " })
        XCTAssertEqual(Array(bytes[(8 + headerLength)..<(12 + headerLength)]), littleEndian([Float(1).bitPattern]))
    }

    func testCopyFloatsIntoCallerBuffer() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("copy.safetensors")
        var writer = SafeTensorsWriter()
        writer.add("w", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        writer.add("d", shape: [2], doubles: [0.5, -0.25])
        try writer.write(to: url)
        let file = try SafeTensorsFile(contentsOf: url)

        var destination = [Float](repeating: .nan, count: 6)
        try destination.withUnsafeMutableBufferPointer { try file.copyFloats("w", into: $0) }
        XCTAssertEqual(destination, [1, 2, 3, 4, 5, 6])
        var pair = [Float](repeating: .nan, count: 2)
        try pair.withUnsafeMutableBufferPointer { try file.copyFloats("d", into: $0) }
        XCTAssertEqual(pair, [0.5, -0.25])

        var wrong = [Float](repeating: 7, count: 5)
        assertSafeTensorsError(["copy.safetensors", "\"w\"", "[2, 3]", "6 elements", "holds 5"]) {
            try wrong.withUnsafeMutableBufferPointer { try file.copyFloats("w", into: $0) }
        }
        XCTAssertEqual(wrong, [7, 7, 7, 7, 7], "a rejected copy writes nothing")
        assertSafeTensorsError(["copy.safetensors", "no tensor named \"nope\""]) {
            try wrong.withUnsafeMutableBufferPointer { try file.copyFloats("nope", into: $0) }
        }
    }

    func testMissingTensorAndUnsupportedConversionNameFileAndTensor() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("errors.safetensors")
        var writer = SafeTensorsWriter()
        writer.add("f", shape: [1], floats: [1])
        try writer.write(to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        assertSafeTensorsError(["errors.safetensors", "no tensor named \"absent\""]) { _ = try file.floats("absent") }
        assertSafeTensorsError(["errors.safetensors", "\"absent\""]) { _ = try file.doubles("absent") }
        assertSafeTensorsError(["errors.safetensors", "\"absent\""]) { _ = try file.int64s("absent") }
        assertSafeTensorsError(["errors.safetensors", "\"f\"", "F32", "Int64"]) { _ = try file.int64s("f") }
    }
}
