/// The reason examples cannot be collated into one batch.
public struct BatchError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// How long the padded sequences of a batch are.
public enum Padding: Sendable, Equatable {
    /// The longest sequence of the batch, rounded up to a multiple of `multipleOf` (e.g. 32 for
    /// Block-Skim's blocks; 1 for no rounding). Dynamic padding.
    case longest(multipleOf: Int)
    /// Always this length; a longer sequence is an error.
    case fixed(Int)

    /// Dynamic padding to the longest sequence, without rounding.
    public static let longest = Padding.longest(multipleOf: 1)
}

/// Builds padded `Batch`es from `EncodedExample`s. Pure and deterministic.
public struct Collator: Sendable, Equatable {
    /// Token id written into padded positions (BERT's `[PAD]` is 0).
    public var padID: Int32
    public var padding: Padding

    public init(padID: Int32 = 0, padding: Padding = .longest) {
        self.padID = padID
        self.padding = padding
    }

    /// The padded length for sequences whose longest has `maxLength` tokens.
    public func paddedLength(forLongest maxLength: Int) throws -> Int {
        switch padding {
        case .longest(let multiple):
            guard multiple > 0 else { throw BatchError(description: "padding multiple must be positive, got \(multiple)") }
            return (maxLength + multiple - 1) / multiple * multiple
        case .fixed(let length):
            guard maxLength <= length else {
                throw BatchError(description: "a sequence of \(maxLength) tokens does not fit the fixed length \(length)")
            }
            return length
        }
    }

    /// Collates `examples[rows[0]], examples[rows[1]], …` (in that order) into one batch, `B = rows.count`.
    /// `Batch.indices` is `rows`. Throws `BatchError` for an empty `rows`, an empty sequence, labels of
    /// different kinds, or a sequence longer than a fixed padding length.
    public func collate(_ examples: [EncodedExample], rows: [Int]) throws -> Batch {
        guard !rows.isEmpty else { throw BatchError(description: "cannot collate an empty batch") }
        var longest = 0
        for row in rows {
            guard examples.indices.contains(row) else {
                throw BatchError(description: "row \(row) is outside the \(examples.count) examples")
            }
            guard examples[row].length > 0 else { throw BatchError(description: "example \(row) has no tokens") }
            longest = max(longest, examples[row].length)
        }
        let seqLen = try paddedLength(forLongest: longest)
        let count = rows.count * seqLen
        var ids = [Int32](repeating: padID, count: count)
        var typeIds = [Int32](repeating: 0, count: count)
        var mask = [Float](repeating: 0, count: count)
        var lengths: [Int] = []
        lengths.reserveCapacity(rows.count)
        for (b, row) in rows.enumerated() {
            let example = examples[row]
            let base = b * seqLen
            ids.replaceSubrange(base ..< base + example.length, with: example.ids)
            typeIds.replaceSubrange(base ..< base + example.length, with: example.typeIds)
            for t in base ..< base + example.length { mask[t] = 1 }
            lengths.append(example.length)
        }
        return Batch(batchSize: rows.count, seqLen: seqLen, inputIds: ids, typeIds: typeIds, attentionMask: mask,
                     lengths: lengths, indices: rows, targets: try Self.targets(examples, rows: rows))
    }

    /// Collates all of `examples`, in order.
    public func collate(_ examples: [EncodedExample]) throws -> Batch {
        try collate(examples, rows: Array(examples.indices))
    }

    private static func targets(_ examples: [EncodedExample], rows: [Int]) throws -> Batch.Targets {
        func mismatch(_ row: Int) -> BatchError {
            BatchError(description: "example \(row) has label \(examples[row].label), unlike example \(rows[0]) (\(examples[rows[0]].label))")
        }
        switch examples[rows[0]].label {
        case .none:
            for row in rows { guard case .none = examples[row].label else { throw mismatch(row) } }
            return .none
        case .classIndex:
            return .classes(try rows.map { row in
                guard case .classIndex(let c) = examples[row].label else { throw mismatch(row) }
                return c
            })
        case .score:
            return .scores(try rows.map { row in
                guard case .score(let s) = examples[row].label else { throw mismatch(row) }
                return s
            })
        case .span:
            var starts: [Int] = [], ends: [Int] = []
            for row in rows {
                guard case .span(let s, let e) = examples[row].label else { throw mismatch(row) }
                starts.append(s)
                ends.append(e)
            }
            return .spans(start: starts, end: ends)
        }
    }
}
