import Foundation
import XCTest
@testable import Text

/// Checks every line of every `*.jsonl` under `Tests/Fixtures/tokenizer/` against the tokenizer:
/// ids, type ids and offsets must be exactly equal.
final class TokenizerGoldenTests: XCTestCase {
    func testEveryGoldenFileLine() throws {
        let directory = TestData.fixtures.appendingPathComponent("tokenizer")
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "jsonl" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertFalse(files.isEmpty, "no *.jsonl fixtures in \(directory.path)")
        var checked = 0
        var failures: [String] = []
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            checked += lines.count
            failures += try GoldenChecker.check(lines: lines, name: file.lastPathComponent)
        }
        XCTAssertGreaterThanOrEqual(checked, 3290)
        XCTAssertTrue(failures.isEmpty,
                      "\(failures.count) of \(checked) lines differ:\n" + failures.prefix(10).joined(separator: "\n"))
    }

    /// The checker itself reports a wrong id, a wrong type id and a wrong offset.
    func testCheckerDetectsDifferences() throws {
        let lines = [
            #"{"a": "hello", "b": null, "ids": [101, 7592, 102], "type_ids": [0, 0, 0], "offsets": [[0, 0], [0, 5], [0, 0]]}"#,
            #"{"a": "hello", "b": null, "ids": [101, 7593, 102], "type_ids": [0, 0, 0], "offsets": [[0, 0], [0, 5], [0, 0]]}"#,
            #"{"a": "hello", "b": null, "ids": [101, 7592, 102], "type_ids": [0, 1, 0], "offsets": [[0, 0], [0, 5], [0, 0]]}"#,
            #"{"a": "hello", "b": null, "ids": [101, 7592, 102], "type_ids": [0, 0, 0], "offsets": [[0, 0], [0, 4], [0, 0]]}"#,
        ]
        let failures = try GoldenChecker.check(lines: lines, name: "bad")
        XCTAssertEqual(failures.count, 3)
        XCTAssertTrue(failures[0].hasPrefix("bad:2: ids"))
        XCTAssertTrue(failures[1].hasPrefix("bad:3: type ids"))
        XCTAssertTrue(failures[2].hasPrefix("bad:4: offsets"))
    }
}
