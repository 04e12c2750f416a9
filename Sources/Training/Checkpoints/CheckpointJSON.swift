import Foundation

/// The JSON conventions of checkpoint files: sorted keys, pretty-printed, non-finite numbers
/// as the strings "nan", "inf" and "-inf" (a metric may be NaN).
enum CheckpointJSON {
    /// Encodes `value` with the checkpoint conventions.
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value) + Data("\n".utf8)
    }

    /// Decodes `data`; a failure names `path`.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw CheckpointError(path: path, problem: "not a valid \(type): \(describe(error))")
        }
    }

    /// A decoding error in one line, naming the key path.
    private static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(path(context.codingPath + [key]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = context.codingPath.isEmpty ? "" : " at '\(path(context.codingPath))'"
            return context.debugDescription + at
        @unknown default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
