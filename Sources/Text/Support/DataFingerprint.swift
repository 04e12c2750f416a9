import Foundation

/// 64-bit FNV-1a identities of training data, for the startup handshake and checkpoints: equal data
/// gives equal fingerprints on every machine and platform.
public enum DataFingerprint {
    /// FNV-1a 64 offset basis: the fingerprint of no bytes.
    public static let empty: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// 16 lowercase hexadecimal digits, zero-padded (the form checkpoints and logs print).
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// FNV-1a 64 of `bytes`, continuing from `state` (chain calls to hash several pieces).
    public static func fnv1a<Bytes: Sequence>(_ bytes: Bytes, continuing state: UInt64 = empty) -> UInt64
        where Bytes.Element == UInt8 {
        var hash = state
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            for byte in buffer { hash = (hash ^ UInt64(byte)) &* prime }
        }
        if done == nil {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* prime }
        }
        return hash
    }

    /// FNV-1a 64 of the little-endian bytes of `value`, continuing from `state`.
    static func fnv1a(_ value: UInt64, continuing state: UInt64) -> UInt64 {
        var hash = state
        for shift in stride(from: 0, to: 64, by: 8) { hash = (hash ^ ((value >> UInt64(shift)) & 0xFF)) &* prime }
        return hash
    }

    /// FNV-1a 64 of the files' bytes, in the given order, each preceded by its byte count as a
    /// little-endian 64-bit number (so moving bytes between files changes the result). Names and dates
    /// do not count. Throws `TextDataError.unreadable` naming the file.
    public static func files(_ urls: [URL]) throws -> UInt64 {
        var hash = empty
        for url in urls {
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw TextDataError(.unreadable, file: url.path, message: "cannot read file (\(error.localizedDescription))")
            }
            hash = fnv1a(UInt64(data.count), continuing: hash)
            hash = data.withUnsafeBytes { fnv1a($0, continuing: hash) }
        }
        return hash
    }

    /// FNV-1a 64 of the encoded examples in order: each one's length, ids, type ids and label. Covers
    /// what the files, the vocabulary and the maximum length together produce.
    public static func examples(_ examples: [EncodedExample]) -> UInt64 {
        var hash = empty
        for example in examples {
            hash = fnv1a(UInt64(example.length), continuing: hash)
            for id in example.ids { hash = fnv1a(UInt64(UInt32(bitPattern: id)), continuing: hash) }
            for id in example.typeIds { hash = fnv1a(UInt64(UInt32(bitPattern: id)), continuing: hash) }
            switch example.label {
            case .none:
                hash = fnv1a(0, continuing: hash)
            case .classIndex(let c):
                hash = fnv1a(1, continuing: hash)
                hash = fnv1a(UInt64(bitPattern: Int64(c)), continuing: hash)
            case .score(let s):
                hash = fnv1a(2, continuing: hash)
                hash = fnv1a(UInt64(s.bitPattern), continuing: hash)
            case .span(let s, let e):
                hash = fnv1a(3, continuing: hash)
                hash = fnv1a(UInt64(bitPattern: Int64(s)), continuing: hash)
                hash = fnv1a(UInt64(bitPattern: Int64(e)), continuing: hash)
            }
        }
        return hash
    }
}
