/// An error in input data read by the text pipeline: it names the file and the position inside it.
///
/// `description` reads `"<file>:<position>: <message>"`, e.g.
/// `"Data/glue_data/SST-2/train.tsv:line 12: expected 2 tab-separated fields, found 3"`.
public struct TextDataError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, for callers and tests that branch on the kind.
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened or read.
        case unreadable
        /// The bytes are not valid UTF-8.
        case invalidEncoding
        /// A TSV row has a different number of fields than the header (or the task's fixed count).
        case wrongFieldCount
        /// A label field is not in the task's label set, or is not a finite number for regression.
        case badLabel
        /// The file's structure is wrong: bad JSON, a missing key, a value of the wrong type, an empty file.
        case malformed
        /// A SQuAD answer's text is not found at its `answer_start` in the context.
        case answerMismatch
        /// A vocabulary lacks a required special token.
        case missingToken
    }

    public let kind: Kind
    /// Path of the offending file, as given by the caller.
    public let file: String
    /// Where in the file: `"line 12"`, `"data[3].paragraphs[1].qas[4].answers[0]"`, or `nil` for the whole file.
    public let position: String?
    public let message: String

    public init(_ kind: Kind, file: String, position: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.position = position
        self.message = message
    }

    public var description: String {
        if let position { return "\(file):\(position): \(message)" }
        return "\(file): \(message)"
    }
}
