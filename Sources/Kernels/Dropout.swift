/// Inverted dropout: each element is kept with probability 1 − p and scaled by 1/(1 − p).
public enum Dropout {
    /// Draws a mask of `count` factors (0 or 1/(1 − p)) from `generator`.
    public static func sampleMask(_ mask: UnsafeMutablePointer<Float>, count: Int, p: Float,
                                  generator: inout SeededGenerator) {
        let keep = 1 / (1 - p)
        // Compare 24-bit uniforms against the threshold: two draws from one 64-bit word.
        let threshold = UInt64((Double(p) * 16_777_216).rounded())
        var i = 0
        while i < count {
            let word = generator.next()
            mask[i] = (word >> 40) < threshold ? 0 : keep
            if i + 1 < count { mask[i + 1] = ((word >> 16) & 0xFF_FFFF) < threshold ? 0 : keep }
            i += 2
        }
    }

    /// x[i] *= mask[i] in place (forward and backward are the same product).
    public static func apply(_ x: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] *= mask[i] }
    }
}
