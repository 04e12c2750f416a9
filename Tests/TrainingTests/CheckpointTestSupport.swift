import Foundation
import XCTest
@testable import Training

/// A fresh temporary directory per test, removed at the end.
final class CheckpointScratch {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("skim-checkpoints-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// A store in the scratch directory.
    var store: CheckpointStore { CheckpointStore(root: root) }

    /// Names in the root, sorted.
    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
    }
}

/// Writes a small checkpoint of `step` with two files.
@discardableResult
func writeSampleCheckpoint(_ store: CheckpointStore, step: Int) throws -> URL {
    try store.write(step: step, files: [
        "model.safetensors": .data(Data((0..<100).map { UInt8(($0 * 7 + step) % 256) })),
        "trainer_state.json": .data(Data("{\"step\": \(step)}".utf8)),
    ])
}
