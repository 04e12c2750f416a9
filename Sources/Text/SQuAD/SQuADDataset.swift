import Foundation

/// A gold answer: its text and where it starts in the context.
public struct SQuADAnswer: Sendable, Equatable {
    public var text: String
    /// Start in the context, in Unicode scalar offsets (SQuAD's `answer_start`).
    public var start: Int
    /// End (exclusive) in the context, in Unicode scalar offsets.
    public var end: Int

    public init(text: String, start: Int) {
        self.text = text
        self.start = start
        end = start + text.unicodeScalars.count
    }
}

/// One SQuAD question about one context paragraph.
public struct SQuADExample: Sendable {
    public var id: String
    public var title: String
    public var question: String
    /// Index of the paragraph in `SQuADDataset.contexts`.
    public var contextIndex: Int
    /// Gold answers in file order (duplicates kept, as the official evaluation does).
    public var answers: [SQuADAnswer]
}

/// A SQuAD v1.1 file: paragraphs and their questions.
public struct SQuADDataset: Sendable {
    /// The file's `version` field (the official evaluation expects `"1.1"`).
    public let version: String
    /// Path of the file read.
    public let file: String
    /// Every paragraph's context, in file order; examples refer to them by index.
    public let contexts: [String]
    public let examples: [SQuADExample]

    /// The context of `example`.
    public func context(of example: SQuADExample) -> String { contexts[example.contextIndex] }

    /// Reads `<root>/squad/<name>` (default `dev-v1.1.json`); `root` is laid out like the project's `Data/`.
    public static func load(from root: URL, name: String = "dev-v1.1.json") throws -> SQuADDataset {
        try load(file: root.appendingPathComponent("squad").appendingPathComponent(name))
    }

    /// Reads a SQuAD v1.1 JSON file. Throws `TextDataError` naming the file and the JSON position
    /// (e.g. `data[3].paragraphs[1].qas[4].answers[0]`) for structural errors, and for an answer whose
    /// text is not the context's text at its `answer_start`.
    public static func load(file url: URL) throws -> SQuADDataset {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TextDataError(.unreadable, file: url.path, message: "cannot read file (\(error.localizedDescription))")
        }
        return try parse(data, file: url.path)
    }

    /// Parses SQuAD v1.1 JSON; `file` names the source in errors.
    public static func parse(_ data: Data, file: String) throws -> SQuADDataset {
        let raw: RawFile
        do {
            raw = try JSONDecoder().decode(RawFile.self, from: data)
        } catch let error as DecodingError {
            throw Self.describe(error, file: file)
        } catch {
            throw TextDataError(.malformed, file: file, message: "invalid JSON (\(error))")
        }
        var contexts: [String] = []
        var examples: [SQuADExample] = []
        for (a, article) in raw.data.enumerated() {
            for (p, paragraph) in article.paragraphs.enumerated() {
                let contextIndex = contexts.count
                contexts.append(paragraph.context)
                let scalars = Array(paragraph.context.unicodeScalars)
                for (q, qa) in paragraph.qas.enumerated() {
                    var answers: [SQuADAnswer] = []
                    for (k, rawAnswer) in qa.answers.enumerated() {
                        let answer = SQuADAnswer(text: rawAnswer.text, start: rawAnswer.answer_start)
                        guard answer.start >= 0, answer.end <= scalars.count,
                              scalars[answer.start..<answer.end].elementsEqual(answer.text.unicodeScalars) else {
                            let found = answer.start >= 0 && answer.start < scalars.count
                                ? String(String.UnicodeScalarView(scalars[answer.start..<min(answer.end, scalars.count)]))
                                : "(outside the \(scalars.count)-character context)"
                            throw TextDataError(.answerMismatch, file: file,
                                                position: "data[\(a)].paragraphs[\(p)].qas[\(q)].answers[\(k)]",
                                                message: "question \(qa.id): answer \"\(answer.text)\" does not match the context at answer_start \(answer.start), which reads \"\(found)\"")
                        }
                        answers.append(answer)
                    }
                    examples.append(SQuADExample(id: qa.id, title: article.title, question: qa.question,
                                                 contextIndex: contextIndex, answers: answers))
                }
            }
        }
        return SQuADDataset(version: raw.version, file: file, contexts: contexts, examples: examples)
    }

    private struct RawFile: Decodable {
        let version: String
        let data: [RawArticle]
    }

    private struct RawArticle: Decodable {
        let title: String
        let paragraphs: [RawParagraph]
    }

    private struct RawParagraph: Decodable {
        let context: String
        let qas: [RawQuestion]
    }

    private struct RawQuestion: Decodable {
        let id: String
        let question: String
        let answers: [RawAnswer]
    }

    private struct RawAnswer: Decodable {
        let text: String
        let answer_start: Int
    }

    /// A `TextDataError` for a decoding failure, positioned by its coding path (`data[3].title`).
    private static func describe(_ error: DecodingError, file: String) -> TextDataError {
        func path(_ keys: [CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return text.isEmpty ? "top level" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return TextDataError(.malformed, file: file, position: path(context.codingPath),
                                 message: "missing key \"\(key.stringValue)\"")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return TextDataError(.malformed, file: file, position: path(context.codingPath),
                                 message: "expected a value of type \(type)")
        case .dataCorrupted(let context):
            return TextDataError(.malformed, file: file, position: path(context.codingPath),
                                 message: "invalid JSON (\(context.debugDescription))")
        @unknown default:
            return TextDataError(.malformed, file: file, message: "invalid JSON (\(error))")
        }
    }
}
