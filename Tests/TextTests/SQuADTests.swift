import Foundation
import XCTest
@testable import Text

final class SQuADTests: XCTestCase {
    static let dev: SQuADDataset = {
        do {
            return try SQuADDataset.load(from: TestData.dataRoot)
        } catch {
            fatalError("cannot load SQuAD dev: \(error)")
        }
    }()

    /// Counts from `Data/README.md`.
    func testDevParsesToDocumentedCounts() {
        let dev = Self.dev
        XCTAssertEqual(dev.version, "1.1")
        XCTAssertEqual(dev.examples.count, 10_570)
        XCTAssertEqual(dev.contexts.count, 2_067)
        XCTAssertEqual(Set(dev.examples.map(\.title)).count, 48)
        XCTAssertEqual(dev.examples.reduce(0) { $0 + $1.answers.count }, 34_726)
        XCTAssertEqual(Set(dev.examples.map(\.id)).count, 10_570)
    }

    /// Every answerable feature's token span, cut from the context by offsets, covers the gold answer
    /// and no more than the tokens that overlap it; for nearly all it is exactly the answer text.
    func testAnswerSpansDecodeBackToGoldText() throws {
        let dev = Self.dev
        let features = try dev.features(tokenizer: TestData.tokenizer)
        XCTAssertGreaterThan(features.count, dev.examples.count)
        var answerable = 0, exact = 0
        var examplesWithAnswer = Set<Int>()
        var inexact: [String] = []
        for feature in features {
            XCTAssertLessThanOrEqual(feature.ids.count, 384)
            guard feature.containsAnswer else {
                XCTAssertEqual(feature.endPosition, 0)
                continue
            }
            answerable += 1
            examplesWithAnswer.insert(feature.exampleIndex)
            let example = dev.examples[feature.exampleIndex]
            let answer = example.answers[0]
            let context = Array(dev.context(of: example).unicodeScalars)
            guard let first = feature.contextOffsets[feature.startPosition],
                  let last = feature.contextOffsets[feature.endPosition] else {
                XCTFail("example \(example.id): answer positions are not context tokens")
                continue
            }
            let decoded = String(String.UnicodeScalarView(context[first.lowerBound..<last.upperBound]))
            if decoded == answer.text {
                exact += 1
                continue
            }
            // The answer begins or ends inside a token: the span must be the tokens overlapping it.
            XCTAssertTrue(first.lowerBound <= answer.start && answer.start < first.upperBound
                          && last.lowerBound < answer.end && answer.end <= last.upperBound,
                          "example \(example.id): \"\(decoded)\" is not the covering span of \"\(answer.text)\"")
            inexact.append("\(answer.text) → \(decoded)")
        }
        // Every question has a window holding its answer.
        XCTAssertEqual(examplesWithAnswer.count, dev.examples.count)
        XCTAssertGreaterThan(Double(exact) / Double(answerable), 0.99, inexact.prefix(20).joined(separator: "\n"))
        print("SQuAD dev: \(features.count) features, \(answerable) answerable, \(exact) decode exactly, \(inexact.count) cover an answer that starts or ends inside a token")
    }

    func testWindowsStrideAndCoverLongContexts() throws {
        let context = (0..<300).map { "w\($0)" }.joined(separator: " ")
        let json = """
        {"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": "\(context)",
          "qas": [{"id": "q1", "question": "where is w250 ?", "answers": [{"text": "w250", "answer_start": \(context.range(of: "w250")!.lowerBound.utf16Offset(in: context))}]}]}]}]}
        """
        let dataset = try SQuADDataset.parse(Data(json.utf8), file: "long.json")
        let tokenizer = TestData.tokenizer
        let contextTokens = tokenizer.tokenize(context).count
        let questionTokens = tokenizer.tokenize("where is w250 ?").count
        let options = SQuADFeatureOptions(maxLength: 128, docStride: 64)
        let features = try dataset.features(tokenizer: tokenizer, options: options)
        let window = 128 - questionTokens - 3
        // Windows start 0, 64, 128, …; the last one reaches the end of the context.
        let expectedWindows = 1 + Int((Double(max(contextTokens - window, 0)) / 64).rounded(.up))
        XCTAssertEqual(features.count, expectedWindows)
        XCTAssertEqual(features.map(\.windowIndex), Array(0..<expectedWindows))
        for feature in features {
            XCTAssertLessThanOrEqual(feature.ids.count, 128)
            XCTAssertEqual(feature.ids.first, 101)
            XCTAssertEqual(feature.ids.last, 102)
            XCTAssertEqual(feature.ids[questionTokens + 1], 102)
            XCTAssertEqual(feature.typeIds.filter { $0 == 0 }.count, questionTokens + 2)
            XCTAssertEqual(feature.contextOffsets.compactMap { $0 }.count, feature.ids.count - questionTokens - 3)
        }
        XCTAssertEqual(features.last!.contextOffsets[features.last!.ids.count - 2]!.upperBound, context.unicodeScalars.count)
        let holding = features.filter(\.containsAnswer)
        XCTAssertFalse(holding.isEmpty)
        XCTAssertEqual(features.filter { !$0.containsAnswer }.map(\.startPosition), Array(repeating: 0, count: features.count - holding.count))
        for feature in holding {
            let span = feature.contextOffsets[feature.startPosition]!.lowerBound ..< feature.contextOffsets[feature.endPosition]!.upperBound
            XCTAssertEqual(String(String.UnicodeScalarView(Array(context.unicodeScalars)[span])), "w250")
        }
    }

    // MARK: Bad input

    private func assertError(_ kind: TextDataError.Kind, _ json: String, mentions fragments: [String],
                             line: UInt = #line) {
        XCTAssertThrowsError(try SQuADDataset.parse(Data(json.utf8), file: "bad.json"), line: line) { error in
            guard let error = error as? TextDataError else { return XCTFail("unexpected \(error)", line: line) }
            XCTAssertEqual(error.kind, kind, line: line)
            for fragment in fragments {
                XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" lacks \"\(fragment)\"", line: line)
            }
        }
    }

    func testAnswerNotAtItsOffsetIsAnError() {
        let json = #"{"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": "The cat sat.", "qas": [{"id": "ok", "question": "?", "answers": [{"text": "cat", "answer_start": 4}]}, {"id": "q7", "question": "?", "answers": [{"text": "cat", "answer_start": 4}, {"text": "sat", "answer_start": 3}]}]}]}]}"#
        assertError(.answerMismatch, json,
                    mentions: ["bad.json:data[0].paragraphs[0].qas[1].answers[1]", "q7", "answer_start 3", "reads \" ca\""])
        let outside = #"{"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": "abc", "qas": [{"id": "q", "question": "?", "answers": [{"text": "abc", "answer_start": 2}]}]}]}]}"#
        assertError(.answerMismatch, outside, mentions: ["answers[0]", "answer_start 2"])
    }

    func testStructuralErrorsNameTheJSONPosition() throws {
        assertError(.malformed, #"{"version": "1.1", "data": [{"title": "T", "paragraphs": [{"qas": []}]}]}"#,
                    mentions: ["bad.json:data[0].paragraphs[0]", "context"])
        assertError(.malformed, #"{"version": "1.1", "data": [{"title": 5, "paragraphs": []}]}"#,
                    mentions: ["data[0].title"])
        assertError(.malformed, "{\"version\": ", mentions: ["bad.json", "invalid JSON"])
        let missing = TestData.dataRoot.appendingPathComponent("nowhere")
        XCTAssertThrowsError(try SQuADDataset.load(from: missing)) { error in
            XCTAssertEqual((error as? TextDataError)?.kind, .unreadable)
            XCTAssertTrue("\(error)".contains("nowhere/squad/dev-v1.1.json"))
        }
    }

    func testScalarOffsetsWithNonASCIIContext() throws {
        // "é" precomposed is one scalar; "🎉" is one scalar (two UTF-16 units).
        let json = #"{"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": "Café 🎉 in Zürich", "qas": [{"id": "q", "question": "Where?", "answers": [{"text": "Zürich", "answer_start": 10}]}]}]}]}"#
        let dataset = try SQuADDataset.parse(Data(json.utf8), file: "u.json")
        XCTAssertEqual(dataset.examples[0].answers[0].end, 16)
        let feature = try dataset.features(tokenizer: TestData.tokenizer)[0]
        XCTAssertTrue(feature.containsAnswer)
        XCTAssertEqual(feature.contextOffsets[feature.startPosition], 10..<16)
        XCTAssertEqual(feature.endPosition, feature.startPosition)
    }
}
