import Distributed
import XCTest

final class HandshakeTests: XCTestCase {
    private func handshake(configHash: UInt64, batchSize: Int = 32, worldSize: Int) -> Handshake {
        var handshake = Handshake()
        handshake.add("layout fingerprint", hex: 0x1234_5678_9ABC_DEF0)
        handshake.add("config hash", hex: configHash)
        handshake.add("data fingerprint", hex: 0xFEED)
        handshake.add("batch size", batchSize)
        handshake.add("gradient accumulation", 2)
        handshake.add("world size", worldSize)
        return handshake
    }

    func testEqualFieldsPass() throws {
        for size in [1, 2, 3] {
            _ = try InProcessGroup.run(size: size, timeout: 10) { comm in
                try self.handshake(configHash: 0xAA, worldSize: comm.size).verify(on: comm)
            }
        }
    }

    func testMismatchNamesTheFieldAndEveryRanksValueOnEveryRank() throws {
        let messages = try InProcessGroup.run(size: 2, timeout: 10) { comm -> HandshakeError? in
            do {
                try self.handshake(configHash: comm.rank == 1 ? 0xBB : 0xAA, worldSize: comm.size).verify(on: comm)
                return nil
            } catch let error as HandshakeError {
                return error
            }
        }
        let expected = "handshake: field 'config hash' differs: rank 0 = 0x00000000000000aa, rank 1 = 0x00000000000000bb"
        XCTAssertEqual(messages.map { $0?.message }, [expected, expected])
        XCTAssertEqual(messages[0]?.fields, ["config hash"])
    }

    func testRanksWithEqualValuesAreGroupedAndEveryDifferingFieldIsNamed() throws {
        let messages = try InProcessGroup.run(size: 4, timeout: 10) { comm -> String in
            let batch = comm.rank == 1 ? 16 : 32
            let hash: UInt64 = comm.rank == 3 ? 0xBB : 0xAA
            do {
                try self.handshake(configHash: hash, batchSize: batch, worldSize: comm.size).verify(on: comm)
                return "passed"
            } catch {
                return "\(error)"
            }
        }
        let expected = "handshake: field 'config hash' differs: ranks 0-2 = 0x00000000000000aa, rank 3 = 0x00000000000000bb; "
            + "field 'batch size' differs: ranks 0,2-3 = 32, rank 1 = 16"
        XCTAssertEqual(messages, [String](repeating: expected, count: 4))
    }

    func testDifferentFieldListsAreReported() throws {
        let messages = try InProcessGroup.run(size: 2, timeout: 10) { comm -> String in
            var handshake = self.handshake(configHash: 0xAA, worldSize: comm.size)
            if comm.rank == 0 { handshake.add("extra", 1) }
            do {
                try handshake.verify(on: comm)
                return "passed"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(messages[0], messages[1])
        XCTAssertTrue(messages[0].hasPrefix("handshake: ranks contribute different field lists: rank 0 = 7 fields"), messages[0])
        XCTAssertTrue(messages[0].contains("rank 1 = 6 fields"), messages[0])
    }
}
