import Foundation
import SkimTestSupport
import XCTest

/// `Launch/tune-mpi.sh` times Open MPI's shared-memory copy mechanisms and records the faster;
/// `Launch/mpirun.sh` runs a real 2-rank job with the recorded choice and refuses an unknown one.
final class MPILaunchScriptTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("skim-mpi-launch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// The tuning file holds one choice, `none` or `cma`, with a timing line for it, and a 2-rank
    /// `skim distributed-check` launched through `mpirun.sh` with that file passes.
    func testTuningRecordsAMechanismThatMpirunUses() throws {
        let tuning = scratch.appendingPathComponent("mpi-tuning.env").path
        let environment = ["SKIM_BINARY": try SkimJob.binary(), "SKIM_MPI_TUNING_FILE": tuning]
        let tune = try SkimJob.launch("/bin/bash", ["Launch/tune-mpi.sh"], timeout: 600, environment: environment)
        XCTAssertEqual(tune.status, 0, tune.summary)

        let lines = try String(contentsOfFile: tuning, encoding: .utf8).split(separator: "\n").map(String.init)
        let choices = lines.filter { $0.hasPrefix("SKIM_MPI_SINGLE_COPY=") }
        XCTAssertEqual(choices.count, 1, "\(lines)")
        let choice = try XCTUnwrap(choices.first).dropFirst("SKIM_MPI_SINGLE_COPY=".count)
        XCTAssertTrue(["none", "cma"].contains(choice), "\(lines)")
        let timing = lines.first { $0.hasPrefix("#   \(choice): ") && $0.hasSuffix(" ms") }
        let milliseconds = timing.flatMap { Double($0.dropFirst("#   \(choice): ".count).dropLast(" ms".count)) }
        XCTAssertNotNil(milliseconds, "no timing for \(choice) in \(lines)")
        XCTAssertGreaterThan(milliseconds ?? 0, 0)
        XCTAssertTrue(tune.output.contains("will use single-copy mechanism '\(choice)'"), tune.summary)

        let check = try distributedCheckThroughWrapper(timeout: 300, environment: environment)
        XCTAssertEqual(check.status, 0, check.summary)
    }

    /// An unknown mechanism, from the environment or from the tuning file, stops `mpirun.sh` before
    /// any rank starts, with a message naming where it came from.
    func testUnknownMechanismStopsWithAMessage() throws {
        let binary = try SkimJob.binary()
        let fromEnvironment = try distributedCheckThroughWrapper(timeout: 60, environment: ["SKIM_BINARY": binary,
                                                                                             "SKIM_MPI_SINGLE_COPY": "fast"])
        XCTAssertNotEqual(fromEnvironment.status, 0, fromEnvironment.summary)
        XCTAssertTrue(fromEnvironment.output.contains("SKIM_MPI_SINGLE_COPY is 'fast'; expected none or cma"), fromEnvironment.summary)

        let tuning = scratch.appendingPathComponent("mpi-tuning.env")
        try "# hand-edited\nSKIM_MPI_SINGLE_COPY=xpmem\n".write(to: tuning, atomically: true, encoding: .utf8)
        let fromFile = try distributedCheckThroughWrapper(timeout: 60, environment: ["SKIM_BINARY": binary, "SKIM_MPI_SINGLE_COPY": "",
                                                                                      "SKIM_MPI_TUNING_FILE": tuning.path])
        XCTAssertNotEqual(fromFile.status, 0, fromFile.summary)
        XCTAssertTrue(fromFile.output.contains("SKIM_MPI_SINGLE_COPY in \(tuning.path) is 'xpmem'"), fromFile.summary)
    }

    /// `Launch/mpirun.sh -np 2 distributed-check` with `environment` added.
    private func distributedCheckThroughWrapper(timeout: Double, environment: [String: String]) throws -> SkimJob.Result {
        try SkimJob.launch("/bin/bash", ["Launch/mpirun.sh", "-np", "2", "distributed-check"], timeout: timeout,
                           environment: environment)
    }
}
