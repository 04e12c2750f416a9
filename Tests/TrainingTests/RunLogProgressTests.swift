import XCTest
@testable import Training

/// The human progress line: format, terminal rewriting, plain lines every N steps.
final class RunLogProgressTests: XCTestCase {
    func testFormatMatchesTheExample() {
        let line = ProgressLine.format(step: 120, totalSteps: 4210, loss: 0.41234, learningRate: 4.2e-5,
                                       tokensPerSecond: 1234.4, etaSeconds: 723)
        XCTAssertEqual(line, "step 120/4210 [2.8%] loss 0.4123 lr 4.2e-05 1,234 tok/s ETA 12m03s")
        XCTAssertEqual(ProgressLine.format(step: 0, totalSteps: 10, loss: 1, learningRate: 0, tokensPerSecond: 0,
                                           etaSeconds: nil),
                       "step 0/10 [0.0%] loss 1.0000 lr 0.0e+00 0 tok/s ETA --")
    }

    func testGroupingAndDurations() {
        XCTAssertEqual(ProgressLine.grouped(0), "0")
        XCTAssertEqual(ProgressLine.grouped(999), "999")
        XCTAssertEqual(ProgressLine.grouped(1000), "1,000")
        XCTAssertEqual(ProgressLine.grouped(1_234_567), "1,234,567")
        XCTAssertEqual(ProgressLine.duration(45), "45s")
        XCTAssertEqual(ProgressLine.duration(60), "1m00s")
        XCTAssertEqual(ProgressLine.duration(7509), "2h05m09s")
        XCTAssertEqual(ProgressLine.duration(.infinity), "--")
    }

    func testTerminalRewritesInPlace() {
        var written: [String] = []
        var now = 100.0
        let progress = ProgressLine(totalSteps: 100, startStep: 20, isTerminal: true,
                                    output: { written.append($0) }, clock: { now })
        now = 110
        progress.update(step: 30, loss: 0.5, learningRate: 1e-4, tokensPerSecond: 2000)
        progress.finish()
        XCTAssertEqual(written, ["\rstep 30/100 [30.0%] loss 0.5000 lr 1.0e-04 2,000 tok/s ETA 1m10s\u{1B}[K", "\n"])
    }

    func testSkimmingRunShowsTheKeptFraction() {
        let line = ProgressLine.format(step: 5, totalSteps: 10, loss: 0.25, keptFraction: 0.6234, learningRate: 2e-5,
                                       tokensPerSecond: 999.6, etaSeconds: 3725)
        XCTAssertEqual(line, "step 5/10 [50.0%] loss 0.2500 kept 0.62 lr 2.0e-05 1,000 tok/s ETA 1h02m05s")
    }

    func testPlainOutputEveryNStepsAndAtTheEnd() {
        var written: [String] = []
        let progress = ProgressLine(totalSteps: 25, every: 10, isTerminal: false,
                                    output: { written.append($0) }, clock: { 0 })
        for step in 1...25 {
            progress.update(step: step, loss: 0, learningRate: 0, tokensPerSecond: 0)
        }
        progress.finish()
        XCTAssertEqual(written.map { $0.split(separator: " ")[1] }, ["10/25", "20/25", "25/25"])
        XCTAssertTrue(written.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
    }
}
