import Foundation

/// Runs the built `skim` binary as a subprocess, alone or under `mpirun`, with a deadline: a job
/// that passes it is killed, so a hang fails a test instead of stopping the suite. MPI is never
/// initialised in the test process itself.
///
/// The binary: `$SKIM_BINARY`, else `.build/release/skim`, else `.build/debug/skim` of this package.
public enum SkimJob {
    /// The package root (two levels above this file's folder).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let buildHint = "build it with `swift build -c release --product skim` (or point SKIM_BINARY at a skim binary)"

    /// What a finished (or killed) job left.
    public struct Result {
        public let status: Int32
        /// stdout and stderr of mpirun and every rank, interleaved as written.
        public let output: String
        public let seconds: Double
        public let timedOut: Bool

        public var summary: String {
            "exit status \(status)\(timedOut ? " (killed at the deadline)" : ""), \(String(format: "%.1f", seconds)) s, "
                + "output:\n\(output)"
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The `skim` binary to run, or a failure naming where it looked.
    public static func binary() throws -> String {
        let files = FileManager.default
        if let path = ProcessInfo.processInfo.environment["SKIM_BINARY"], !path.isEmpty {
            guard files.isExecutableFile(atPath: path) else {
                throw Failure("SKIM_BINARY=\(path) is not an executable file; \(buildHint)")
            }
            return path
        }
        let candidates = [".build/release/skim", ".build/debug/skim"].map { packageRoot.appendingPathComponent($0).path }
        guard let found = candidates.first(where: files.isExecutableFile(atPath:)) else {
            throw Failure("no skim binary at \(candidates.joined(separator: " or ")): \(buildHint)")
        }
        return found
    }

    /// `mpirun` from PATH (or /usr/bin).
    public static func mpirun() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        guard let found = directories.map({ $0 + "/mpirun" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw Failure("mpirun not found: install Open MPI with `SKIM_SKIP_BUILD=1 bash Launch/setup.sh`")
        }
        return found
    }

    /// The mpirun flags for this machine kind (TOOLCHAIN.md).
    public static let mpirunFlags = ["--mca", "btl", "self,vader", "--mca", "oob_tcp_if_include", "lo",
                                     "--mca", "btl_vader_single_copy_mechanism", "none"]

    /// `skim <arguments>` on `ranks` processes under mpirun (nil: one process without mpirun).
    public static func run(ranks: Int?, _ arguments: [String], timeout: Double) throws -> Result {
        let binary = try binary()
        guard let ranks else { return try launch(binary, arguments, timeout: timeout) }
        return try launch(try mpirun(), ["-np", "\(ranks)"] + mpirunFlags + [binary] + arguments, timeout: timeout)
    }

    /// One mpirun job whose ranks get different arguments (MPMD: `mpirun -np 1 skim a : -np 1 skim b`).
    public static func run(perRank: [[String]], timeout: Double) throws -> Result {
        let binary = try binary()
        var arguments = mpirunFlags
        for (index, rankArguments) in perRank.enumerated() {
            if index > 0 { arguments.append(":") }
            arguments += ["-np", "1", binary] + rankArguments
        }
        return try launch(try mpirun(), arguments, timeout: timeout)
    }

    /// Runs `executable` with SIGTERM at the deadline and SIGKILL 5 s later.
    public static func launch(_ executable: String, _ arguments: [String], timeout: Double,
                              environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        // A child mpirun that inherits a parent's MPI variables fails silently: drop them.
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            key.hasPrefix("OMPI_ALLOW_RUN_AS_ROOT")
                || !["OMPI_", "PMIX_", "ORTE_", "OPAL_"].contains(where: { key.hasPrefix($0) })
        }
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        // A file, not a pipe: nothing can block on a full pipe, and a rank outliving mpirun cannot
        // keep a read waiting.
        let logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("skim-job-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).log")
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
        let output = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: output,
                      seconds: Date().timeIntervalSince(start), timedOut: timedOut)
    }
}
