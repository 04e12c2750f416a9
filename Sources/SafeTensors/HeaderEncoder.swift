/// Serialises a safetensors header: compact JSON with keys sorted (tensor names, `__metadata__`,
/// and each entry's `data_offsets`, `dtype`, `shape`), padded with trailing spaces to a multiple
/// of 8 bytes so the data section starts 8-byte aligned.
enum HeaderEncoder {
    /// One tensor's header entry; offsets are relative to the data section.
    struct Entry {
        let name: String
        let dtype: SafeTensorDType
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    /// The padded header's UTF-8 bytes (without the 8-byte length prefix).
    static func encode(entries: [Entry], metadata: [String: String]) -> [UInt8] {
        var members: [(key: String, json: String)] = entries.map { entry in
            let shape = entry.shape.map(String.init).joined(separator: ",")
            let json = "{\"data_offsets\":[\(entry.begin),\(entry.end)],\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)]}"
            return (entry.name, json)
        }
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(quoted($0.value))" }
            members.append(("__metadata__", "{" + pairs.joined(separator: ",") + "}"))
        }
        members.sort { $0.key < $1.key }
        let json = "{" + members.map { "\(quoted($0.key)):\($0.json)" }.joined(separator: ",") + "}"
        var bytes = Array(json.utf8)
        let padding = (8 - bytes.count % 8) % 8
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        return bytes
    }

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{0}"..<"\u{20}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
