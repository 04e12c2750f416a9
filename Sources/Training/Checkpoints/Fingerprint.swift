import Foundation

/// 64-bit identities (configuration hash, parameter-layout fingerprint) as the fixed-width
/// hexadecimal text stored in checkpoint JSON.
public enum Fingerprint {
    /// 16 lowercase hexadecimal digits.
    public static func hex(_ value: UInt64) -> String {
        String(value, radix: 16).leftPadded(to: 16)
    }

    /// Parses ``hex(_:)`` text; nil when it is not 1–16 hexadecimal digits.
    public static func parse(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.count <= 16 else { return nil }
        return UInt64(text, radix: 16)
    }
}
