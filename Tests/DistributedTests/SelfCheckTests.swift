import Distributed
import XCTest

/// The checks of `skim distributed-check`, run with in-process ranks (the MPI runs are in
/// `MPIJobTests`).
final class SelfCheckTests: XCTestCase {
    func testEveryCheckPassesOnEveryRank() throws {
        // 2 ranks run under MPI in MPIJobTests.
        for size in [1, 3] {
            let results = try InProcessGroup.run(size: size, timeout: 30) { comm -> [SelfCheck.Outcome] in
                let check = SelfCheck(communicator: comm, watchdog: nil)
                try check.handshake(configHash: 0xABC)
                return try check.run { _ in }
            }
            for (rank, outcomes) in results.enumerated() {
                XCTAssertEqual(outcomes.count, 8)
                for outcome in outcomes {
                    XCTAssertTrue(outcome.passed, "size \(size) rank \(rank): \(outcome.name): \(outcome.detail)")
                }
            }
            XCTAssertEqual(results.map { $0.map(\.name) }, [[String]](repeating: results[0].map(\.name), count: size))
        }
    }

    func testHandshakeMismatchThrowsTheSameErrorOnEveryRank() throws {
        let errors = try InProcessGroup.run(size: 2, timeout: 10) { comm -> HandshakeError? in
            do {
                try SelfCheck(communicator: comm, watchdog: nil).handshake(configHash: comm.rank == 1 ? 2 : 1)
                return nil
            } catch let error as HandshakeError {
                return error
            }
        }
        XCTAssertEqual(errors[0], errors[1])
        XCTAssertEqual(errors[0]?.fields, ["config hash"])
    }

    /// 3 MiB in tensors of 768 × 768 floats (2.25 MiB, never split): 2 buckets.
    func testBenchmarkMeasuresEveryMethod() throws {
        let results = try InProcessGroup.run(size: 2, timeout: 30) { comm -> [AllreduceBenchmark.Measurement] in
            try AllreduceBenchmark(communicator: comm, iterations: 3, bucketBytes: 1 << 20).measure(bytes: 3 << 20, maxInFlight: [1, 3])
        }
        XCTAssertEqual(results[0].map(\.name), ["allreduce", "reducer, blocking (2 buckets ≤ 1 MiB)",
                                                 "reducer, non-blocking, 1 in flight", "reducer, non-blocking, 3 in flight"])
        XCTAssertEqual(results[0], results[1], "every rank reports the slowest rank's median")
        for measurement in results[0] {
            XCTAssertEqual(measurement.bytes, 3 << 20)
            XCTAssertEqual(measurement.iterations, 3)
            XCTAssertGreaterThan(measurement.medianSeconds, 0)
            XCTAssertGreaterThan(measurement.gigabytesPerSecond, 0)
        }
    }
}
