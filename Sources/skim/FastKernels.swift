import Foundation
import Kernels

/// OpenBLAS picks its kernels once, when the library loads, from `OPENBLAS_CORETYPE` or else from
/// the CPU model. Two things leave AVX-512 unused on machines of this project's kind:
/// - a preset of Haswell (AVX2) in the environment, which halves GEMM speed;
/// - a CPU newer than the installed OpenBLAS knows: Debian 12's 0.3.21 takes the Intel model 207
///   (Emerald Rapids) for a Prescott and runs SSE3 kernels, which makes training 2.4× slower.
///
/// Before anything else runs, `skim` therefore checks the kernels OpenBLAS loaded. When they are
/// not AVX-512 kernels but the CPU has what OpenBLAS's SkylakeX kernels need (AVX-512 F, CD, BW,
/// DQ and VL), it re-executes itself once with `OPENBLAS_CORETYPE=SkylakeX`.
/// `SKIM_KEEP_OPENBLAS_CORETYPE=1` keeps whatever OpenBLAS chose.
enum FastKernels {
    /// OpenBLAS core names (lower-cased) whose single-precision GEMM uses AVX-512.
    static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    /// The CPU flags OpenBLAS's SkylakeX kernels need.
    static let skylakeXFlags = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    static func reexecWithAVX512KernelsIfUnused() {
        let env = ProcessInfo.processInfo.environment
        guard env["SKIM_KEEP_OPENBLAS_CORETYPE"] == nil, env["SKIM_REEXECUTED"] == nil,
              !avx512Cores.contains(BLAS.coreName.lowercased()), cpuHasSkylakeXFlags() else { return }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        setenv("SKIM_REEXECUTED", "1", 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv returns only on failure: continue with the kernels already loaded.
    }

    private static func cpuHasSkylakeXFlags() -> Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let present = Set(flags.split(separator: " ").map(String.init))
        return skylakeXFlags.allSatisfy(present.contains)
    }
}
