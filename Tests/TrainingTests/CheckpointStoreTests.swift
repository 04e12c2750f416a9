import Crypto
import XCTest
@testable import Training

/// Writing checkpoints: temporary directory, manifest last, atomic rename, replacement.
final class CheckpointStoreTests: XCTestCase {
    func testWriteProducesVerifiedDirectoryWithManifest() throws {
        let scratch = try CheckpointScratch()
        let payload = Data("hello".utf8)
        let directory = try scratch.store.write(step: 40, files: [
            "a.bin": .data(payload),
            "b.bin": .writer { url in try Data(repeating: 9, count: 3000).write(to: url) },
        ])
        XCTAssertEqual(directory.lastPathComponent, "step-00000040")
        XCTAssertEqual(try scratch.entries(), ["step-00000040"], "no temporary directory is left")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(),
                       ["a.bin", "b.bin", "manifest.json"])

        let manifest = try scratch.store.verify(directory)
        XCTAssertEqual(manifest.step, 40)
        XCTAssertEqual(manifest.formatVersion, 1)
        XCTAssertEqual(Set(manifest.files.keys), ["a.bin", "b.bin"])
        XCTAssertEqual(manifest.files["a.bin"]?.bytes, 5)
        let expected = SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(manifest.files["a.bin"]?.sha256, expected)
        XCTAssertEqual(manifest.files["b.bin"]?.bytes, 3000)

        let text = try String(contentsOf: directory.appendingPathComponent("manifest.json"), encoding: .utf8)
        XCTAssertLessThan(text.range(of: "\"created_at\"")!.lowerBound, text.range(of: "\"files\"")!.lowerBound,
                          "keys are sorted")
    }

    func testStepDirectoryNames() {
        XCTAssertEqual(CheckpointStore.directoryName(step: 0), "step-00000000")
        XCTAssertEqual(CheckpointStore.directoryName(step: 123_456_789), "step-123456789")
        XCTAssertEqual(CheckpointStore.step(ofDirectoryName: "step-00000040"), 40)
        XCTAssertNil(CheckpointStore.step(ofDirectoryName: "step-40"))
        XCTAssertNil(CheckpointStore.step(ofDirectoryName: ".tmp-step-40-abc"))
        XCTAssertNil(CheckpointStore.step(ofDirectoryName: "step-0000004x"))
    }

    func testRewritingAStepReplacesItWhole() throws {
        let scratch = try CheckpointScratch()
        try scratch.store.write(step: 5, files: ["old.bin": .data(Data([1]))])
        let directory = try scratch.store.write(step: 5, files: ["new.bin": .data(Data([2, 3]))])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(),
                       ["manifest.json", "new.bin"])
        XCTAssertEqual(try scratch.entries(), ["step-00000005"])
        XCTAssertNoThrow(try scratch.store.verify(directory))
    }

    func testDraftIncludesFilesWrittenByOtherRanks() throws {
        let scratch = try CheckpointScratch()
        let draft = try scratch.store.begin(step: 8)
        try draft.write("model.safetensors", .data(Data([1, 2, 3])))
        try Data("{}".utf8).write(to: draft.directory.appendingPathComponent("rank-1.json"))
        let directory = try scratch.store.commit(draft)
        XCTAssertEqual(Set(try scratch.store.verify(directory).files.keys), ["model.safetensors", "rank-1.json"])
    }

    func testInvalidFileNamesAndFailedWritersLeaveNothing() throws {
        let scratch = try CheckpointScratch()
        for name in ["manifest.json", "../x", ".hidden", "a/b", ""] {
            XCTAssertThrowsError(try scratch.store.write(step: 1, files: [name: .data(Data())]), name)
        }
        struct WriterFailed: Error {}
        XCTAssertThrowsError(try scratch.store.write(step: 2, files: ["m": .writer { _ in throw WriterFailed() }]))
        XCTAssertThrowsError(try scratch.store.write(step: 3, files: ["m": .writer { _ in }])) {
            XCTAssertTrue("\($0)".contains("did not create"))
        }
        XCTAssertEqual(try scratch.entries(), [])
    }

    func testBeginReplacesAStaleDraftAndCommitRefusesHiddenEntries() throws {
        let scratch = try CheckpointScratch()
        let stale = try scratch.store.begin(step: 4)
        try stale.add("old.bin", data: Data([1]))
        let draft = try scratch.store.begin(step: 4)
        XCTAssertEqual(draft.directory.lastPathComponent, ".tmp-step-00000004")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: draft.directory.path), [])
        try Data([0]).write(to: draft.directory.appendingPathComponent(".partial"))
        XCTAssertThrowsError(try scratch.store.commit(draft)) {
            XCTAssertTrue("\($0)".hasPrefix(".tmp-step-00000004/.partial: unexpected entry"), "\($0)")
        }
        draft.discard()
        XCTAssertEqual(try scratch.entries(), [])
    }
}
