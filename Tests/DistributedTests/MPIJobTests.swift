import Foundation
import SkimTestSupport
import XCTest

/// `skim distributed-check` under `mpirun -np 2`, as subprocesses (MPI is never initialized in the
/// test process). Every job runs under a deadline and is killed when it passes it, so a hang fails
/// the test instead of stopping the suite.
///
final class MPIJobTests: XCTestCase {
    /// Runs `skim <arguments>` under `mpirun -np <ranks>` (see `SkimJob`), failing clearly on a
    /// binary built before the subcommand existed.
    func runJob(ranks: Int = 2, _ arguments: [String], timeout: Double) throws -> SkimJob.Result {
        let result = try SkimJob.run(ranks: ranks, arguments, timeout: timeout)
        if result.output.contains("Unexpected argument 'distributed-check'") {
            throw SkimJob.Failure("\(try SkimJob.binary()) has no distributed-check subcommand (stale build?): \(SkimJob.buildHint)")
        }
        return result
    }

    func testSelfCheckPassesOnBothRanks() throws {
        let result = try runJob(["distributed-check"], timeout: 120)
        XCTAssertFalse(result.timedOut, result.summary)
        XCTAssertEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.output.contains("skim distributed-check: 2 ranks under mpirun"), result.summary)
        XCTAssertTrue(result.output.contains("all 9 checks passed on 2 ranks"), result.summary)
        for check in ["handshake", "allreduce Float sum", "allreduce Double max, Int64 min and sum", "broadcast",
                      "allgather", "non-blocking allreduce", "gradient reducer"] {
            XCTAssertTrue(result.output.contains("PASS \(check)"), "\(check): \(result.summary)")
        }
        XCTAssertFalse(result.output.contains("FAIL"), result.summary)
        print("distributed-check, 2 ranks: \(String(format: "%.2f", result.seconds)) s")
    }

    func testHandshakeMismatchStopsBothRanksNamingFieldAndRanks() throws {
        let result = try runJob(["distributed-check", "--test-config-hash-rank", "1",
                                 "--watchdog-warn", "5", "--watchdog-limit", "20"], timeout: 60)
        XCTAssertFalse(result.timedOut, result.summary)
        XCTAssertNotEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.output.contains("handshake: field 'config hash' differs: rank 0 = 0x"), result.summary)
        XCTAssertTrue(result.output.contains(", rank 1 = 0x"), result.summary)
        XCTAssertTrue(result.output.contains("stopping all 2 ranks"), result.summary)
        XCTAssertFalse(result.output.contains("PASS handshake"), result.summary)
        XCTAssertFalse(result.output.contains("stuck in"), "no rank may wait for another: \(result.summary)")
        print("handshake mismatch, 2 ranks: exit \(result.status) after \(String(format: "%.2f", result.seconds)) s")
    }

    func testWatchdogEndsARankStuckInACollective() throws {
        // Rank 1 sleeps far beyond the limit before the barrier rank 0 waits in; only rank 0's
        // watchdog can end the job before the test's deadline.
        let limit = 2.0
        let result = try runJob(["distributed-check", "--test-stall-rank", "1", "--test-stall-seconds", "300",
                                 "--watchdog-warn", "0.5", "--watchdog-limit", "\(limit)"], timeout: 60)
        XCTAssertFalse(result.timedOut, "the watchdog did not end the job: \(result.summary)")
        XCTAssertNotEqual(result.status, 0, result.summary)
        // The warning after 0.5 s, then the end at the limit; both name the rank and the duration.
        XCTAssertTrue(result.output.contains("skim rank 0: stuck in 'barrier before checks' for 0."), result.summary)
        let end = result.output.split(separator: "\n").first { $0.contains("watchdog limit 2.0 s reached") }
        XCTAssertTrue(end?.hasPrefix("skim rank 0: stuck in 'barrier before checks' for ") ?? false, result.summary)
        XCTAssertTrue(end?.hasSuffix("ending the process with status 86") ?? false, result.summary)
        XCTAssertFalse(result.output.contains("PASS allreduce"), result.summary)
        print("watchdog, 2 ranks, limit \(limit) s: exit \(result.status) after \(String(format: "%.2f", result.seconds)) s")
    }
}
