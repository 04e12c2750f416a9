import Foundation

/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads. Machines of this project's kind
/// preset it to Haswell (AVX2), which halves GEMM speed on CPUs that have AVX-512. Before anything
/// else runs, `skim` re-executes itself once without the preset when the CPU supports AVX-512, so
/// OpenBLAS detects the CPU itself. `SKIM_KEEP_OPENBLAS_CORETYPE=1` keeps a user's choice.
enum FastKernels {
    static func reexecWithoutCoreTypePreset() {
        let env = ProcessInfo.processInfo.environment
        guard let preset = env["OPENBLAS_CORETYPE"], !preset.isEmpty,
              env["SKIM_KEEP_OPENBLAS_CORETYPE"] == nil, env["SKIM_REEXECUTED"] == nil,
              cpuHasAVX512() else { return }
        unsetenv("OPENBLAS_CORETYPE")
        setenv("SKIM_REEXECUTED", "1", 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv returns only on failure: continue with the preset kernels.
    }

    private static func cpuHasAVX512() -> Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
        return info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains("avx512f") ?? false
    }
}
