import XCTest
@testable import Text

/// Pair truncation, with expected lengths from Hugging Face `tokenizers` 0.23.3 (`enable_truncation`).
final class TruncationTests: XCTestCase {
    private func words(_ n: Int, _ w: String) -> String { Array(repeating: w, count: n).joined(separator: " ") }

    /// Returns how many `a` (id 1037) and `b` (id 1038) tokens survive, and the total length.
    private func kept(_ a: Int, _ b: Int?, maxLength: Int, _ strategy: TruncationStrategy) throws -> [Int] {
        let encoding = try TestData.tokenizer.encode(words(a, "a"), b.map { words($0, "b") },
                                                     maxLength: maxLength, truncation: strategy)
        return [encoding.ids.filter { $0 == 1037 }.count, encoding.ids.filter { $0 == 1038 }.count, encoding.count]
    }

    func testLongestFirstMatchesReference() throws {
        XCTAssertEqual(try kept(10, 10, maxLength: 15, .longestFirst), [6, 6, 15])
        XCTAssertEqual(try kept(10, 11, maxLength: 16, .longestFirst), [6, 7, 16])
        XCTAssertEqual(try kept(11, 10, maxLength: 16, .longestFirst), [7, 6, 16])
        XCTAssertEqual(try kept(3, 20, maxLength: 12, .longestFirst), [3, 6, 12])
        XCTAssertEqual(try kept(20, 3, maxLength: 12, .longestFirst), [6, 3, 12])
        XCTAssertEqual(try kept(4, 4, maxLength: 20, .longestFirst), [4, 4, 11])
    }

    func testSingleTextAndOnlyStrategies() throws {
        XCTAssertEqual(try kept(10, nil, maxLength: 6, .longestFirst), [4, 0, 6])
        XCTAssertEqual(try kept(5, 10, maxLength: 12, .onlySecond), [5, 4, 12])
        XCTAssertEqual(try kept(10, 5, maxLength: 12, .onlyFirst), [4, 5, 12])
    }

    func testImpossibleTruncationThrows() {
        XCTAssertThrowsError(try kept(10, 5, maxLength: 12, .onlySecond))
        XCTAssertThrowsError(try kept(5, 10, maxLength: 12, .onlyFirst))
        XCTAssertThrowsError(try kept(1, 1, maxLength: 2, .longestFirst))
    }

    func testTruncatedPairKeepsStructure() throws {
        let encoding = try TestData.tokenizer.encode("a b c d", "e f g", maxLength: 7)
        XCTAssertEqual(encoding.ids, [101, 1037, 1038, 102, 1041, 1042, 102])
        XCTAssertEqual(encoding.typeIds, [0, 0, 0, 0, 1, 1, 1])
        XCTAssertEqual(encoding.sequenceIds, [-1, 0, 0, -1, 1, 1, -1])
        XCTAssertEqual(encoding.offsets, [0..<0, 0..<1, 2..<3, 0..<0, 0..<1, 2..<3, 0..<0])
    }
}
