import BERT
import Foundation
import Kernels
import SafeTensors
import XCTest

/// Damaged checkpoints, configs and inputs: each must throw an error whose one-line description
/// names the file and the problem.
final class BadInputTests: XCTestCase {
    let fixture = Paths.fixtures.appendingPathComponent("bert/tiny-bert")
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("skim-bad-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func makeModel() throws -> BertModel {
        let config = try BertConfiguration.load(from: fixture.appendingPathComponent("config.json"))
        return BertModel(config: config, head: .sequenceClassification(numLabels: 2))
    }

    /// Loads `url` into a fresh tiny model and returns the thrown error's description (fails if nothing is thrown).
    func loadError(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let model = try makeModel()
        var generator = SeededGenerator(seed: 0)
        do {
            try model.load(safetensors: url, generator: &generator)
        } catch {
            let text = String(describing: error)
            XCTAssertFalse(text.contains("\n"), "description must be one line: \(text)", file: file, line: line)
            return text
        }
        XCTFail("loading \(url.lastPathComponent) did not throw", file: file, line: line)
        return ""
    }

    func assertMentions(_ text: String, _ parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        for part in parts { XCTAssertTrue(text.contains(part), "'\(text)' does not mention '\(part)'", file: file, line: line) }
    }

    var fixtureBytes: Data { get throws { try Data(contentsOf: fixture.appendingPathComponent("model.safetensors")) } }

    func write(_ data: Data, _ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    /// The tiny fixture loads cleanly: the damaged copies below differ only in the damage.
    func testIntactFixtureLoads() throws {
        let url = try write(try fixtureBytes, "intact.safetensors")
        let model = try makeModel()
        var generator = SeededGenerator(seed: 0)
        let report = try model.load(safetensors: url, generator: &generator)
        XCTAssertEqual(report.initialized, [])
        XCTAssertEqual(report.unexpected, [])
    }

    // MARK: damaged safetensors

    func testTruncatedCheckpoint() throws {
        let bytes = try fixtureBytes
        let headerLength = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        // Cut inside the data section: the last tensors' data_offsets run past the end.
        let inData = try loadError(try write(bytes.prefix(bytes.count - 100), "cut-data.safetensors"))
        assertMentions(inData, ["cut-data.safetensors", "data section"])
        // Cut inside the JSON header: the announced header length exceeds the file.
        let inHeader = try loadError(try write(bytes.prefix(8 + headerLength / 2), "cut-header.safetensors"))
        assertMentions(inHeader, ["cut-header.safetensors", "header length", "exceeds"])
        // Cut inside the 8-byte length prefix.
        let inPrefix = try loadError(try write(bytes.prefix(5), "cut-prefix.safetensors"))
        assertMentions(inPrefix, ["cut-prefix.safetensors", "8-byte"])
        // Empty file.
        let empty = try loadError(try write(Data(), "empty.safetensors"))
        assertMentions(empty, ["empty.safetensors"])
    }

    func testBitFlippedHeader() throws {
        let bytes = try fixtureBytes
        // The opening '{' of the JSON header (offset 8) with its lowest bit flipped becomes 'z'.
        var brace = bytes
        brace[8] ^= 0x01
        let notJSON = try loadError(try write(brace, "flipped-brace.safetensors"))
        assertMentions(notJSON, ["flipped-brace.safetensors", "JSON"])

        // Flip a bit in the first "F32" of the header: '3' (0x33) becomes '7', an unknown dtype "F72".
        let header = [UInt8](bytes[8..<200])
        let pattern = Array("\"F32\"".utf8)
        let at = (0...(header.count - pattern.count)).first { Array(header[$0..<($0 + pattern.count)]) == pattern }!
        var dtype = bytes
        dtype[8 + at + 2] ^= 0x04
        let unknown = try loadError(try write(dtype, "flipped-dtype.safetensors"))
        assertMentions(unknown, ["flipped-dtype.safetensors", "dtype", "F72"])

        // The high bit on a header byte: the header is no longer UTF-8.
        var high = bytes
        high[9] ^= 0x80
        let notUTF8 = try loadError(try write(high, "flipped-high-bit.safetensors"))
        assertMentions(notUTF8, ["flipped-high-bit.safetensors", "UTF-8"])
    }

    /// Rewrites the fixture's tensors with `change` applied: nil drops a tensor, else (shape, values).
    func rewrittenFixture(_ name: String, _ change: (String, [Int], [Float]) -> ([Int], [Float])?) throws -> URL {
        let source = try SafeTensorsFile(contentsOf: fixture.appendingPathComponent("model.safetensors"))
        var writer = SafeTensorsWriter()
        writer.metadata = source.metadata
        for tensor in source.names {
            let info = source.info(tensor)!
            guard let (shape, values) = change(tensor, info.shape, try source.floats(tensor)) else { continue }
            writer.add(tensor, shape: shape, floats: values)
        }
        let url = directory.appendingPathComponent(name)
        try writer.write(to: url)
        return url
    }

    func testMissingEncoderTensor() throws {
        let missing = "bert.encoder.layer.0.attention.self.query.weight"
        let url = try rewrittenFixture("missing-query.safetensors") { name, shape, values in
            name == missing ? nil : (shape, values)
        }
        let text = try loadError(url)
        assertMentions(text, ["missing-query.safetensors", missing, "missing"])
    }

    func testShapeMismatch() throws {
        let changed = "bert.encoder.layer.1.intermediate.dense.weight"   // [64, 32] in the fixture
        let url = try rewrittenFixture("wrong-shape.safetensors") { name, shape, values in
            name == changed ? ([shape[1], shape[0]], values) : (shape, values)   // same element count, transposed shape
        }
        let text = try loadError(url)
        assertMentions(text, ["wrong-shape.safetensors", changed, "shape", "[32, 64]", "[64, 32]"])

        let dropped = try rewrittenFixture("wrong-count.safetensors") { name, shape, values in
            name == "bert.embeddings.LayerNorm.weight" ? ([shape[0] - 1], Array(values.dropLast())) : (shape, values)
        }
        assertMentions(try loadError(dropped), ["wrong-count.safetensors", "bert.embeddings.LayerNorm.weight", "shape"])
    }

    func testMissingCheckpointFile() throws {
        let text = try loadError(directory.appendingPathComponent("absent.safetensors"))
        assertMentions(text, ["absent.safetensors"])
    }

    // MARK: bad config.json

    /// Writes the fixture's config.json with `edit` applied and returns the thrown error's description.
    func configError(_ name: String, _ edit: (inout [String: Any]) -> Void,
                     file: StaticString = #filePath, line: UInt = #line) throws -> String {
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("config.json"))) as! [String: Any]
        edit(&json)
        let url = directory.appendingPathComponent(name)
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: url)
        do {
            _ = try BertConfiguration.load(from: url)
        } catch {
            let text = String(describing: error)
            XCTAssertTrue(error is ModelError, "expected a ModelError, got \(type(of: error))", file: file, line: line)
            return text
        }
        XCTFail("\(name) was accepted", file: file, line: line)
        return ""
    }

    func testConfigWithoutHiddenSize() throws {
        let text = try configError("broken-config.json") { $0["hidden_size"] = nil }
        assertMentions(text, ["broken-config.json", "hidden_size", "missing"])
    }

    func testUnsupportedActivation() throws {
        let text = try configError("tanh-gelu.json") { $0["hidden_act"] = "gelu_new" }
        assertMentions(text, ["tanh-gelu.json", "hidden_act", "gelu_new"])
        let relu = try configError("relu.json") { $0["hidden_act"] = "relu" }
        assertMentions(relu, ["relu.json", "hidden_act", "relu"])
    }

    func testNonNumericValues() throws {
        let text = try configError("string-size.json") { $0["hidden_size"] = "32" }
        assertMentions(text, ["string-size.json", "hidden_size", "number"])
        let fractional = try configError("fractional-layers.json") { $0["num_hidden_layers"] = 2.5 }
        assertMentions(fractional, ["fractional-layers.json", "num_hidden_layers", "integer"])
        let indivisible = try configError("heads.json") { $0["num_attention_heads"] = 5 }
        assertMentions(indivisible, ["heads.json", "num_attention_heads", "multiple"])
        let notObject = directory.appendingPathComponent("array.json")
        try Data("[1, 2]".utf8).write(to: notObject)
        XCTAssertThrowsError(try BertConfiguration.load(from: notObject)) { error in
            self.assertMentions(String(describing: error), ["array.json", "JSON object"])
        }
    }

    func testWrongTypesAndValues() throws {
        // A required key that is present but null counts as missing.
        let null = try configError("null-vocab.json") { $0["vocab_size"] = NSNull() }
        assertMentions(null, ["null-vocab.json", "vocab_size", "missing"])
        // Optional keys are type-checked too.
        let eps = try configError("string-eps.json") { $0["layer_norm_eps"] = "1e-12" }
        assertMentions(eps, ["string-eps.json", "layer_norm_eps", "number"])
        let list = try configError("list-size.json") { $0["intermediate_size"] = [64] }
        assertMentions(list, ["list-size.json", "intermediate_size", "number"])
        // hidden_act must be the string "gelu".
        let act = try configError("numeric-act.json") { $0["hidden_act"] = 1 }
        assertMentions(act, ["numeric-act.json", "hidden_act"])
        // Values of the right type but out of range.
        let negative = try configError("negative.json") { $0["intermediate_size"] = -64 }
        assertMentions(negative, ["negative.json", "intermediate_size", "integer"])
        let zero = try configError("zero-heads.json") { $0["num_attention_heads"] = 0 }
        assertMentions(zero, ["zero-heads.json", "num_attention_heads", "positive"])
        let dropout = try configError("dropout.json") { $0["hidden_dropout_prob"] = 1.5 }
        assertMentions(dropout, ["dropout.json", "hidden_dropout_prob", "[0, 1)"])
        let model = try configError("roberta.json") { $0["model_type"] = "roberta" }
        assertMentions(model, ["roberta.json", "model_type", "roberta"])
    }

    func testUnreadableOrMalformedConfigFile() throws {
        let absent = directory.appendingPathComponent("absent-config.json")
        XCTAssertThrowsError(try BertConfiguration.load(from: absent)) { error in
            self.assertMentions(String(describing: error), ["absent-config.json", "cannot read"])
        }
        let truncated = directory.appendingPathComponent("truncated-config.json")
        let full = try Data(contentsOf: fixture.appendingPathComponent("config.json"))
        try full.prefix(full.count / 2).write(to: truncated)
        XCTAssertThrowsError(try BertConfiguration.load(from: truncated)) { error in
            self.assertMentions(String(describing: error), ["truncated-config.json", "JSON"])
        }
    }

    // MARK: bad model input

    func testTokenIdOutsideVocabulary() throws {
        let model = try makeModel()
        var generator = SeededGenerator(seed: 0)
        model.initializeWeights(generator: &generator)
        let vocab = model.config.vocabSize
        func input(ids: [Int32], types: [Int32] = [0, 0, 0, 0]) -> ModelInput {
            ModelInput(batch: 1, seqLen: 4, inputIds: ids, typeIds: types, attentionMask: [1, 1, 1, 1], target: .classes([1]))
        }
        // A valid input runs; the same with one id out of range throws invalidInput, in training and inference.
        XCTAssertNoThrow(try model.forward(input(ids: [2, 5, 7, 3]), training: false, generator: &generator))
        for (ids, types) in [([2, Int32(vocab), 7, 3], [0, 0, 0, 0] as [Int32]), ([2, -1, 7, 3], [0, 0, 0, 0]), ([2, 5, 7, 3], [0, 2, 0, 0])] {
            for training in [false, true] {
                XCTAssertThrowsError(try model.forward(input(ids: ids, types: types), training: training, generator: &generator),
                                     "ids \(ids), types \(types), training \(training)") { error in
                    guard case ModelError.invalidInput(let why) = error else { return XCTFail("unexpected error \(error)") }
                    XCTAssertTrue(why.contains("outside"), why)
                }
            }
        }
        XCTAssertThrowsError(try model.predict(input(ids: [2, Int32(vocab) + 100, 7, 3]))) { error in
            guard case ModelError.invalidInput = error else { return XCTFail("unexpected error \(error)") }
            XCTAssertTrue(String(describing: error).contains("\(vocab + 100)"), String(describing: error))
        }
    }
}
