import ArgumentParser
import Distributed
import Foundation

/// `skim distributed-check`: proves that MPI works for this job before a long run does. Every rank
/// runs the start-up handshake and `SelfCheck` (allreduce of Float/Double/Int64 with sum/max/min,
/// broadcast, allgather, non-blocking allreduce completed by test/wait/testAll, the gradient reducer
/// over a fake gradient against the expected mean); with `--benchmark` it then measures allreduce
/// bandwidth. Results are printed by rank 0.
///
/// Exit status: 0 all passed; 1 a check failed; 3 handshake mismatch (every rank stops);
/// 2 another error (the job is aborted); `Watchdog.defaultExitCode` (86) a rank stuck in a
/// collective beyond `--watchdog-limit`.
struct DistributedCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distributed-check",
        abstract: "Check MPI collectives, the gradient reducer and the start-up handshake on every rank.",
        discussion: """
            Run it under mpirun the way training runs (on these machines, as root, with \
            OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1):
              mpirun -np 2 --mca btl self,vader --mca oob_tcp_if_include lo \\
                --mca btl_vader_single_copy_mechanism none \\
                skim distributed-check --benchmark
            or alone as one rank. Rank 0 prints one line per check; the exit status is \
            0 only if every check passed on every rank (1: a check failed, 3: handshake \
            mismatch, 2: other error, 86: watchdog).
            """)

    @Flag(help: "Also measure allreduce bandwidth (one blocking allreduce; the gradient reducer's bucketed paths).")
    var benchmark = false

    @Option(help: "Benchmark buffer sizes in MiB, comma-separated.")
    var sizes = "1,16,64"

    @Option(help: "Timed repetitions per benchmark size (median reported).")
    var iterations = 10

    @Option(help: "Bucket size of the bucketed benchmark runs, in MiB.")
    var bucketMib = 8

    @Option(help: "In-flight bucket limits of the non-blocking benchmark runs, comma-separated.")
    var maxInFlight = "1,2,4"

    @Option(help: "Seconds a rank may spend in one collective before it reports being stuck.")
    var watchdogWarn: Double = 10

    @Option(help: "Seconds a rank may spend in one collective before it ends the job.")
    var watchdogLimit: Double = 60

    /// Test only: this rank contributes a different config hash to the handshake.
    @Option(help: .hidden)
    var testConfigHashRank: Int?

    /// Test only: this rank sleeps `--test-stall-seconds` before a barrier the others wait in.
    @Option(help: .hidden)
    var testStallRank: Int?

    @Option(help: .hidden)
    var testStallSeconds: Double = 30

    /// The config hash every rank contributes unless it is `--test-config-hash-rank`.
    static let configHash: UInt64 = 0x5C1D_C4EC_0000_0001

    func validate() throws {
        guard watchdogWarn > 0, watchdogLimit >= watchdogWarn else {
            throw ValidationError("need 0 < --watchdog-warn ≤ --watchdog-limit, got \(watchdogWarn) and \(watchdogLimit)")
        }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
        guard bucketMib >= 1 else { throw ValidationError("--bucket-mib must be at least 1, got \(bucketMib)") }
        _ = try sizeList()
        _ = try inFlightList()
    }

    private func inFlightList() throws -> [Int] {
        let values = maxInFlight.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--max-in-flight must be positive integers separated by commas, got '\(maxInFlight)'")
        }
        return values.map { $0! }
    }

    private func sizeList() throws -> [Int] {
        let values = sizes.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--sizes must be positive MiB values separated by commas, got '\(sizes)'")
        }
        return values.map { Int($0! * 1_048_576) }
    }

    func run() throws {
        let communicator: MPICommunicator
        do {
            communicator = try MPICommunicator()
        } catch {
            Self.report("skim distributed-check: cannot start MPI: \(error)")
            throw ExitCode(2)
        }
        let watchdog = Watchdog(rank: communicator.rank, warnAfter: watchdogWarn, limit: watchdogLimit)
        let status: Int32
        do {
            status = try checks(communicator, watchdog)
        } catch let error as HandshakeError {
            // Every rank threw the same error: stop together, cleanly.
            if communicator.rank == 0 {
                Self.report("skim: \(error.message); stopping all \(communicator.size) ranks")
            }
            status = 3
        } catch {
            // Possibly this rank alone: the others may be waiting in a collective, so end the job.
            Self.report("skim rank \(communicator.rank): distributed-check failed: \(error); aborting the job")
            watchdog.stop()
            communicator.abort(code: 2)
        }
        watchdog.stop()
        try? communicator.finalize()
        fflush(stdout)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the handshake, the checks and the benchmark; the exit status.
    private func checks(_ communicator: MPICommunicator, _ watchdog: Watchdog) throws -> Int32 {
        let rank = communicator.rank
        let size = communicator.size
        let check = SelfCheck(communicator: communicator, watchdog: watchdog)
        if rank == 0 {
            let launcher = MPICommunicator.launchedByMPIRun ? "under mpirun" : "without mpirun (singleton)"
            Self.say("skim distributed-check: \(size) rank\(size == 1 ? "" : "s") \(launcher), "
                     + "MPI thread level \(communicator.threadLevel), watchdog \(Self.seconds(watchdogWarn)) s "
                     + "warning / \(Self.seconds(watchdogLimit)) s limit")
        }
        let hash = rank == testConfigHashRank ? Self.configHash ^ 0xFF : Self.configHash
        try check.handshake(configHash: hash)
        if rank == 0 { Self.say("PASS handshake (layout, config, data, batch settings, world size)") }

        if rank == testStallRank {
            Self.report("skim rank \(rank): test stall: sleeping \(Self.seconds(testStallSeconds)) s "
                        + "before entering 'barrier before checks'")
            Thread.sleep(forTimeInterval: testStallSeconds)
        }
        try watchdog.guarded("barrier before checks") { try communicator.barrier() }

        let start = Date()
        let outcomes = try check.run { outcome in
            guard rank == 0 else { return }
            Self.say((outcome.passed ? "PASS " : "FAIL ") + outcome.name
                     + String(format: " (%.3f s)", outcome.seconds)
                     + (outcome.detail.isEmpty ? "" : ": " + outcome.detail))
        }
        let failed = outcomes.filter { !$0.passed }.count
        if rank == 0 {
            let elapsed = String(format: "%.2f", Date().timeIntervalSince(start))
            Self.say(failed == 0
                     ? "all \(outcomes.count + 1) checks passed on \(size) rank\(size == 1 ? "" : "s") (\(elapsed) s)"
                     : "\(failed) of \(outcomes.count + 1) checks FAILED on \(size) rank\(size == 1 ? "" : "s")")
        }
        if benchmark { try runBenchmark(communicator) }
        return failed == 0 ? 0 : 1
    }

    private func runBenchmark(_ communicator: MPICommunicator) throws {
        let bench = AllreduceBenchmark(communicator: communicator, iterations: iterations, bucketBytes: bucketMib << 20)
        let rank = communicator.rank
        if rank == 0 {
            Self.say("")
            Self.say("allreduce bandwidth, \(communicator.size) ranks, in-place Float sum, median of \(iterations) "
                     + "(slowest rank), GB/s = buffer bytes / time:")
            Self.say(Self.row("MiB", "method", "ms", "GB/s"))
        }
        for bytes in try sizeList() {
            for m in try bench.measure(bytes: bytes, maxInFlight: try inFlightList()) where rank == 0 {
                Self.say(Self.row(String(format: "%.2f", Double(m.bytes) / 1_048_576), m.name,
                                  String(format: "%.3f", m.medianSeconds * 1000), String(format: "%.2f", m.gigabytesPerSecond)))
            }
        }
    }

    /// One table row: right-aligned size, left-aligned method, right-aligned time and bandwidth.
    static func row(_ size: String, _ method: String, _ milliseconds: String, _ bandwidth: String) -> String {
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        func left(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        return right(size, 8) + "  " + left(method, 48) + right(milliseconds, 10) + right(bandwidth, 8)
    }

    /// A line on stdout, flushed (mpirun forwards it at once; `_exit` would lose buffered output).
    static func say(_ line: String) {
        print(line)
        fflush(stdout)
    }

    /// A line on stderr.
    static func report(_ line: String) {
        fputs(line + "\n", stderr)
        fflush(stderr)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }
}
