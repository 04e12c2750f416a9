import Foundation
import XCTest
@testable import Text

final class CollatorTests: XCTestCase {
    private let examples = [
        EncodedExample(ids: [101, 7, 8, 102], typeIds: [0, 0, 0, 0], label: .classIndex(1)),
        EncodedExample(ids: [101, 9, 102], typeIds: [0, 0, 0], label: .classIndex(0)),
        EncodedExample(ids: [101, 5, 102, 6, 102], typeIds: [0, 0, 0, 1, 1], label: .classIndex(1)),
    ]

    func testDynamicPaddingLayoutAndTargets() throws {
        let batch = try Collator().collate(examples, rows: [1, 0])
        XCTAssertEqual(batch.batchSize, 2)
        XCTAssertEqual(batch.seqLen, 4)
        XCTAssertEqual(batch.inputIds, [101, 9, 102, 0, 101, 7, 8, 102])
        XCTAssertEqual(batch.typeIds, [0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(batch.attentionMask, [1, 1, 1, 0, 1, 1, 1, 1])
        XCTAssertEqual(batch.attentionMaskInt32, [1, 1, 1, 0, 1, 1, 1, 1])
        XCTAssertEqual(batch.lengths, [3, 4])
        XCTAssertEqual(batch.indices, [1, 0])
        XCTAssertEqual(batch.realTokenCount, 7)
        XCTAssertEqual(batch.targets, .classes([0, 1]))
    }

    func testPaddingToMultipleAndFixedLength() throws {
        let rounded = try Collator(padID: 0, padding: .longest(multipleOf: 4)).collate(examples)
        XCTAssertEqual(rounded.seqLen, 8)
        XCTAssertEqual(rounded.inputIds.count, 24)
        XCTAssertEqual(Array(rounded.typeIds[16..<24]), [0, 0, 0, 1, 1, 0, 0, 0])
        let fixed = try Collator(padID: -1, padding: .fixed(6)).collate(examples, rows: [2])
        XCTAssertEqual(fixed.inputIds, [101, 5, 102, 6, 102, -1])
        XCTAssertEqual(fixed.attentionMask, [1, 1, 1, 1, 1, 0])
        XCTAssertThrowsError(try Collator(padding: .fixed(4)).collate(examples)) { error in
            XCTAssertTrue("\(error)".contains("5 tokens"), "\(error)")
        }
    }

    func testOtherTargetKinds() throws {
        let scores = [EncodedExample(ids: [101, 102], typeIds: [0, 0], label: .score(2.5)),
                      EncodedExample(ids: [101, 4, 102], typeIds: [0, 0, 0], label: .score(0.25))]
        XCTAssertEqual(try Collator().collate(scores).targets, .scores([2.5, 0.25]))
        let spans = [EncodedExample(ids: [101, 102, 3, 102], typeIds: [0, 0, 1, 1], label: .span(start: 2, end: 2)),
                     EncodedExample(ids: [101, 102, 3, 102], typeIds: [0, 0, 1, 1], label: .span(start: 0, end: 0))]
        XCTAssertEqual(try Collator().collate(spans).targets, .spans(start: [2, 0], end: [2, 0]))
        let unlabelled = [EncodedExample(ids: [101, 102], typeIds: [0, 0])]
        XCTAssertEqual(try Collator().collate(unlabelled).targets, Batch.Targets.none)
    }

    func testBadBatchesAreErrors() {
        XCTAssertThrowsError(try Collator().collate(examples, rows: []))
        XCTAssertThrowsError(try Collator().collate(examples, rows: [3]))
        XCTAssertThrowsError(try Collator(padding: .longest(multipleOf: 0)).collate(examples))
        XCTAssertThrowsError(try Collator().collate([EncodedExample(ids: [], typeIds: [])]))
        let mixed = [examples[0], EncodedExample(ids: [101, 102], typeIds: [0, 0], label: .score(1))]
        XCTAssertThrowsError(try Collator().collate(mixed)) { error in
            XCTAssertTrue("\(error)".contains("example 1"), "\(error)")
        }
    }

    /// GLUE rows → encoded examples → batch, with the labels and pair structure intact.
    func testGLUEExamplesEncodeAndCollate() throws {
        let text = "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\tHello world.\tHi there, world!\n0\t3\t4\tNo.\tYes.\n"
        let dataset = try GLUETask.mrpc.parse(text, file: "mrpc.tsv")
        let encoded = try dataset.encoded(tokenizer: TestData.tokenizer, maxLength: 8)
        XCTAssertEqual(encoded.map(\.label), [.classIndex(1), .classIndex(0)])
        XCTAssertEqual(encoded[0].length, 8)
        XCTAssertEqual(encoded[0].ids, try TestData.tokenizer.encode("Hello world.", "Hi there, world!", maxLength: 8).ids)
        XCTAssertEqual(encoded[1].ids.count, 7)
        let batch = try Collator().collate(encoded)
        XCTAssertEqual(batch.seqLen, 8)
        XCTAssertEqual(Array(batch.typeIds[8..<16]), [0, 0, 0, 0, 1, 1, 1, 0])
        XCTAssertEqual(Array(batch.attentionMask[8..<16]), [1, 1, 1, 1, 1, 1, 1, 0])
        XCTAssertEqual(batch.targets, .classes([1, 0]))

        let stsb = try GLUETask.stsb.parse("i\tg\tf\ty\to\ts1\ts2\tsentence1\tsentence2\tscore\n0\tx\tx\tx\tx\tx\tx\tA man.\tA dog.\t3.8\n", file: "s.tsv")
        XCTAssertEqual(try stsb.encoded(tokenizer: TestData.tokenizer, maxLength: 128).map(\.label), [.score(3.8)])
    }
}
