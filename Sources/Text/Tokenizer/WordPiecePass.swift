/// One tokenization of one text: normalized scalars are gathered into the current word together with
/// the index of the original scalar each came from; a word break runs greedy longest-match WordPiece
/// on the word and appends the pieces with their offsets.
///
/// Offsets: a normalized scalar always comes from exactly one original scalar (decomposition and
/// lowercasing expand one scalar into several; cleaning and accent stripping only remove), so a piece
/// covering normalized scalars `i...j` spans original scalars `source[i] ..< source[j] + 1`.
struct WordPiecePass {
    let trie: VocabularyTrie
    let unknownID: Int32
    let maxWordLength: Int

    private(set) var ids: [Int32] = []
    private(set) var offsets: [Range<Int>] = []
    private var word: [UInt32] = []
    private var source: [Int32] = []
    /// Index in `word` where the current run of scalars with a non-zero canonical combining class may
    /// begin: NFD orders such runs by combining class.
    private var runStart = 0

    init(trie: VocabularyTrie, unknownID: Int32, maxWordLength: Int, expectedScalars: Int) {
        self.trie = trie
        self.unknownID = unknownID
        self.maxWordLength = maxWordLength
        ids.reserveCapacity(expectedScalars / 4 + 4)
        offsets.reserveCapacity(expectedScalars / 4 + 4)
        word.reserveCapacity(32)
        source.reserveCapacity(32)
    }

    /// Feeds the original scalar `s` at scalar index `index`.
    @inline(__always)
    mutating func feed(_ s: Unicode.Scalar, at index: Int32) {
        let v = s.value
        if v < 128 {
            switch BertCharacters.asciiClass[Int(v)] {
            case .word:
                appendScalar(v >= 65 && v <= 90 ? v + 32 : v, from: index)
            case .whitespace:
                endWord()
            case .punctuation:
                endWord()
                appendScalar(v, from: index)
                endWord()
            case .removed:
                break
            }
        } else {
            feedNonASCII(s, at: index)
        }
    }

    /// Cleaning, CJK splitting, NFD with Mn removal, lowercasing, then whitespace/punctuation splitting
    /// for one non-ASCII scalar.
    private mutating func feedNonASCII(_ s: Unicode.Scalar, at index: Int32) {
        if BertCharacters.isRemoved(s) { return }
        if s.properties.isWhitespace {
            endWord()
            return
        }
        let isolated = BertCharacters.isCJK(s.value)
        if isolated { endWord() }
        for d in BertCharacters.decomposition(s) {
            if BertCharacters.isNonspacingMark(d) {
                if d.properties.canonicalCombiningClass.rawValue == 0 { runStart = word.count }
                continue
            }
            for c in BertCharacters.lowercase(d) {
                if BertCharacters.isWhitespace(c) {
                    endWord()
                } else if BertCharacters.isPunctuation(c) {
                    endWord()
                    appendScalar(c.value, from: index)
                    endWord()
                } else if c.value < 128 {
                    appendScalar(c.value, from: index)
                } else {
                    appendOrdered(c, from: index)
                }
            }
        }
        if isolated { endWord() }
    }

    @inline(__always)
    private mutating func appendScalar(_ v: UInt32, from index: Int32) {
        word.append(v)
        source.append(index)
        runStart = word.count
    }

    /// Appends a non-ASCII scalar, moving it before preceding scalars of the same run that have a
    /// higher canonical combining class (the canonical ordering step of NFD).
    private mutating func appendOrdered(_ c: Unicode.Scalar, from index: Int32) {
        let ccc = BertCharacters.isUnicode9(c) ? c.properties.canonicalCombiningClass.rawValue : 0
        if ccc == 0 {
            appendScalar(c.value, from: index)
            return
        }
        var position = word.count
        while position > runStart,
              let previous = Unicode.Scalar(word[position - 1]),
              previous.properties.canonicalCombiningClass.rawValue > ccc {
            position -= 1
        }
        word.insert(c.value, at: position)
        source.insert(index, at: position)
    }

    /// Ends the current word: appends its WordPiece tokens, or one `[UNK]` covering the whole word if it
    /// is longer than `maxWordLength` scalars or some part of it matches no piece.
    mutating func endWord() {
        runStart = 0
        guard !word.isEmpty else { return }
        defer {
            word.removeAll(keepingCapacity: true)
            source.removeAll(keepingCapacity: true)
        }
        let count = word.count
        let firstToken = ids.count
        if count <= maxWordLength {
            let matched = word.withUnsafeBufferPointer { scalars -> Bool in
                var start = 0
                while start < count {
                    let node = start == 0 ? VocabularyTrie.root : trie.continuationRoot
                    guard let match = trie.longestMatch(scalars, from: start, to: count, startingAt: node) else {
                        return false
                    }
                    ids.append(match.id)
                    offsets.append(Int(source[start]) ..< Int(source[match.end - 1]) + 1)
                    start = match.end
                }
                return true
            }
            if matched { return }
            ids.removeSubrange(firstToken...)
            offsets.removeSubrange(firstToken...)
        }
        ids.append(unknownID)
        offsets.append(Int(source[0]) ..< Int(source[count - 1]) + 1)
    }
}
