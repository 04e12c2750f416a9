import XCTest
@testable import Text

/// Metric values computed by hand (binary cases) or with NumPy from the definitions (noted per case).
final class MetricsTests: XCTestCase {
    let predictions = [1, 0, 1, 1, 0]
    let labels = [1, 1, 1, 0, 0]

    func testAccuracyAndF1() {
        XCTAssertEqual(Metrics.accuracy(predictions: predictions, labels: labels), 0.6, accuracy: 1e-12)
        // TP 2, FP 1, FN 1 → 4 / 6.
        XCTAssertEqual(Metrics.f1(predictions: predictions, labels: labels), 4.0 / 6.0, accuracy: 1e-12)
        XCTAssertEqual(Metrics.f1(predictions: [0, 0], labels: [1, 0]), 0)
        // Class 0 as positive: TP 1, FP 1, FN 1.
        XCTAssertEqual(Metrics.f1(predictions: predictions, labels: labels, positive: 0), 0.5, accuracy: 1e-12)
    }

    func testMatthewsCorrelation() {
        // TP 2, TN 1, FP 1, FN 1 → (2·1 − 1·1) / √(3·3·2·2) = 1/6.
        XCTAssertEqual(Metrics.matthewsCorrelation(predictions: predictions, labels: labels), 1.0 / 6.0, accuracy: 1e-12)
        // scikit-learn's documented example.
        XCTAssertEqual(Metrics.matthewsCorrelation(predictions: [1, -1, 1, 1], labels: [1, 1, 1, -1]), -1.0 / 3.0, accuracy: 1e-12)
        // Three classes: NumPy, covariance of one-hot matrices.
        XCTAssertEqual(Metrics.matthewsCorrelation(predictions: [0, 1, 2, 2, 1, 0, 2, 1], labels: [0, 2, 2, 1, 1, 0, 2, 0]),
                       0.4523809523809524, accuracy: 1e-12)
        XCTAssertEqual(Metrics.matthewsCorrelation(predictions: [1, 1, 1], labels: [0, 1, 1]), 0)
        XCTAssertEqual(Metrics.matthewsCorrelation(predictions: labels, labels: labels), 1, accuracy: 1e-12)
    }

    func testPearsonAndSpearman() {
        // NumPy corrcoef.
        XCTAssertEqual(Metrics.pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]), 0.7745966692414834, accuracy: 1e-12)
        // Ranks with a tie: x → [1, 2.5, 2.5, 4]; NumPy corrcoef of the ranks.
        XCTAssertEqual(Metrics.spearman([10, 20, 20, 30], [1, 3, 2, 4]), 0.9486832980505139, accuracy: 1e-12)
        XCTAssertEqual(Metrics.ranks([3, 1, 3, 2, 3]), [4, 1, 4, 2, 4])
        XCTAssertEqual(Metrics.spearman([1, 2, 3], [10, 100, 1000]), 1, accuracy: 1e-12)
        XCTAssertTrue(Metrics.pearson([1, 1, 1], [1, 2, 3]).isNaN)
    }

    func testTaskMetricSelection() {
        XCTAssertEqual(GLUETask.mrpc.scores(predictedClasses: predictions, labels: labels).map(\.name), ["accuracy", "f1"])
        XCTAssertEqual(GLUETask.cola.scores(predictedClasses: predictions, labels: labels).map(\.name), ["matthews"])
        XCTAssertEqual(GLUETask.sst2.scores(predictedClasses: predictions, labels: labels),
                       [MetricValue(name: "accuracy", value: 0.6)])
        let sts = GLUETask.stsb.scores(predictedValues: [1, 2, 3, 4, 5], targets: [2, 4, 5, 4, 5])
        XCTAssertEqual(sts.map(\.name), ["pearson", "spearman"])
        XCTAssertEqual(sts[0].value, 0.7745966692414834, accuracy: 1e-12)
    }
}
