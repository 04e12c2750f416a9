import XCTest
@testable import Training

/// Verification and the choice of the checkpoint to resume from: torn and corrupted
/// checkpoints are reported and skipped.
final class CheckpointVerifyTests: XCTestCase {
    private func verifyError(_ store: CheckpointStore, _ directory: URL,
                             file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            try store.verify(directory)
            XCTFail("expected verification to fail", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testTruncatedFileIsNamedWithSizes() throws {
        let scratch = try CheckpointScratch()
        let directory = try writeSampleCheckpoint(scratch.store, step: 40)
        let model = directory.appendingPathComponent("model.safetensors")
        let handle = try FileHandle(forWritingTo: model)
        try handle.truncate(atOffset: 37)
        try handle.close()
        XCTAssertEqual(verifyError(scratch.store, directory), "step-00000040/model.safetensors: truncated: 37 of 100 bytes")
    }

    func testFlippedByteIsASha256Mismatch() throws {
        let scratch = try CheckpointScratch()
        let directory = try writeSampleCheckpoint(scratch.store, step: 40)
        let model = directory.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: model)
        bytes[50] ^= 0x01
        try bytes.write(to: model)
        let message = verifyError(scratch.store, directory)
        XCTAssertTrue(message.hasPrefix("step-00000040/model.safetensors: corrupted: sha256 mismatch (manifest "), message)
        XCTAssertTrue(message.contains(", file "), message)
    }

    func testMissingManifestMissingFileExtraFileAndWrongStep() throws {
        let scratch = try CheckpointScratch()
        let store = scratch.store
        let a = try writeSampleCheckpoint(store, step: 1)
        try FileManager.default.removeItem(at: a.appendingPathComponent("manifest.json"))
        XCTAssertEqual(verifyError(store, a), "step-00000001: torn: no manifest.json (the write was interrupted)")

        let b = try writeSampleCheckpoint(store, step: 2)
        try FileManager.default.removeItem(at: b.appendingPathComponent("trainer_state.json"))
        XCTAssertEqual(verifyError(store, b), "step-00000002/trainer_state.json: corrupted: missing (listed in the manifest)")

        let c = try writeSampleCheckpoint(store, step: 3)
        try Data([0]).write(to: c.appendingPathComponent("stray.bin"))
        XCTAssertEqual(verifyError(store, c), "step-00000003/stray.bin: not listed in the manifest")

        let d = try writeSampleCheckpoint(store, step: 4)
        try Data("{not json".utf8).write(to: d.appendingPathComponent("manifest.json"))
        XCTAssertTrue(verifyError(store, d).hasPrefix("step-00000004/manifest.json: corrupted: not a valid CheckpointManifest"))

        let e = try writeSampleCheckpoint(store, step: 5)
        let moved = scratch.root.appendingPathComponent("step-00000006")
        try FileManager.default.moveItem(at: e, to: moved)
        XCTAssertEqual(verifyError(store, moved), "step-00000006/manifest.json: manifest is for step 5, not 6")
    }

    func testLatestValidSkipsTornAndCorruptedAndCleansTemporaries() throws {
        let scratch = try CheckpointScratch()
        let store = scratch.store
        try writeSampleCheckpoint(store, step: 10)
        let good = try writeSampleCheckpoint(store, step: 20)

        let truncated = try writeSampleCheckpoint(store, step: 30)
        let handle = try FileHandle(forWritingTo: truncated.appendingPathComponent("model.safetensors"))
        try handle.truncate(atOffset: 10)
        try handle.close()

        let flipped = try writeSampleCheckpoint(store, step: 40)
        let state = flipped.appendingPathComponent("trainer_state.json")
        var bytes = try Data(contentsOf: state)
        bytes[0] ^= 0x20
        try bytes.write(to: state)

        let torn = try writeSampleCheckpoint(store, step: 50)
        try FileManager.default.removeItem(at: torn.appendingPathComponent("manifest.json"))

        let leftover = try store.begin(step: 60)
        try leftover.write("model.safetensors", .data(Data([1, 2])))

        let scan = try store.latestValid()
        XCTAssertEqual(scan.latest?.step, 20)
        XCTAssertEqual(scan.latest?.directory, good)
        XCTAssertEqual(scan.removedTemporaries, [".tmp-step-00000060"])
        XCTAssertEqual(scan.skipped.map(\.step), [50, 40, 30])
        XCTAssertEqual(scan.skipped.map(\.error.kind), [.torn, .corrupted, .truncated])
        let messages = scan.messages
        XCTAssertEqual(messages.count, 4, "\(messages)")
        XCTAssertEqual(messages[0], "removing leftover temporary entry .tmp-step-00000060 (interrupted write)")
        XCTAssertEqual(messages[1], "skipping checkpoint step-00000050: step-00000050: torn: no manifest.json (the write was interrupted)")
        XCTAssertTrue(messages[2].hasPrefix("skipping checkpoint step-00000040: step-00000040/trainer_state.json: corrupted: sha256 mismatch"), messages[2])
        XCTAssertEqual(messages[3], "skipping checkpoint step-00000030: step-00000030/model.safetensors: truncated: 10 of 100 bytes")
        XCTAssertFalse(try scratch.entries().contains { $0.hasPrefix(".tmp-") })
    }

    func testCheckpointAtAPathVerifies() throws {
        let scratch = try CheckpointScratch()
        let directory = try writeSampleCheckpoint(scratch.store, step: 7)
        let elsewhere = CheckpointStore(root: scratch.root.appendingPathComponent("other"))
        XCTAssertEqual(try elsewhere.checkpoint(at: directory).step, 7)
        XCTAssertThrowsError(try elsewhere.checkpoint(at: scratch.root.appendingPathComponent("step-00000099"))) {
            XCTAssertTrue("\($0)".hasSuffix("step-00000099: no such checkpoint directory"), "\($0)")
        }
    }

    func testLatestValidOfEmptyOrAbsentStore() throws {
        let scratch = try CheckpointScratch()
        let empty = try scratch.store.latestValid()
        XCTAssertNil(empty.latest)
        XCTAssertEqual(empty.messages, [])
        let absent = try CheckpointStore(root: scratch.root.appendingPathComponent("absent")).latestValid()
        XCTAssertNil(absent.latest)
        XCTAssertEqual(absent.messages, [])
    }
}
