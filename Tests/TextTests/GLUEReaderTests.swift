import Foundation
import XCTest
@testable import Text

final class GLUEReaderTests: XCTestCase {
    private func load(_ task: GLUETask, _ split: String) throws -> GLUEDataset {
        try task.load(split: split, from: TestData.dataRoot)
    }

    /// Row and label counts from `Data/README.md`.
    func testShippedFilesHaveDocumentedCounts() throws {
        let expected: [(GLUETask, String, Int, [Int])] = [
            (.sst2, "train", 67_349, [29_780, 37_569]), (.sst2, "dev", 872, [428, 444]),
            (.mrpc, "train", 3_668, [1_194, 2_474]), (.mrpc, "dev", 408, [129, 279]),
            (.cola, "train", 8_551, [2_528, 6_023]), (.cola, "dev", 1_043, [322, 721]),
        ]
        for (task, split, rows, labels) in expected {
            let data = try load(task, split)
            XCTAssertEqual(data.examples.count, rows, "\(task.name) \(split)")
            XCTAssertEqual(data.labelCounts, labels, "\(task.name) \(split)")
            XCTAssertTrue(data.skippedLines.isEmpty)
        }
    }

    func testSTSBIsRegressionWithDocumentedStatistics() throws {
        for (split, rows, mean) in [("train", 5_749, 2.701), ("dev", 1_500, 2.364)] {
            let data = try load(.stsb, split)
            XCTAssertEqual(data.examples.count, rows)
            let scores = data.examples.map { Double($0.label) }
            XCTAssertEqual(scores.reduce(0, +) / Double(rows), mean, accuracy: 0.0005)
            XCTAssertEqual(scores.min(), 0)
            XCTAssertEqual(scores.max(), 5)
            XCTAssertTrue(data.examples.allSatisfy { $0.textB != nil })
        }
    }

    func testColumnsLandInTheRightFields() throws {
        let mrpc = try load(.mrpc, "train")
        XCTAssertEqual(mrpc.examples[0].line, 2)
        XCTAssertTrue(mrpc.examples[0].textA.hasPrefix("Amrozi accused his brother"))
        XCTAssertNotNil(mrpc.examples[0].textB)
        let cola = try load(.cola, "dev")
        XCTAssertEqual(cola.examples[0].line, 1)
        XCTAssertEqual(cola.examples[0].textA, "The sailors rode the breeze clear of the rocks.")
        XCTAssertNil(cola.examples[0].textB)
        let sst = try load(.sst2, "dev")
        XCTAssertEqual(sst.examples[0].line, 2)
        XCTAssertEqual(sst.examples[0].textA, "it 's a charming and often affecting journey . ")
        XCTAssertEqual(sst.examples[0].label, 1)
    }

    // MARK: Tasks without shipped data, on small files in their formats

    func testTasksDescribedAsData() throws {
        let mnliDev = "index\tpromptID\tpairID\tgenre\tb1\tb2\tp1\tp2\tsentence1\tsentence2\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n"
            + "0\t1\t2\tfiction\t-\t-\t-\t-\tA man.\tA person.\tentailment\tentailment\tneutral\tentailment\tentailment\tentailment\n"
        let mnli = try GLUETask.mnli.parse(mnliDev, file: "dev_matched.tsv")
        XCTAssertEqual(mnli.examples, [GLUEExample(textA: "A man.", textB: "A person.", label: 1, line: 2)])
        let mnliTrain = "index\tpromptID\tpairID\tgenre\tb1\tb2\tp1\tp2\tsentence1\tsentence2\tlabel1\tgold_label\n"
            + "0\t1\t2\tfiction\t-\t-\t-\t-\tA.\tB.\tneutral\tneutral\n"
        XCTAssertEqual(try GLUETask.mnli.parse(mnliTrain, file: "train.tsv").examples[0].label, 2)
        let rte = try GLUETask.rte.parse("index\tsentence1\tsentence2\tlabel\n0\tA\tB\tnot_entailment\n", file: "rte.tsv")
        XCTAssertEqual(rte.examples[0].label, 1)
        let qnli = try GLUETask.qnli.parse("index\tquestion\tsentence\tlabel\r\n0\tQ?\tS.\tentailment\r\n", file: "qnli.tsv")
        XCTAssertEqual(qnli.examples, [GLUEExample(textA: "Q?", textB: "S.", label: 0, line: 2)])
        let qqp = try GLUETask.qqp.parse("id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t2\t3\tA?\t\"B?\t1", file: "qqp.tsv")
        XCTAssertEqual(qqp.examples, [GLUEExample(textA: "A?", textB: "\"B?", label: 1, line: 2)])
        XCTAssertEqual(GLUETask.named("SST-2"), .sst2)
        XCTAssertEqual(GLUETask.named("wnli"), .wnli)
        XCTAssertNil(GLUETask.named("squad"))
    }

    // MARK: Bad input

    private func assertError(_ kind: TextDataError.Kind, _ expression: @autoclosure () throws -> Any,
                             mentions fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard let error = error as? TextDataError else {
                return XCTFail("unexpected error \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.kind, kind, file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" lacks \"\(fragment)\"", file: file, line: line)
            }
        }
    }

    func testWrongFieldCountNamesFileAndLine() {
        let text = "sentence\tlabel\ngood\t1\nbad row\twith\t1\nfine\t0\n"
        assertError(.wrongFieldCount, try GLUETask.sst2.parse(text, file: "x/train.tsv"),
                    mentions: ["x/train.tsv:line 3", "expected 2", "found 3"])
        assertError(.wrongFieldCount, try GLUETask.cola.parse("a\t1\t\tok\nb\t1\tno\n", file: "cola.tsv"),
                    mentions: ["cola.tsv:line 2", "expected 4", "found 3"])
    }

    func testBadLabelsNameFileLineAndValue() {
        let sts = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
            + "0\tg\tf\ty\to\ts1\ts2\tA\tB\tfive\n"
        assertError(.badLabel, try GLUETask.stsb.parse(sts, file: "sts.tsv"), mentions: ["sts.tsv:line 2", "\"five\""])
        assertError(.badLabel, try GLUETask.sst2.parse("sentence\tlabel\nx\t2\n", file: "s.tsv"),
                    mentions: ["s.tsv:line 2", "\"2\""])
        assertError(.badLabel, try GLUETask.stsb.parse(sts.replacingOccurrences(of: "five", with: "nan"), file: "sts.tsv"),
                    mentions: ["line 2"])
    }

    func testMalformedRowsCanBeSkippedAndCounted() throws {
        let text = "sentence\tlabel\ngood\t1\nbad\trow\t1\n\nfine\tx\nlast\t0"
        let data = try GLUETask.sst2.parse(text, file: "t.tsv", malformedRows: .skip)
        XCTAssertEqual(data.examples.map(\.textA), ["good", "last"])
        XCTAssertEqual(data.examples.map(\.line), [2, 6])
        XCTAssertEqual(data.skippedLines, [3, 4, 5])
    }

    func testUnreadableAndUndecodableFiles() throws {
        let missing = TestData.dataRoot.appendingPathComponent("no-such-root")
        assertError(.unreadable, try GLUETask.sst2.load(split: "train", from: missing),
                    mentions: ["no-such-root/glue_data/SST-2/train.tsv"])
        let directory = try TestData.temporaryDirectory(for: self)
        let file = GLUETask.sst2.file(split: "dev", in: directory)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([0x73, 0x09, 0x31, 0x0A, 0xC3, 0x28, 0x09, 0x31]).write(to: file)
        assertError(.invalidEncoding, try GLUETask.sst2.load(split: "dev", from: directory), mentions: [file.path])
        assertError(.malformed, try GLUETask.sst2.parse("", file: "empty.tsv"), mentions: ["empty.tsv"])
    }
}
