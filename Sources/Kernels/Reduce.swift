/// Vectorised reductions over Float buffers (explicit SIMD accumulators: the compiler does not
/// reassociate float additions by itself).
public enum Reduce {
    /// Σ x[i]·y[i] over `count` elements.
    @inline(__always)
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let a = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            acc += a * b
            i += 16
        }
        var s = acc.sum()
        while i < count { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// Σ x[i] over `count` elements.
    @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            acc += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var s = acc.sum()
        while i < count { s += x[i]; i += 1 }
        return s
    }

    /// Σ x[i]² over `count` elements, accumulated in Double for use in global norms.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        var start = 0
        while start < count {
            let n = min(4096, count - start)
            total += Double(dot(x + start, x + start, count: n))
            start += n
        }
        return total
    }

    /// out[c] += Σ_r m[r, c] for a row-major [rows, columns] matrix.
    public static func addColumnSums(_ m: UnsafePointer<Float>, rows: Int, columns: Int,
                                     into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = m + r * columns
            for c in 0..<columns { out[c] += row[c] }
        }
    }
}
