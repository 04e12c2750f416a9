/// Exact match and F1 exactly as the official SQuAD v1.1 evaluation script (`evaluate-v1.1.py`).
public enum SQuADMetric {
    /// Python's `string.punctuation`.
    private static let punctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars.map(\.value))

    /// `white_space_fix(remove_articles(remove_punc(lower(s))))`: Python `str.lower` (full mapping,
    /// final sigma in context), drop ASCII punctuation, replace each whole word (`\b…\b`, Python's
    /// Unicode `\w`) "a", "an" or "the" by a space, then join the whitespace-separated words with one space.
    public static func normalize(_ text: String) -> String {
        words(text).joined(separator: " ")
    }

    /// The normalized answer split into words (`normalize_answer(s).split()`).
    public static func words(_ text: String) -> [String] {
        let lowered = pythonLowercase(Array(text.unicodeScalars))
        let kept = lowered.filter { !punctuation.contains($0.value) }
        // Remove articles: a maximal run of word characters equal to a/an/the becomes a space.
        var withoutArticles: [Unicode.Scalar] = []
        withoutArticles.reserveCapacity(kept.count)
        var i = 0
        while i < kept.count {
            guard isWordCharacter(kept[i]) else {
                withoutArticles.append(kept[i])
                i += 1
                continue
            }
            var j = i
            while j < kept.count && isWordCharacter(kept[j]) { j += 1 }
            let run = kept[i..<j]
            if run.elementsEqual("a".unicodeScalars) || run.elementsEqual("an".unicodeScalars)
                || run.elementsEqual("the".unicodeScalars) {
                withoutArticles.append(" ")
            } else {
                withoutArticles += run
            }
            i = j
        }
        return withoutArticles.split(whereSeparator: isPythonWhitespace)
            .map { String(String.UnicodeScalarView($0)) }
    }

    /// 1 if the normalized texts are equal, else 0.
    public static func exactMatch(prediction: String, gold: String) -> Double {
        normalize(prediction) == normalize(gold) ? 1 : 0
    }

    /// Token F1 of the normalized texts: multiset overlap `n`; 0 if `n = 0`, else 2PR/(P+R) with
    /// P = n/|prediction|, R = n/|gold|.
    public static func f1(prediction: String, gold: String) -> Double {
        let predicted = words(prediction), expected = words(gold)
        var counts: [String: Int] = [:]
        for word in expected { counts[word, default: 0] += 1 }
        var overlap = 0
        for word in predicted {
            if let c = counts[word], c > 0 {
                counts[word] = c - 1
                overlap += 1
            }
        }
        guard overlap > 0 else { return 0 }
        let precision = Double(overlap) / Double(predicted.count)
        let recall = Double(overlap) / Double(expected.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// The evaluation's result: percentages over all questions, and how many had no prediction.
    public struct Result: Sendable, Equatable {
        public var exactMatch: Double
        public var f1: Double
        public var questions: Int
        public var missingPredictions: Int
    }

    /// Scores `predictions` (question id → answer text) against every question of `dataset`:
    /// each question scores its best gold answer; a question without a prediction scores 0.
    /// Returns `100 ×` the means, as the official script prints them.
    public static func evaluate(_ dataset: SQuADDataset, predictions: [String: String]) -> Result {
        var exact = 0.0, f1Sum = 0.0, missing = 0
        for example in dataset.examples {
            guard let prediction = predictions[example.id] else {
                missing += 1
                continue
            }
            exact += example.answers.map { exactMatch(prediction: prediction, gold: $0.text) }.max() ?? 0
            f1Sum += example.answers.map { f1(prediction: prediction, gold: $0.text) }.max() ?? 0
        }
        let n = Double(max(dataset.examples.count, 1))
        return Result(exactMatch: 100 * exact / n, f1: 100 * f1Sum / n,
                      questions: dataset.examples.count, missingPredictions: missing)
    }

    // MARK: Python string semantics

    /// Python's `str.lower()`: the full lowercase mapping, with capital sigma becoming final sigma when
    /// preceded by a cased letter and not followed by one (case-ignorable characters skipped).
    static func pythonLowercase(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for (i, s) in scalars.enumerated() {
            if s.value < 128 {
                result.append(s.value >= 65 && s.value <= 90 ? Unicode.Scalar(s.value + 32)! : s)
            } else if s.value == 0x3A3 {
                result.append(isFinalSigma(scalars, at: i) ? "\u{3C2}" : "\u{3C3}")
            } else if s.properties.changesWhenLowercased {
                result += s.properties.lowercaseMapping.unicodeScalars
            } else {
                result.append(s)
            }
        }
        return result
    }

    private static func isFinalSigma(_ scalars: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0 && scalars[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0 && scalars[j].properties.isCased else { return false }
        j = i + 1
        while j < scalars.count && scalars[j].properties.isCaseIgnorable { j += 1 }
        return j == scalars.count || !scalars[j].properties.isCased
    }

    /// Python's Unicode `\w`: letters (L*), characters with a numeric value, and `_`.
    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        if s.value < 128 {
            return (s.value >= 48 && s.value <= 57) || (s.value >= 65 && s.value <= 90)
                || (s.value >= 97 && s.value <= 122) || s.value == 95
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return s.properties.numericType != nil
        }
    }

    /// Python's `str.isspace()`: `White_Space` plus the separators U+001C…U+001F.
    static func isPythonWhitespace(_ s: Unicode.Scalar) -> Bool {
        (s.value >= 0x1C && s.value <= 0x1F) || s.properties.isWhitespace
    }
}
