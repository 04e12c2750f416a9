/// How to shorten a text pair that does not fit `maxLength`.
public enum TruncationStrategy: Sendable, Equatable {
    /// Hugging Face `longest_first` (fast tokenizer): if the shorter text fits in half of the budget
    /// only the longer one is cut; otherwise the first gets `budget / 2` pieces and the second the rest.
    case longestFirst
    /// Cut only the first text (fails if that is not enough).
    case onlyFirst
    /// Cut only the second text (fails if that is not enough).
    case onlySecond
}

/// A model input: `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]`.
public struct Encoding: Sendable, Equatable {
    /// Token ids, `[T]`.
    public var ids: [Int32]
    /// Segment ids, `[T]`: 0 for `[CLS]`, A and the first `[SEP]`; 1 for B and the last `[SEP]`.
    public var typeIds: [Int32]
    /// Per token, its span in its own text (A or B) in Unicode scalar offsets; `0..<0` for special tokens.
    public var offsets: [Range<Int>]
    /// Per token, which text it came from: 0 (A), 1 (B), or -1 for special tokens.
    public var sequenceIds: [Int8]

    /// Number of tokens `T`.
    public var count: Int { ids.count }
}

/// The reason a pair cannot be truncated to the requested length.
public struct TruncationError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

extension WordPieceTokenizer {
    /// Tokenizes `a` (and `b`) and adds special tokens, truncating to at most `maxLength` tokens if given.
    /// Throws `TruncationError` only if `maxLength` leaves no room (fewer than 3 / 4 tokens) or the
    /// strategy cannot cut enough.
    public func encode(_ a: String, _ b: String? = nil, maxLength: Int? = nil,
                       truncation: TruncationStrategy = .longestFirst) throws -> Encoding {
        try encode(tokenize(a), b.map(tokenize), maxLength: maxLength, truncation: truncation)
    }

    /// Adds special tokens to already tokenized texts, truncating to at most `maxLength` tokens if given.
    public func encode(_ a: TokenizedText, _ b: TokenizedText?, maxLength: Int? = nil,
                       truncation: TruncationStrategy = .longestFirst) throws -> Encoding {
        var lengthA = a.count
        var lengthB = b?.count ?? 0
        if let maxLength {
            let special = b == nil ? 2 : 3
            let budget = maxLength - special
            guard budget >= 0 else {
                throw TruncationError(description: "maxLength \(maxLength) leaves no room for \(special) special tokens")
            }
            if b == nil {
                lengthA = min(lengthA, budget)
            } else {
                (lengthA, lengthB) = try Self.truncatedLengths(lengthA, lengthB, budget: budget, strategy: truncation)
            }
        }
        let total = lengthA + lengthB + (b == nil ? 2 : 3)
        var encoding = Encoding(ids: [], typeIds: [], offsets: [], sequenceIds: [])
        encoding.ids.reserveCapacity(total)
        encoding.typeIds.reserveCapacity(total)
        encoding.offsets.reserveCapacity(total)
        encoding.sequenceIds.reserveCapacity(total)
        func special(_ id: Int32, type: Int32) {
            encoding.ids.append(id)
            encoding.typeIds.append(type)
            encoding.offsets.append(0..<0)
            encoding.sequenceIds.append(-1)
        }
        func text(_ t: TokenizedText, count: Int, type: Int32) {
            encoding.ids.append(contentsOf: t.ids[..<count])
            encoding.typeIds.append(contentsOf: repeatElement(type, count: count))
            encoding.offsets.append(contentsOf: t.offsets[..<count])
            encoding.sequenceIds.append(contentsOf: repeatElement(Int8(type), count: count))
        }
        special(vocabulary.classifierID, type: 0)
        text(a, count: lengthA, type: 0)
        special(vocabulary.separatorID, type: 0)
        if let b {
            text(b, count: lengthB, type: 1)
            special(vocabulary.separatorID, type: 1)
        }
        return encoding
    }

    /// Lengths of A and B after truncating a pair to `budget` pieces in total.
    static func truncatedLengths(_ a: Int, _ b: Int, budget: Int,
                                 strategy: TruncationStrategy) throws -> (Int, Int) {
        guard a + b > budget else { return (a, b) }
        switch strategy {
        case .onlyFirst:
            guard b <= budget else {
                throw TruncationError(description: "second text has \(b) tokens; only-first truncation cannot fit \(budget)")
            }
            return (budget - b, b)
        case .onlySecond:
            guard a <= budget else {
                throw TruncationError(description: "first text has \(a) tokens; only-second truncation cannot fit \(budget)")
            }
            return (a, budget - a)
        case .longestFirst:
            let shorter = min(a, b)
            var keepShorter = shorter
            var keepLonger = max(shorter, budget - shorter)
            if keepShorter + keepLonger > budget {
                keepShorter = budget / 2
                keepLonger = keepShorter + budget % 2
            }
            return a <= b ? (keepShorter, keepLonger) : (keepLonger, keepShorter)
        }
    }
}
