import Foundation

/// Seeded xoshiro256** generator: the run's only source of randomness (dropout, Gumbel noise,
/// initialisation). Its whole state is four UInt64s, saved in checkpoints so a resumed run
/// draws exactly the numbers the uninterrupted run would have drawn.
public struct SeededGenerator: RandomNumberGenerator, Equatable {
    public private(set) var state: [UInt64]

    /// Expands `seed` with SplitMix64 into the four state words (never all zero).
    public init(seed: UInt64) {
        var z = seed
        var words = [UInt64](repeating: 0, count: 4)
        for i in 0..<4 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            words[i] = x ^ (x >> 31)
        }
        state = words
    }

    /// Restores a generator from a saved state (four words, not all zero).
    public init(state: [UInt64]) throws {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else {
            throw KernelError.invalidGeneratorState(state)
        }
        self.state = state
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        return result
    }

    /// Uniform Double in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform Double in (0, 1): never exactly 0, safe under a logarithm.
    @inline(__always)
    public mutating func nextOpenUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// Standard normal sample (Box–Muller, one of the pair).
    public mutating func nextNormal() -> Double {
        let u1 = nextOpenUniform()
        let u2 = nextUniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Standard Gumbel(0, 1) sample: −log(−log U).
    public mutating func nextGumbel() -> Double {
        -Foundation.log(-Foundation.log(nextOpenUniform()))
    }

    /// Fills `buffer` with N(0, std²) samples.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, std: Float) {
        for i in buffer.indices { buffer[i] = Float(nextNormal()) * std }
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// Errors of the kernel layer.
public enum KernelError: Error, CustomStringConvertible {
    case invalidGeneratorState([UInt64])

    public var description: String {
        switch self {
        case .invalidGeneratorState(let s):
            return "random generator state must be 4 words, not all zero (got \(s.count) words)"
        }
    }
}
