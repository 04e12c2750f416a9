import Foundation
import XCTest
@testable import SafeTensors

/// Damaged files must load consistently or throw ``SafeTensorsError`` — never crash or read out of bounds.
final class CorruptionSweepTests: XCTestCase {
    private let url = URL(fileURLWithPath: "/memory/sweep.safetensors")

    /// A valid file with metadata, several dtypes, a scalar and an empty tensor.
    private func validFile() throws -> Data {
        let directory = try TemporaryDirectory()
        let fileURL = directory.file("sweep.safetensors")
        var writer = SafeTensorsWriter()
        writer.metadata = ["format": "pt", "step": "12"]
        writer.add("weight", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        writer.add("bias", shape: [3], doubles: [-1, 0, 1])
        writer.add("ids", shape: [2], int64s: [7, -9])
        writer.add("scale", shape: [], floats: [0.5])
        writer.add("none", shape: [0, 4], floats: [])
        try writer.write(to: fileURL)
        return try Data(contentsOf: fileURL)
    }

    /// Loads `bytes`; on success checks every tensor lies inside the data section and decodes to its
    /// element count. Returns whether the load succeeded.
    @discardableResult
    private func loadConsistently(_ bytes: Data, _ label: @autoclosure () -> String) -> Bool {
        do {
            let file = try SafeTensorsFile(contents: bytes, url: url)
            let headerLength = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
            let dataSize = bytes.count - 8 - headerLength
            for name in file.names {
                guard let info = file.info(name) else { XCTFail("\(label()): no info for listed \(name)"); continue }
                XCTAssertTrue(info.byteOffset >= 0 && info.byteOffset + info.byteCount <= dataSize, "\(label()): \(info) outside data")
                XCTAssertEqual(info.byteCount, info.elementCount * info.dtype.byteSize, label())
                XCTAssertEqual(try file.doubles(name).count, info.elementCount, label())
                XCTAssertEqual(try file.floats(name).count, info.elementCount, label())
            }
            return true
        } catch let error as SafeTensorsError {
            XCTAssertTrue(error.description.hasPrefix("sweep.safetensors: "), "\(label()): \(error)")
            XCTAssertFalse(error.description.contains("\n"), label())
            return false
        } catch {
            XCTFail("\(label()): unexpected error type \(error)")
            return false
        }
    }

    func testEveryTruncationIsRejected() throws {
        let bytes = try validFile()
        XCTAssertTrue(loadConsistently(bytes, "intact"))
        for length in 0..<bytes.count {
            XCTAssertFalse(loadConsistently(bytes.prefix(length), "truncated to \(length)"), "truncated to \(length) loaded")
        }
    }

    func testEverySingleBitFlip() throws {
        let bytes = try validFile()
        var rejected = 0
        for position in 0..<bytes.count {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[position] ^= 1 << bit
                if !loadConsistently(damaged, "bit \(bit) of byte \(position)") { rejected += 1 }
            }
        }
        XCTAssertGreaterThan(rejected, 8 * 8, "flips of the length prefix and header are mostly detected")
    }

    func testEveryHeaderByteReplacedBySyntaxCharacters() throws {
        let bytes = try validFile()
        let replacements = Array(#"{}[]",:-.0179eE\ u"#.utf8) + [0x00, 0x0A, 0x7F, 0x80, 0xC3, 0xFF]
        let headerEnd = 8 + bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        for position in 8..<headerEnd {
            for replacement in replacements where replacement != bytes[position] {
                var damaged = bytes
                damaged[position] = replacement
                loadConsistently(damaged, "byte \(position) set to \(replacement)")
            }
        }
    }

    func testRandomMultiByteDamage() throws {
        let bytes = try validFile()
        var random = SplitMix64(seed: 0x5AFE_7E45)
        for trial in 0..<3000 {
            var damaged = bytes
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let position = Int(random.next() % UInt64(damaged.count))
                damaged[position] = UInt8(truncatingIfNeeded: random.next())
            }
            if random.next() % 4 == 0 {
                damaged = damaged.prefix(Int(random.next() % UInt64(damaged.count + 1)))
            }
            loadConsistently(damaged, "trial \(trial)")
        }
    }
}

/// A small deterministic generator so the sweep is reproducible.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
