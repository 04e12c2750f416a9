import Foundation
import XCTest
@testable import Text

/// Checks every line of every `*.jsonl` under `Tests/Fixtures/tokenizer/` against the tokenizer:
/// ids, type ids and offsets must be exactly equal.
final class TokenizerGoldenTests: XCTestCase {
    private struct GoldenLine: Decodable {
        let a: String
        let b: String?
        let ids: [Int32]
        let type_ids: [Int32]
        let offsets: [[Int]]
    }

    /// Compares each line of `file`; returns the number of lines and a message per differing line.
    private func check(_ file: URL) throws -> (lines: Int, failures: [String]) {
        let tokenizer = TestData.tokenizer
        let decoder = JSONDecoder()
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        var failures: [String] = []
        for (index, line) in lines.enumerated() {
            let place = "\(file.lastPathComponent):\(index + 1)"
            let golden: GoldenLine
            do {
                golden = try decoder.decode(GoldenLine.self, from: Data(line.utf8))
            } catch {
                failures.append("\(place): unreadable fixture line: \(error)")
                continue
            }
            let encoding = try tokenizer.encode(golden.a, golden.b)
            let offsets = encoding.offsets.map { [$0.lowerBound, $0.upperBound] }
            if encoding.ids != golden.ids {
                failures.append("\(place): ids\n  got      \(encoding.ids)\n  expected \(golden.ids)")
            } else if encoding.typeIds != golden.type_ids {
                failures.append("\(place): type ids\n  got      \(encoding.typeIds)\n  expected \(golden.type_ids)")
            } else if offsets != golden.offsets {
                failures.append("\(place): offsets\n  got      \(offsets)\n  expected \(golden.offsets)")
            }
        }
        return (lines.count, failures)
    }

    func testEveryGoldenFileLine() throws {
        let directory = TestData.fixtures.appendingPathComponent("tokenizer")
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "jsonl" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertFalse(files.isEmpty, "no *.jsonl fixtures in \(directory.path)")
        var checked = 0
        var failures: [String] = []
        for file in files {
            let result = try check(file)
            checked += result.lines
            failures += result.failures
        }
        XCTAssertGreaterThanOrEqual(checked, 3290)
        XCTAssertTrue(failures.isEmpty,
                      "\(failures.count) of \(checked) lines differ:\n" + failures.prefix(10).joined(separator: "\n"))
    }

    /// The checker itself reports a wrong id, a wrong type id and a wrong offset.
    func testCheckerDetectsDifferences() throws {
        let directory = try TestData.temporaryDirectory(for: self)
        let file = directory.appendingPathComponent("bad.jsonl")
        let lines = [
            #"{"a": "hello", "b": null, "ids": [101, 7592, 102], "type_ids": [0, 0, 0], "offsets": [[0, 0], [0, 5], [0, 0]]}"#,
            #"{"a": "hello", "b": null, "ids": [101, 7593, 102], "type_ids": [0, 0, 0], "offsets": [[0, 0], [0, 5], [0, 0]]}"#,
            #"{"a": "hello", "b": null, "ids": [101, 7592, 102], "type_ids": [0, 1, 0], "offsets": [[0, 0], [0, 5], [0, 0]]}"#,
            #"{"a": "hello", "b": null, "ids": [101, 7592, 102], "type_ids": [0, 0, 0], "offsets": [[0, 0], [0, 4], [0, 0]]}"#,
        ]
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try check(file)
        XCTAssertEqual(result.lines, 4)
        XCTAssertEqual(result.failures.count, 3)
        XCTAssertTrue(result.failures[0].hasPrefix("bad.jsonl:2: ids"))
        XCTAssertTrue(result.failures[1].hasPrefix("bad.jsonl:3: type ids"))
        XCTAssertTrue(result.failures[2].hasPrefix("bad.jsonl:4: offsets"))
    }
}
