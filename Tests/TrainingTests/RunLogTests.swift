import XCTest
@testable import Training

/// The JSON-lines run log: sorted keys, append across reopen, truncation on resume.
final class RunLogTests: XCTestCase {
    private struct Record: Encodable {
        let step: Int
        let loss: Double
        let phase: String
    }

    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("runlog-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func testRecordsAreSortedOneLineEachAndVisibleAtOnce() throws {
        let url = directory.appendingPathComponent("logs/metrics.jsonl")
        let log = try JSONLinesLog(url: url)
        try log.append(Record(step: 1, loss: 0.5, phase: "train"))
        XCTAssertEqual(try lines(url), [#"{"loss":0.5,"phase":"train","step":1}"#], "written without closing the log")
        try log.append(["step": 2, "loss": Double.nan])
        XCTAssertEqual(try lines(url).last, #"{"loss":"nan","step":2}"#)
        XCTAssertThrowsError(try log.append([1, 2, 3]))
    }

    func testReopenedLogAppends() throws {
        let url = directory.appendingPathComponent("metrics.jsonl")
        try JSONLinesLog(url: url).append(["step": 1])
        try JSONLinesLog(url: url).append(["step": 2])
        XCTAssertEqual(try lines(url), [#"{"step":1}"#, #"{"step":2}"#])
    }

    func testResumedLogEqualsUninterruptedLog() throws {
        let records = (1...6).map { Record(step: $0 * 10, loss: 1.0 / Double($0), phase: $0 % 3 == 0 ? "eval" : "train") }
        let uninterruptedURL = directory.appendingPathComponent("uninterrupted.jsonl")
        let uninterrupted = try JSONLinesLog(url: uninterruptedURL)
        for record in records { try uninterrupted.append(record) }

        // The interrupted run logged up to step 50, then crashed mid-line; its checkpoint is step 30.
        let url = directory.appendingPathComponent("resumed.jsonl")
        let crashed = try JSONLinesLog(url: url)
        for record in records.prefix(5) { try crashed.append(record) }
        let tail = try FileHandle(forWritingTo: url)
        try tail.seekToEnd()
        try tail.write(contentsOf: Data(#"{"loss":0.1,"ph"#.utf8))
        try tail.close()

        let resumed = try JSONLinesLog(url: url)
        XCTAssertEqual(try resumed.truncate(afterStep: 30), 3)
        XCTAssertEqual(try lines(url).count, 3)
        for record in records.dropFirst(3) { try resumed.append(record) }
        XCTAssertEqual(try Data(contentsOf: url), try Data(contentsOf: uninterruptedURL))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(),
                       ["resumed.jsonl", "uninterrupted.jsonl"], "no temporary file is left")
    }

    func testTruncationRejectsCorruptionBeforeTheEnd() throws {
        let url = directory.appendingPathComponent("metrics.jsonl")
        let log = try JSONLinesLog(url: url)
        try log.append(["step": 1])
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("garbage\n".utf8))
        try handle.close()
        try log.append(["step": 2])
        XCTAssertThrowsError(try log.truncate(afterStep: 1)) {
            XCTAssertTrue("\($0)".contains("metrics.jsonl:2"), "\($0)")
        }
        try log.append(["step": 3])
        XCTAssertEqual(try lines(url).count, 4, "the log stays usable and unchanged")
    }
}

/// The typed records and the comparison of a resumed log with an uninterrupted one.
final class RunLogRecordTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("runlog-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    func testTrainAndEvalRecordsAreFlatObjects() throws {
        let url = directory.appendingPathComponent("metrics.jsonl")
        let log = try JSONLinesLog(url: url)
        var train = TrainLogRecord(step: 10, epoch: 0, loss: 0.6931, learningRate: 5e-5, tokensPerSecond: 9876.5, stepSeconds: 0.41)
        try log.append(train)
        train.keptFraction = [1, 0.5]
        train.tau = 1
        try log.append(train)
        try log.append(EvalLogRecord(step: 10, epoch: 0, examples: 872, metrics: ["accuracy": 0.9, "eval_loss": 0.27],
                                     evalSeconds: 3.5))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, [
            #"{"epoch":0,"event":"train","loss":0.6931,"lr":5e-05,"step":10,"step_s":0.41,"tokens_per_s":9876.5}"#,
            #"{"epoch":0,"event":"train","kept":[1,0.5],"loss":0.6931,"lr":5e-05,"step":10,"step_s":0.41,"tau":1,"tokens_per_s":9876.5}"#,
            #"{"accuracy":0.9,"epoch":0,"eval_loss":0.27,"eval_s":3.5,"event":"eval","examples":872,"split":"dev","step":10}"#,
        ])
        let records = try JSONLinesLog.records(at: url)
        XCTAssertEqual(records[0]["event"], .string("train"))
        XCTAssertEqual(records[0]["lr"], .number(5e-5))
        XCTAssertEqual(records[1]["kept"], .array([.number(1), .number(0.5)]))
        XCTAssertEqual(records[2]["accuracy"]?.number, 0.9)
    }

    func testResumedLogMatchesUninterruptedExceptTiming() throws {
        // Losses with full precision: the comparison must be bitwise.
        let losses = (1...8).map { 1 / Double($0) + 1e-17 * Double($0) }
        func record(_ step: Int, seconds: Double) -> TrainLogRecord {
            TrainLogRecord(step: step, epoch: 0, loss: losses[step - 1], learningRate: 1e-3 * Double(step),
                           tokensPerSecond: 1000 / seconds, stepSeconds: seconds)
        }
        let uninterruptedURL = directory.appendingPathComponent("a.jsonl")
        let uninterrupted = try JSONLinesLog(url: uninterruptedURL)
        for step in 1...8 {
            try uninterrupted.append(record(step, seconds: 0.5))
            if step % 4 == 0 {
                try uninterrupted.append(EvalLogRecord(step: step, epoch: 0, examples: 32, metrics: ["accuracy": 0.5],
                                                       evalSeconds: 1))
            }
        }
        // Killed after step 6, last checkpoint at step 4 (written after the step-4 eval record).
        let resumedURL = directory.appendingPathComponent("b.jsonl")
        var log = try JSONLinesLog(url: resumedURL)
        for step in 1...6 {
            try log.append(record(step, seconds: 0.7))
            if step % 4 == 0 {
                try log.append(EvalLogRecord(step: step, epoch: 0, examples: 32, metrics: ["accuracy": 0.5], evalSeconds: 2))
            }
        }
        log = try JSONLinesLog(url: resumedURL)
        XCTAssertEqual(try log.truncate(afterStep: 4), 2)
        for step in 5...8 {
            try log.append(record(step, seconds: 0.9))
            if step % 4 == 0 {
                try log.append(EvalLogRecord(step: step, epoch: 0, examples: 32, metrics: ["accuracy": 0.5], evalSeconds: 3))
            }
        }
        XCTAssertNotEqual(try JSONLinesLog.records(at: resumedURL), try JSONLinesLog.records(at: uninterruptedURL))
        let resumed = try JSONLinesLog.deterministicRecords(at: resumedURL)
        XCTAssertEqual(resumed, try JSONLinesLog.deterministicRecords(at: uninterruptedURL))
        XCTAssertEqual(resumed.count, 10)
        XCTAssertEqual(resumed.compactMap { $0["loss"]?.number }, losses)
        XCTAssertFalse(resumed.contains { $0.keys.contains("step_s") || $0.keys.contains("eval_s") })
    }

    func testRemoveAllEmptiesTheLogAndKeepsAppending() throws {
        let url = directory.appendingPathComponent("metrics.jsonl")
        let log = try JSONLinesLog(url: url)
        try log.append(["step": 1])
        try log.removeAll()
        try log.append(["step": 2])
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "{\"step\":2}\n")
    }

    func testRecordsIgnoreATornLastLine() throws {
        let url = directory.appendingPathComponent("metrics.jsonl")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("{\"step\":1,\"loss\":\"nan\"}\n{\"step\":2,\"lo".utf8).write(to: url)
        XCTAssertEqual(try JSONLinesLog.records(at: url), [["step": .number(1), "loss": .string("nan")]])
        try Data("oops\n{\"step\":2}\n".utf8).write(to: url)
        XCTAssertThrowsError(try JSONLinesLog.records(at: url)) {
            XCTAssertTrue("\($0)".contains("metrics.jsonl:1"), "\($0)")
        }
    }
}
