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
        XCTAssertGreaterThanOrEqual(files.count, 8)
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
                let text = try String(contentsOf: file, encoding: .utf8)
                XCTAssertTrue(text.hasPrefix("#"), "\(file.lastPathComponent) starts with a comment line")
            }
        }
    }
}
