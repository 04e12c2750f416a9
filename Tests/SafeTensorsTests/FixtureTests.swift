import Foundation
import XCTest
@testable import SafeTensors

final class FixtureTests: XCTestCase {
    private let tinyBERT = repositoryRoot.appendingPathComponent("Tests/Fixtures/bert/tiny-bert")

    func testTinyBERTModel() throws {
        let file = try SafeTensorsFile(contentsOf: tinyBERT.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(file.names.count, 41)
        XCTAssertEqual(file.names, file.names.sorted())
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(file.coverageGaps, [])
        let info = try XCTUnwrap(file.info("bert.embeddings.word_embeddings.weight"))
        XCTAssertEqual(info.dtype, .f32)
        XCTAssertEqual(info.shape, [64, 32])
        XCTAssertEqual(info.elementCount, 2048)
        XCTAssertEqual(info.byteOffset, 4608)
        XCTAssertEqual(info.byteCount, 8192)
        let values = try file.floats("bert.embeddings.word_embeddings.weight")
        XCTAssertEqual(values.count, 2048)
        // First and last values, as read by Python's struct module from the same file.
        XCTAssertEqual(Array(values.prefix(4)), [-0.4885052442550659, -0.329476922750473, 0.612075924873352, 0.5001204609870911])
        XCTAssertEqual(values.last, -0.6394996643066406)
        for name in file.names {
            XCTAssertEqual(try file.floats(name).count, file.info(name)?.elementCount)
        }
    }

    func testTinyBERTExpectedMixesF64AndF32() throws {
        let file = try SafeTensorsFile(contentsOf: tinyBERT.appendingPathComponent("expected.safetensors"))
        XCTAssertEqual(file.info("loss")?.dtype, .f64)
        XCTAssertEqual(file.info("loss")?.shape, [1])
        let loss = try file.doubles("loss")
        XCTAssertEqual(loss.count, 1)
        XCTAssertEqual(loss[0], 0.8845790062969475, accuracy: 1e-15)
        XCTAssertEqual(file.info("float32.loss")?.dtype, .f32)
        let float32Loss = try file.floats("float32.loss")
        XCTAssertEqual(Double(float32Loss[0]), loss[0], accuracy: 1e-5)
        XCTAssertEqual(file.info("attentions.0")?.shape, [3, 4, 16, 16])
        XCTAssertEqual(file.info("float32.last_hidden_state")?.shape, [3, 16, 32])
        // Each attention row is a softmax: it sums to 1.
        let attentions = try file.doubles("attentions.0")
        XCTAssertEqual(attentions[0..<16].reduce(0, +), 1, accuracy: 1e-12)
    }

    /// The real 90 MB model: every tensor decoded, and the load must stay fast.
    func testMiniLMModelIfPresent() throws {
        let url = repositoryRoot.appendingPathComponent("Models/all-MiniLM-L6-v2/model.safetensors")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: url.path), "MiniLM model not present")
        let start = Date()
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.info("embeddings.word_embeddings.weight")?.shape, [30522, 384])
        var elements = 0
        for name in file.names {
            switch file.info(name)?.dtype {
            case .i64?: elements += try file.int64s(name).count
            default: elements += try file.floats(name).count
            }
        }
        let seconds = Date().timeIntervalSince(start)
        XCTAssertGreaterThan(elements, 22_000_000)
        print("MiniLM: read and decoded \(elements) elements of \(file.names.count) tensors in \(seconds) s")
    }
}
