import Foundation

/// Seconds on the monotonic clock (`CLOCK_MONOTONIC`): for intervals only, never for dates.
@inline(__always)
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}
