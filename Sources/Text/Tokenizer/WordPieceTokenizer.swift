import Foundation

/// The pieces of one text, without special tokens.
public struct TokenizedText: Sendable, Equatable {
    /// Vocabulary ids, one per piece.
    public var ids: [Int32]
    /// For each piece, its span in the text in Unicode scalar (code point) offsets, end exclusive.
    /// A piece's span covers every original scalar its normalized characters came from.
    public var offsets: [Range<Int>]

    public init(ids: [Int32], offsets: [Range<Int>]) {
        self.ids = ids
        self.offsets = offsets
    }

    /// Number of pieces.
    public var count: Int { ids.count }
}

/// The uncased BERT WordPiece tokenizer (the `BertNormalizer` + `BertPreTokenizer` + `WordPiece`
/// pipeline of Hugging Face `tokenizers`, whose output the golden fixtures hold).
///
/// Normalization: remove U+0000, U+FFFD and control characters; put CJK ideographs in words of their
/// own; NFD and drop nonspacing marks (Mn); lowercase. Pre-tokenization: split on whitespace, and make
/// every punctuation character a word. WordPiece: greedy longest match from the left, later pieces
/// prefixed `##`; a word of more than `maxWordLength` scalars, or one with an unmatched remainder,
/// becomes a single `[UNK]`. Immutable and safe to share between threads.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: Vocabulary
    /// Longest word (in normalized Unicode scalars) that is split into pieces; longer words are `[UNK]`.
    public let maxWordLength: Int

    public init(vocabulary: Vocabulary, maxWordLength: Int = 100) {
        self.vocabulary = vocabulary
        self.maxWordLength = maxWordLength
    }

    /// Loads the vocabulary from a BERT `vocab.txt`.
    public init(vocabularyFile: URL, maxWordLength: Int = 100) throws {
        self.init(vocabulary: try Vocabulary(contentsOf: vocabularyFile), maxWordLength: maxWordLength)
    }

    /// Tokenizes `text` into pieces with offsets (no special tokens, no truncation).
    public func tokenize(_ text: String) -> TokenizedText {
        var pass = WordPiecePass(trie: vocabulary.trie, unknownID: vocabulary.unknownID,
                                 maxWordLength: maxWordLength, expectedScalars: text.utf8.count)
        var index: Int32 = 0
        for scalar in text.unicodeScalars {
            pass.feed(scalar, at: index)
            index += 1
        }
        pass.endWord()
        return TokenizedText(ids: pass.ids, offsets: pass.offsets)
    }
}
