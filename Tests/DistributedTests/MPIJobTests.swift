import Foundation
import XCTest

/// `skim distributed-check` under `mpirun -np 2`, as subprocesses (MPI is never initialized in the
/// test process). Every job runs under a deadline and is killed when it passes it, so a hang fails
/// the test instead of stopping the suite.
///
/// The binary: `$SKIM_BINARY`, else `.build/release/skim`, else `.build/debug/skim` of this package.
final class MPIJobTests: XCTestCase {
    /// The package root: three levels above this file (Tests/DistributedTests/MPIJobTests.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let buildHint = "build it with `swift build -c release --product skim` (or point SKIM_BINARY at a skim binary)"

    /// The `skim` binary to run, or a failure naming where it looked.
    static func skimBinary() throws -> String {
        let files = FileManager.default
        if let path = ProcessInfo.processInfo.environment["SKIM_BINARY"], !path.isEmpty {
            guard files.isExecutableFile(atPath: path) else {
                throw TestFailure("SKIM_BINARY=\(path) is not an executable file; \(buildHint)")
            }
            return path
        }
        let candidates = [".build/release/skim", ".build/debug/skim"].map { packageRoot.appendingPathComponent($0).path }
        guard let found = candidates.first(where: files.isExecutableFile(atPath:)) else {
            throw TestFailure("no skim binary at \(candidates.joined(separator: " or ")): \(buildHint)")
        }
        return found
    }

    /// `mpirun` from PATH (or /usr/bin).
    static func mpirun() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        guard let found = directories.map({ $0 + "/mpirun" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw TestFailure("mpirun not found: install Open MPI with `SKIM_SKIP_BUILD=1 bash Launch/setup.sh`")
        }
        return found
    }

    /// What a finished (or killed) job left.
    struct JobResult {
        let status: Int32
        /// stdout and stderr of mpirun and every rank, interleaved as written.
        let output: String
        let seconds: Double
        let timedOut: Bool

        var summary: String {
            "exit status \(status)\(timedOut ? " (killed at the deadline)" : ""), \(String(format: "%.1f", seconds)) s, "
                + "output:\n\(output)"
        }
    }

    /// Runs `skim <arguments>` under `mpirun -np <ranks>` with the flags for this machine, killing the
    /// job (SIGTERM to mpirun, which ends its ranks; SIGKILL 5 s later) if it runs past `timeout`.
    func runJob(ranks: Int = 2, _ arguments: [String], timeout: Double) throws -> JobResult {
        let binary = try Self.skimBinary()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.mpirun())
        process.arguments = ["-np", "\(ranks)", "--mca", "btl", "self,vader", "--mca", "oob_tcp_if_include", "lo",
                             "--mca", "btl_vader_single_copy_mechanism", "none", binary] + arguments
        // A child mpirun that inherits a parent's MPI variables fails silently: drop them.
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            key.hasPrefix("OMPI_ALLOW_RUN_AS_ROOT")
                || !["OMPI_", "PMIX_", "ORTE_", "OPAL_"].contains(where: { key.hasPrefix($0) })
        }
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        process.environment = environment
        // A file, not a pipe: nothing can block on a full pipe, and a rank outliving mpirun cannot
        // keep a read waiting.
        let logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("skim-mpi-job-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: logURL) }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice

        let start = Date()
        try process.run()
        var timedOut = false
        while process.isRunning {
            if Date().timeIntervalSince(start) > timeout {
                timedOut = true
                process.terminate()
                let killAt = Date(timeIntervalSinceNow: 5)
                while process.isRunning && Date() < killAt { Thread.sleep(forTimeInterval: 0.05) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        let output = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        if output.contains("Unexpected argument 'distributed-check'") {
            throw TestFailure("\(binary) has no distributed-check subcommand (stale build?): \(Self.buildHint)")
        }
        return JobResult(status: process.terminationStatus, output: output, seconds: seconds, timedOut: timedOut)
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
