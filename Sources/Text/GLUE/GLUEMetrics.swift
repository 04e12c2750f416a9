/// A named metric value, e.g. `("accuracy", 0.91)`; values are fractions (not percentages).
public struct MetricValue: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\(value)" }
}

extension GLUETask {
    /// The task's metrics for predicted class indices (classification tasks).
    public func scores(predictedClasses: [Int], labels: [Int]) -> [MetricValue] {
        switch metric {
        case .accuracy:
            return [MetricValue(name: "accuracy", value: Metrics.accuracy(predictions: predictedClasses, labels: labels))]
        case .accuracyAndF1:
            return [MetricValue(name: "accuracy", value: Metrics.accuracy(predictions: predictedClasses, labels: labels)),
                    MetricValue(name: "f1", value: Metrics.f1(predictions: predictedClasses, labels: labels))]
        case .matthews:
            return [MetricValue(name: "matthews", value: Metrics.matthewsCorrelation(predictions: predictedClasses, labels: labels))]
        case .pearsonSpearman:
            preconditionFailure("task \(name) is a regression task: use scores(predictedValues:targets:)")
        }
    }

    /// The task's metrics for predicted real values (regression tasks: Pearson and Spearman).
    public func scores(predictedValues: [Double], targets: [Double]) -> [MetricValue] {
        guard metric == .pearsonSpearman else {
            preconditionFailure("task \(name) is a classification task: use scores(predictedClasses:labels:)")
        }
        return [MetricValue(name: "pearson", value: Metrics.pearson(predictedValues, targets)),
                MetricValue(name: "spearman", value: Metrics.spearman(predictedValues, targets))]
    }
}
