import Foundation
import XCTest
@testable import Text

/// Locations of the shipped data and fixtures, found from this file's path
/// (`…/Tests/TextTests/TestData.swift` → `…/Data`, `…/Tests/Fixtures`).
enum TestData {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let dataRoot = testsDirectory.deletingLastPathComponent().appendingPathComponent("Data")
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let vocabularyFile = dataRoot.appendingPathComponent("bert-vocab/uncased/vocab.txt")

    /// The uncased BERT tokenizer, loaded once for all tests.
    static let tokenizer: WordPieceTokenizer = {
        do {
            return try WordPieceTokenizer(vocabularyFile: vocabularyFile)
        } catch {
            fatalError("cannot load \(vocabularyFile.path): \(error)")
        }
    }()

    /// A fresh temporary directory, removed when the test case finishes.
    static func temporaryDirectory(for testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("skim-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
