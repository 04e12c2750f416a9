import Foundation

/// A WordPiece vocabulary: token `i` is line `i` (0-based) of a BERT `vocab.txt`.
///
/// Lookup of a token string goes through a dictionary; the tokenizer's hot path instead walks
/// `trie`, so it never builds strings for candidate pieces.
public struct Vocabulary: Sendable {
    /// All tokens, indexed by id.
    public let tokens: [String]
    /// Id of `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`; `[MASK]` if present.
    public let padID: Int32
    public let unknownID: Int32
    public let classifierID: Int32
    public let separatorID: Int32
    public let maskID: Int32?

    private let ids: [String: Int32]
    let trie: VocabularyTrie

    /// Loads `vocab.txt`: one token per line, `"\n"` separated (a trailing `"\r"` is dropped).
    /// A token listed twice maps to its later line, as in Hugging Face. Throws `TextDataError` naming the
    /// file if it cannot be read, is empty, or lacks `[PAD]`, `[UNK]`, `[CLS]` or `[SEP]`.
    public init(contentsOf url: URL) throws {
        let text = try TextFile.read(url)
        let lines = TextFile.lines(text).map(String.init)
        guard !lines.isEmpty else {
            throw TextDataError(.malformed, file: url.path, message: "vocabulary file is empty")
        }
        try self.init(tokens: lines, source: url.path)
    }

    /// Builds a vocabulary from tokens in id order. `source` names the origin in errors.
    public init(tokens: [String], source: String = "<memory>") throws {
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        for (i, token) in tokens.enumerated() { ids[token] = Int32(i) }
        func required(_ token: String) throws -> Int32 {
            guard let id = ids[token] else {
                throw TextDataError(.missingToken, file: source, message: "vocabulary has no \(token) token")
            }
            return id
        }
        self.tokens = tokens
        self.ids = ids
        padID = try required("[PAD]")
        unknownID = try required("[UNK]")
        classifierID = try required("[CLS]")
        separatorID = try required("[SEP]")
        maskID = ids["[MASK]"]
        trie = VocabularyTrie(tokens: tokens)
    }

    /// Number of tokens (the embedding table's row count).
    public var count: Int { tokens.count }

    /// The id of `token`, or `nil`.
    public func id(of token: String) -> Int32? { ids[token] }

    /// The token with id `id`.
    public func token(_ id: Int32) -> String { tokens[Int(id)] }
}
