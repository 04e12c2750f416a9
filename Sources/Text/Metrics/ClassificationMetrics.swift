/// Classification and correlation metrics on plain arrays. Every function requires equally long,
/// non-empty inputs (a precondition: a mismatch is a programming error in the caller).
public enum Metrics {
    /// Fraction of positions where `predictions[i] == labels[i]`, in [0, 1].
    public static func accuracy(predictions: [Int], labels: [Int]) -> Double {
        precondition(predictions.count == labels.count && !labels.isEmpty, "accuracy needs equal, non-empty inputs")
        let correct = zip(predictions, labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(correct) / Double(labels.count)
    }

    /// F1 of the class `positive`: 2·TP / (2·TP + FP + FN), in [0, 1]; 0 when there is no true positive.
    public static func f1(predictions: [Int], labels: [Int], positive: Int = 1) -> Double {
        precondition(predictions.count == labels.count && !labels.isEmpty, "f1 needs equal, non-empty inputs")
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        for (p, l) in zip(predictions, labels) {
            if p == positive && l == positive { truePositives += 1 }
            else if p == positive { falsePositives += 1 }
            else if l == positive { falseNegatives += 1 }
        }
        guard truePositives > 0 else { return 0 }
        return 2 * Double(truePositives) / Double(2 * truePositives + falsePositives + falseNegatives)
    }

    /// Matthews correlation coefficient, in [-1, 1], for any number of classes (the R_K statistic, as
    /// scikit-learn's `matthews_corrcoef`); 0 when either marginal is constant.
    public static func matthewsCorrelation(predictions: [Int], labels: [Int]) -> Double {
        precondition(predictions.count == labels.count && !labels.isEmpty, "matthews needs equal, non-empty inputs")
        var predicted: [Int: Double] = [:], actual: [Int: Double] = [:]
        var correct = 0.0
        for (p, l) in zip(predictions, labels) {
            predicted[p, default: 0] += 1
            actual[l, default: 0] += 1
            if p == l { correct += 1 }
        }
        let n = Double(labels.count)
        let classes = Set(predicted.keys).union(actual.keys)
        var crossProduct = 0.0, predictedSquares = 0.0, actualSquares = 0.0
        for k in classes {
            let pk = predicted[k] ?? 0, tk = actual[k] ?? 0
            crossProduct += pk * tk
            predictedSquares += pk * pk
            actualSquares += tk * tk
        }
        let numerator = correct * n - crossProduct
        let denominator = ((n * n - predictedSquares) * (n * n - actualSquares)).squareRoot()
        return denominator == 0 ? 0 : numerator / denominator
    }
}
