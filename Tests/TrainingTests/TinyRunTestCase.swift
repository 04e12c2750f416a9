import Foundation
import SkimTestSupport
import XCTest

/// Base of the tests that run `skim` end to end on the tiny fixture BERT (`Configs/ci-tiny.yaml`):
/// a scratch folder per test, and `train` into a named run folder inside it.
class TinyRunTestCase: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("skim-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// `skim train -c Configs/ci-tiny.yaml --set output_dir=<scratch>/<name> …`.
    func train(_ name: String, ranks: Int?, _ extra: [String] = [], expectSuccess: Bool = true,
               file: StaticString = #filePath, line: UInt = #line) throws -> SkimJob.Result {
        let arguments = ["train", "-c", "Configs/ci-tiny.yaml", "--set", "output_dir=\(directory(name).path)"] + extra
        let result = try SkimJob.run(ranks: ranks, arguments, timeout: 180)
        XCTAssertFalse(result.timedOut, result.summary, file: file, line: line)
        if expectSuccess { XCTAssertEqual(result.status, 0, result.summary, file: file, line: line) }
        return result
    }

    func directory(_ name: String) -> URL { scratch.appendingPathComponent(name) }
}
