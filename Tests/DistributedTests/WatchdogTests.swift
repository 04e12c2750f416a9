import Distributed
import Foundation
import XCTest

final class WatchdogTests: XCTestCase {
    /// Records what a watchdog reports and whether it terminated.
    private final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        private var codes: [Int32] = []
        func report(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
        func terminate(_ code: Int32) { lock.lock(); codes.append(code); lock.unlock() }
        var reports: [String] { lock.lock(); defer { lock.unlock() }; return lines }
        var terminations: [Int32] { lock.lock(); defer { lock.unlock() }; return codes }
    }

    private func makeWatchdog(rank: Int, warnAfter: Double, limit: Double, _ recorder: Recorder) -> Watchdog {
        Watchdog(rank: rank, warnAfter: warnAfter, limit: limit, exitCode: 7, pollInterval: 0.01,
                 report: { recorder.report($0) }, terminate: { recorder.terminate($0) })
    }

    private func waitUntil(_ condition: () -> Bool, seconds: Double = 5) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    }

    func testWarnsOnceThenTerminatesOnceWithTheLabel() {
        let recorder = Recorder()
        let watchdog = makeWatchdog(rank: 2, warnAfter: 0.1, limit: 0.3, recorder)
        watchdog.enter("allreduce gradients bucket", 3)
        waitUntil { !recorder.terminations.isEmpty }
        Thread.sleep(forTimeInterval: 0.2)
        watchdog.leave()
        watchdog.stop()
        XCTAssertEqual(recorder.terminations, [7])
        let reports = recorder.reports
        XCTAssertEqual(reports.count, 2, "\(reports)")
        XCTAssertTrue(reports[0].hasPrefix("skim rank 2: stuck in 'allreduce gradients bucket 3' for 0."), reports[0])
        XCTAssertTrue(reports[0].hasSuffix(" s\n"), reports[0])
        XCTAssertTrue(reports[1].contains("stuck in 'allreduce gradients bucket 3'") && reports[1].contains("limit 0.3 s"),
                      reports[1])
    }

    func testQuickCollectivesAreNotReported() {
        let recorder = Recorder()
        let watchdog = makeWatchdog(rank: 0, warnAfter: 0.2, limit: 0.4, recorder)
        for _ in 0..<20 {
            watchdog.guarded("barrier") { Thread.sleep(forTimeInterval: 0.02) }
        }
        Thread.sleep(forTimeInterval: 0.5)
        watchdog.stop()
        XCTAssertEqual(recorder.reports, [])
        XCTAssertEqual(recorder.terminations, [])
    }

    func testEachStuckCollectiveIsReportedSeparately() {
        let recorder = Recorder()
        let watchdog = makeWatchdog(rank: 1, warnAfter: 0.05, limit: 10, recorder)
        watchdog.enter("broadcast step plan")
        waitUntil { recorder.reports.count == 1 }
        watchdog.enter("allreduce metrics")
        waitUntil { recorder.reports.count == 2 }
        watchdog.stop()
        XCTAssertEqual(recorder.reports.count, 2)
        XCTAssertTrue(recorder.reports[0].contains("'broadcast step plan'"))
        XCTAssertTrue(recorder.reports[1].contains("'allreduce metrics'"))
    }

    func testARankSkippingACollectiveTriggersTheOthersWatchdog() throws {
        let recorder = Recorder()
        XCTAssertThrowsError(try InProcessGroup.run(size: 2, timeout: 3) { comm in
            if comm.rank == 1 {
                // Skips the allreduce, busy elsewhere until the watchdog of rank 0 had to act.
                while recorder.terminations.isEmpty { Thread.sleep(forTimeInterval: 0.01) }
                return
            }
            let watchdog = self.makeWatchdog(rank: comm.rank, warnAfter: 0.1, limit: 0.2, recorder)
            defer { watchdog.stop() }
            try watchdog.guarded("allreduce loss") {
                _ = try comm.allreduce(1.0, op: .sum)
            }
        }) { error in
            guard case .peerLeft(rank: 1, _) = error as? CommunicatorError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(recorder.terminations, [7])
        XCTAssertTrue(recorder.reports.last?.hasPrefix("skim rank 0: stuck in 'allreduce loss' for 0.") ?? false,
                      "\(recorder.reports)")
    }
}
