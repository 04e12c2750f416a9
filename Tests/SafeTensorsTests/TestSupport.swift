import Foundation
import XCTest
@testable import SafeTensors

/// A fresh directory under the system temporary directory, removed by `tearDown`.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("SafeTensorsTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }

    /// Names of the files now in the directory, sorted.
    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Bytes of a safetensors file with a hand-written header (used verbatim, unpadded) and data section.
func safetensorsBytes(header: String, data: [UInt8] = []) -> Data {
    safetensorsBytes(headerLength: UInt64(header.utf8.count), headerBytes: Array(header.utf8), data: data)
}

/// Bytes of a safetensors file whose length prefix may disagree with the header bytes.
func safetensorsBytes(headerLength: UInt64, headerBytes: [UInt8], data: [UInt8] = []) -> Data {
    var bytes = Data()
    for shift in stride(from: 0, to: 64, by: 8) {
        bytes.append(UInt8(truncatingIfNeeded: headerLength >> UInt64(shift)))
    }
    bytes.append(contentsOf: headerBytes)
    bytes.append(contentsOf: data)
    return bytes
}

/// Little-endian bytes of each value's bit pattern.
func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in
        (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value.littleEndian >> ($0 * 8)) }
    }
}

/// Asserts that `body` throws a ``SafeTensorsError`` whose one-line description contains every
/// string in `fragments` (the first is normally the file name).
func assertSafeTensorsError(
    _ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
) {
    do {
        try body()
        XCTFail("expected a SafeTensorsError containing \(fragments)", file: file, line: line)
    } catch let error as SafeTensorsError {
        let text = error.description
        XCTAssertFalse(text.contains("\n"), "description has several lines: \(text)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(text.contains(fragment), "\"\(text)\" does not contain \"\(fragment)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected a SafeTensorsError, got \(error)", file: file, line: line)
    }
}

/// The repository root (…/Tests/SafeTensorsTests/TestSupport.swift → …).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
