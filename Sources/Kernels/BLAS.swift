import CBLAS
import Foundation

/// Thin, typed access to OpenBLAS: row-major single-precision GEMM and thread control.
public enum BLAS {
    /// C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C, all row-major with leading dimensions lda/ldb/ldc.
    @inline(__always)
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let start = profiling ? DispatchTime.now().uptimeNanoseconds : 0
        defer {
            if profiling {
                gemmNanoseconds &+= DispatchTime.now().uptimeNanoseconds - start
                gemmFlops &+= UInt64(2 * m * n * k)
            }
        }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// When true, every GEMM adds its wall time and FLOPs to the counters below (for benchmarks;
    /// single-threaded callers only).
    nonisolated(unsafe) public static var profiling = false
    nonisolated(unsafe) public static var gemmNanoseconds: UInt64 = 0
    nonisolated(unsafe) public static var gemmFlops: UInt64 = 0

    /// Number of threads OpenBLAS uses for one call.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// Name of the kernel family OpenBLAS selected for this CPU (e.g. "Cooperlake", "Haswell").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
