import Text
import XCTest
@testable import Training

/// Every YAML file shipped in Configs/ loads and validates.
final class ConfigFilesTests: XCTestCase {
    private var configsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Configs")
    }

    func testEveryShippedConfigLoads() throws {
        let files = try FileManager.default.contentsOfDirectory(at: configsDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" || $0.pathExtension == "yml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertGreaterThanOrEqual(files.count, 9)
        for file in files {
            XCTAssertNoThrow(try TrainConfig.load(file: file, overrides: []), file.lastPathComponent)
        }
    }

    func testRecipesMatchTheirNames() throws {
        for task in ["sst2", "mrpc", "cola", "stsb"] {
            for method in ["dense", "transkimmer"] {
                let file = configsDirectory.appendingPathComponent("\(task)-\(method)-minilm.yaml")
                let config = try TrainConfig.load(file: file, overrides: [])
                XCTAssertEqual(config.task.rawValue, task, file.lastPathComponent)
                XCTAssertEqual(config.method.rawValue, method, file.lastPathComponent)
                XCTAssertEqual(config.learningRate, 5e-5, file.lastPathComponent)
                XCTAssertEqual(config.batchSize, 32, file.lastPathComponent)
                XCTAssertEqual(config.epochs, task == "sst2" ? 2 : 5, file.lastPathComponent)
                XCTAssertEqual(config.seed, 42, file.lastPathComponent)
                XCTAssertEqual(config.maxLength, 128, file.lastPathComponent)
                XCTAssertEqual(config.warmupRatio, 0.06, file.lastPathComponent)
                XCTAssertEqual(config.weightDecay, 0.01, file.lastPathComponent)
                XCTAssertEqual(config.model, "Models/all-MiniLM-L6-v2", file.lastPathComponent)
                XCTAssertEqual(config.outputDir, "Checkpoints/\(task)-\(method)-minilm", file.lastPathComponent)
                let text = try String(contentsOf: file, encoding: .utf8)
                XCTAssertTrue(text.hasPrefix("#"), "\(file.lastPathComponent) starts with a comment line")
            }
        }
    }

    func testCITinyConfigPointsAtTheFixtureModelAndItsVocabulary() throws {
        let root = configsDirectory.deletingLastPathComponent()
        let config = try TrainConfig.load(file: configsDirectory.appendingPathComponent("ci-tiny.yaml"), overrides: [])
        XCTAssertEqual(config.task, .sst2)
        XCTAssertEqual(config.model, "Tests/Fixtures/bert/tiny-bert")
        XCTAssertEqual(config.vocabularyPath, "Configs/ci-tiny-vocab.txt")
        XCTAssertEqual(config.trainLimit, 96)
        XCTAssertEqual(config.evalLimit, 32)
        XCTAssertEqual(try config.microBatchSize(worldSize: 2), 4)
        XCTAssertLessThanOrEqual(config.maxLength, 32, "the tiny model has 32 positions")
        for file in ["config.json", "model.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(config.model + "/" + file).path), file)
        }
        let vocabulary = try String(contentsOf: root.appendingPathComponent(config.vocabularyPath), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(vocabulary.count, 64, "the tiny model's vocab_size")
        XCTAssertEqual(Set(vocabulary).count, 64)
        XCTAssertEqual(Array(vocabulary.prefix(4)), ["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
        let tokenizer = try WordPieceTokenizer(vocabularyFile: root.appendingPathComponent(config.vocabularyPath))
        let pieces = tokenizer.tokenize("The films are charming, but boring.").ids.map { tokenizer.vocabulary.token($0) }
        XCTAssertEqual(pieces, ["the", "film", "##s", "[UNK]", "charming", ",", "but", "boring", "."])
    }
}
