import Foundation
import XCTest
@testable import SafeTensors

final class AtomicWriteTests: XCTestCase {
    private func writer(_ value: Float, count: Int = 4) -> SafeTensorsWriter {
        var writer = SafeTensorsWriter()
        writer.add("v", shape: [count], floats: [Float](repeating: value, count: count))
        return writer
    }

    func testWriteLeavesNoTemporaryFile() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("model.safetensors")
        try writer(1).write(to: url)
        XCTAssertEqual(try directory.contents(), ["model.safetensors"])
    }

    func testRewriteReplacesTheFileAsAWhole() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("checkpoint.safetensors")
        try writer(1, count: 1000).write(to: url)
        let oldHandle = try FileHandle(forReadingFrom: url)
        defer { try? oldHandle.close() }
        let oldInode = try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? UInt64

        try writer(2, count: 3).write(to: url)

        XCTAssertEqual(try SafeTensorsFile(contentsOf: url).floats("v"), [2, 2, 2])
        XCTAssertEqual(try directory.contents(), ["checkpoint.safetensors"])
        let newInode = try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? UInt64
        XCTAssertNotEqual(oldInode, newInode, "a new file was renamed into place, the old one was not overwritten")
        // A reader that opened the old file still sees it complete.
        let oldBytes = try XCTUnwrap(oldHandle.readToEnd())
        let oldFile = try SafeTensorsFile(contents: oldBytes, url: url)
        XCTAssertEqual(try oldFile.floats("v"), [Float](repeating: 1, count: 1000))
    }

    func testConcurrentReaderAlwaysSeesACompleteFile() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("live.safetensors")
        try writer(0, count: 10_000).write(to: url)
        let rewrites = DispatchGroup()
        DispatchQueue.global().async(group: rewrites) {
            for round in 1...30 {
                try? self.writer(Float(round), count: 10_000 + round).write(to: url)
            }
        }
        var reads = 0
        while rewrites.wait(timeout: .now()) == .timedOut || reads == 0 {
            let values = try SafeTensorsFile(contentsOf: url).floats("v")
            XCTAssertEqual(values.count, 10_000 + Int(values[0]))
            XCTAssertTrue(values.allSatisfy { $0 == values[0] })
            reads += 1
        }
        XCTAssertEqual(try SafeTensorsFile(contentsOf: url).floats("v").first, 30)
        XCTAssertEqual(try directory.contents(), ["live.safetensors"])
    }

    func testFailedRenameKeepsExistingTargetAndRemovesTemporary() throws {
        let directory = try TemporaryDirectory()
        // A non-empty directory at the destination cannot be replaced by rename(2).
        let url = directory.file("occupied.safetensors")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        try Data([1, 2, 3]).write(to: url.appendingPathComponent("keep"))
        assertSafeTensorsError(["occupied.safetensors: cannot write file: rename into place"]) {
            try writer(1).write(to: url)
        }
        XCTAssertEqual(try directory.contents(), ["occupied.safetensors"])
        XCTAssertEqual(try Data(contentsOf: url.appendingPathComponent("keep")), Data([1, 2, 3]))
    }

    func testMissingDirectoryIsAWriteError() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("absent/model.safetensors")
        assertSafeTensorsError(["model.safetensors: cannot write file: cannot create temporary file in", "absent"]) {
            try writer(1).write(to: url)
        }
        XCTAssertEqual(try directory.contents(), [])
    }
}
