import BERT
import Foundation
import Kernels
import SafeTensors
import XCTest

/// Locations inside the repository, found from this file's path (no resources to copy).
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/Fixtures")
    static let model = repository.appendingPathComponent("Models/all-MiniLM-L6-v2")

    /// Every sub-folder of `Tests/Fixtures/<kind>`, sorted.
    static func fixtureFolders(_ kind: String) throws -> [URL] {
        let root = fixtures.appendingPathComponent(kind)
        return try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: [.isDirectoryKey])
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

/// One reference folder: config, float32 weights, inputs and float64 expectations.
struct FixtureCase {
    let folder: URL
    let config: BertConfiguration
    let head: TaskHead
    let input: ModelInput
    let json: [String: Any]
    let expected: SafeTensorsFile

    var name: String { folder.lastPathComponent }

    init(folder: URL) throws {
        self.folder = folder
        config = try BertConfiguration.load(from: folder.appendingPathComponent("config.json"))
        let configJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as! [String: Any]
        let architecture = (configJSON["architectures"] as? [String])?.first ?? ""
        head = architecture.hasSuffix("QuestionAnswering") ? .questionAnswering : .sequenceClassification(numLabels: config.numLabels ?? 2)
        json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("inputs.json"))) as! [String: Any]
        let ids = json["input_ids"] as! [[Int]]
        let types = json["token_type_ids"] as! [[Int]]
        let mask = json["attention_mask"] as! [[Int]]
        let target: ModelInput.Target
        if let start = json["start_positions"] as? [Int], let end = json["end_positions"] as? [Int] {
            target = .spans(start: start, end: end)
        } else if let labels = json["labels"] as? [Double], config.numLabels == 1 {
            target = .scores(labels.map(Float.init))
        } else {
            target = .classes((json["labels"] as! [NSNumber]).map(\.intValue))
        }
        input = ModelInput(batch: ids.count, seqLen: ids[0].count,
                           inputIds: ids.flatMap { $0 }.map(Int32.init), typeIds: types.flatMap { $0 }.map(Int32.init),
                           attentionMask: mask.flatMap { $0 }.map(Float.init), target: target)
        expected = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("expected.safetensors"))
    }

    /// A model with the fixture's weights (float32, as stored).
    func makeModel(skim: SkimMethod = .none) throws -> BertModel {
        let model = BertModel(config: config, head: head, skim: skim)
        var generator = SeededGenerator(seed: 0)
        let report = try model.load(safetensors: folder.appendingPathComponent("model.safetensors"), generator: &generator)
        XCTAssertEqual(report.initialized, [], "\(name): every tensor must come from the fixture")
        return model
    }
}

/// Compares a float32 result with a float64 reference tensor.
/// Error measure: max_i |actual_i − expected_i| / max(max_i |expected_i|, floor), i.e. the largest
/// deviation relative to the tensor's largest entry; `floor` makes ≈0 tensors compare absolutely.
func assertClose(_ actual: [Float], _ expected: [Double], tolerance: Double, floor: Double = 1e-30,
                 _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(what): \(actual.count) values, reference has \(expected.count)", file: file, line: line)
        return
    }
    var maxDiff = 0.0, maxRef = 0.0
    for i in 0..<actual.count {
        maxDiff = max(maxDiff, abs(Double(actual[i]) - expected[i]))
        maxRef = max(maxRef, abs(expected[i]))
    }
    let error = maxDiff / max(maxRef, floor)
    XCTAssert(error <= tolerance, "\(what): relative error \(error) > \(tolerance) (max |Δ| \(maxDiff), max |ref| \(maxRef))",
              file: file, line: line)
}
