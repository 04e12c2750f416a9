import Foundation

/// Reports a rank stuck in a collective, and ends the process when it stays stuck too long.
///
/// Wrap each collective in `enter(_:)`/`leave()` (or `guarded`). A background thread checks the
/// open collective every `pollInterval` seconds: after `warnAfter` seconds it reports once
/// "skim rank R: stuck in '<label>' for N s"; after `limit` seconds it reports again and calls
/// `terminate(exitCode)`. The default `terminate` flushes stdio and calls `_exit`, so mpirun sees a
/// rank die and tears the job down; the thread never calls MPI (a `MPI_THREAD_SERIALIZED` process
/// may not call it from a second thread while the first is inside a collective).
///
/// One collective is open at a time: `enter` replaces the open one. `enter`/`leave` take a lock
/// and read the clock; they never allocate.
public final class Watchdog {
    /// The status passed to `terminate` by default: distinct from MPI's and the shell's codes.
    public static let defaultExitCode: Int32 = 86

    public let rank: Int
    /// Seconds inside one collective before the one warning.
    public let warnAfter: Double
    /// Seconds inside one collective before the process ends.
    public let limit: Double
    public let exitCode: Int32

    private let state: WatchdogState

    /// - Parameters:
    ///   - rank: printed in every message.
    ///   - warnAfter: seconds before the warning; must be positive.
    ///   - limit: seconds before `terminate`; at least `warnAfter`.
    ///   - exitCode: passed to `terminate`.
    ///   - pollInterval: seconds between checks; default a tenth of `warnAfter`, within 0.01…1 s.
    ///   - report: receives each message (one line, with its newline); default writes to stderr.
    ///   - terminate: called once per stuck collective at the limit; default ends the process.
    public init(rank: Int, warnAfter: Double, limit: Double, exitCode: Int32 = Watchdog.defaultExitCode,
                pollInterval: Double? = nil,
                report: @escaping @Sendable (String) -> Void = Watchdog.writeToStandardError,
                terminate: @escaping @Sendable (Int32) -> Void = Watchdog.endProcess) {
        precondition(warnAfter > 0 && limit >= warnAfter,
                     "watchdog needs 0 < warnAfter ≤ limit, got warnAfter \(warnAfter) s, limit \(limit) s")
        self.rank = rank
        self.warnAfter = warnAfter
        self.limit = limit
        self.exitCode = exitCode
        state = WatchdogState(rank: rank, warnAfter: warnAfter, limit: limit, exitCode: exitCode,
                              report: report, terminate: terminate)
        let interval = pollInterval ?? Swift.min(1, Swift.max(0.01, warnAfter / 10))
        let state = self.state
        let thread = Thread { state.watch(every: interval) }
        thread.name = "skim watchdog"
        thread.start()
    }

    deinit { state.stop() }

    /// Opens collective `label` (`number`, if not negative, is printed after it, e.g. a bucket).
    public func enter(_ label: StaticString, _ number: Int = -1) {
        state.enter(label, number)
    }

    /// Closes the open collective.
    public func leave() {
        state.leave()
    }

    /// Runs `body` as collective `label` (`number` as in `enter`).
    public func guarded<T>(_ label: StaticString, _ number: Int = -1, _ body: () throws -> T) rethrows -> T {
        enter(label, number)
        defer { leave() }
        return try body()
    }

    /// Ends the background thread; no more reports or termination.
    public func stop() {
        state.stop()
    }

    /// Writes `message` to standard error and flushes it.
    public static let writeToStandardError: @Sendable (String) -> Void = { message in
        fputs(message, stderr)
        fflush(stderr)
    }

    /// Flushes stdout and stderr and ends the process at once with status `code`.
    public static let endProcess: @Sendable (Int32) -> Void = { code in
        fflush(stdout)
        fflush(stderr)
        _exit(code)
    }
}

/// The watchdog's shared state: written by the watched thread, read by the watching thread.
private final class WatchdogState: @unchecked Sendable {
    private let rank: Int
    private let warnAfter: Double
    private let limit: Double
    private let exitCode: Int32
    private let report: @Sendable (String) -> Void
    private let terminate: @Sendable (Int32) -> Void

    private let condition = NSCondition()
    private var label: StaticString = ""
    private var number = -1
    private var isOpen = false
    private var enteredAt = 0.0
    /// Counts `enter` calls, so each opened collective is reported at most once.
    private var epoch: UInt64 = 0
    private var warnedEpoch: UInt64 = 0
    private var terminatedEpoch: UInt64 = 0
    private var stopped = false

    init(rank: Int, warnAfter: Double, limit: Double, exitCode: Int32,
         report: @escaping @Sendable (String) -> Void, terminate: @escaping @Sendable (Int32) -> Void) {
        self.rank = rank
        self.warnAfter = warnAfter
        self.limit = limit
        self.exitCode = exitCode
        self.report = report
        self.terminate = terminate
    }

    func enter(_ label: StaticString, _ number: Int) {
        let now = monotonicSeconds()
        condition.lock()
        self.label = label
        self.number = number
        isOpen = true
        enteredAt = now
        epoch &+= 1
        condition.unlock()
    }

    func leave() {
        condition.lock()
        isOpen = false
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// The watching thread's loop.
    func watch(every interval: Double) {
        condition.lock()
        while !stopped {
            _ = condition.wait(until: Date(timeIntervalSinceNow: interval))
            if stopped || !isOpen { continue }
            let elapsed = monotonicSeconds() - enteredAt
            if elapsed >= limit && terminatedEpoch != epoch {
                terminatedEpoch = epoch
                warnedEpoch = epoch
                let message = stuckMessage(elapsed)
                    + "; watchdog limit \(Self.seconds(limit)) s reached, ending the process with status \(exitCode)\n"
                condition.unlock()
                report(message)
                terminate(exitCode)
                condition.lock()
            } else if elapsed >= warnAfter && warnedEpoch != epoch {
                warnedEpoch = epoch
                let message = stuckMessage(elapsed) + "\n"
                condition.unlock()
                report(message)
                condition.lock()
            }
        }
        condition.unlock()
    }

    private func stuckMessage(_ elapsed: Double) -> String {
        let name = number >= 0 ? "\(label) \(number)" : "\(label)"
        return "skim rank \(rank): stuck in '\(name)' for \(Self.seconds(elapsed)) s"
    }

    private static func seconds(_ value: Double) -> String {
        String(format: value < 10 ? "%.1f" : "%.0f", value)
    }
}
