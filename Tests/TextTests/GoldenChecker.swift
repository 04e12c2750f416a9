import Foundation
@testable import Text

/// Compares tokenizer output with golden JSON lines
/// `{"a": text, "b": text-or-null, "ids": [...], "type_ids": [...], "offsets": [[s, e], ...]}`.
enum GoldenChecker {
    private struct GoldenLine: Decodable {
        let a: String
        let b: String?
        let ids: [Int32]
        let type_ids: [Int32]
        let offsets: [[Int]]
    }

    /// One message per line whose ids, type ids or offsets differ (or that cannot be decoded);
    /// messages start with `"<name>:<line number>: "`.
    static func check<Lines: Collection>(lines: Lines, name: String) throws -> [String] where Lines.Element: StringProtocol {
        let tokenizer = TestData.tokenizer
        let decoder = JSONDecoder()
        var failures: [String] = []
        for (index, line) in lines.enumerated() {
            let place = "\(name):\(index + 1)"
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
        return failures
    }
}
