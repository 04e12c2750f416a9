import BERT
import Distributed
import Foundation
import Text

/// Dev-set evaluation shared by every rank: rank r predicts examples r, r + N, r + 2N, …; the
/// predictions are gathered so that every rank computes the same metrics over the whole split.
enum Evaluation {
    /// Examples per forward pass on one rank.
    static let batchSize = 64

    /// The task metrics of `model` on `split` (fractions, e.g. accuracy 0.91).
    static func metrics(model: BertModel, split: EncodedSplit, communicator: Communicator) throws -> [MetricValue] {
        let predictions = try gatheredPredictions(model: model, split: split, communicator: communicator)
                switch split.task.labels {
        case .classes:
            let labels = try split.examples.map { example -> Int in
                guard case .classIndex(let c) = example.label else { throw TrainingError("\(split.file.path): an example without a class label") }
                return c
            }
            return split.task.scores(predictedClasses: predictions.map { Int($0) }, labels: labels)
        case .regression:
            let targets = try split.examples.map { example -> Double in
                guard case .score(let s) = example.label else { throw TrainingError("\(split.file.path): an example without a score") }
                return Double(s)
            }
            return split.task.scores(predictedValues: predictions.map(Double.init), targets: targets)
        }
    }

    /// Every example's prediction, in split order: the class index (as Float) or the score.
    static func gatheredPredictions(model: BertModel, split: EncodedSplit, communicator: Communicator) throws -> [Float] {
        let ranks = communicator.size
        let slots = (split.count + ranks - 1) / ranks
        // This rank's examples, longest first so that batches carry little padding.
        let mine = stride(from: communicator.rank, to: split.count, by: ranks).sorted {
            split.examples[$0].ids.count > split.examples[$1].ids.count
        }
        var local = [Int64](repeating: Int64(Float.nan.bitPattern), count: slots)
        let outputs = split.task.outputCount
        var start = 0
        while start < mine.count {
            let indices = mine[start..<min(start + batchSize, mine.count)]
            let logits = try model.predict(split.modelInput(rows: Array(indices)))
            for (row, index) in indices.enumerated() {
                let value: Float
                if outputs == 1 {
                    value = logits[row]
                } else {
                    var bestClass = 0
                    for c in 1..<outputs where logits[row * outputs + c] > logits[row * outputs + bestClass] { bestClass = c }
                    value = Float(bestClass)
                }
                local[index / ranks] = Int64(value.bitPattern)
            }
            start += batchSize
        }
        let all = try communicator.allgather(local)
        return (0..<split.count).map { index in
            Float(bitPattern: UInt32(truncatingIfNeeded: all[(index % ranks) * slots + index / ranks]))
        }
    }
}

extension Trainer {
    /// Evaluates on the dev split, logs the result and remembers it (for the best checkpoint).
    /// `improved` tells whether the first metric beat every earlier evaluation (the same on every
    /// rank, since every rank computes the metrics from the same gathered predictions).
    func evaluateAndRecord(epoch: Int) throws -> (metrics: [String: Double], improved: Bool) {
        var improved = false
        let start = DispatchTime.now().uptimeNanoseconds
        let values = try watchdog.guarded("evaluation", step) {
            try Evaluation.metrics(model: model, split: dev, communicator: communicator)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var metrics = Dictionary(uniqueKeysWithValues: values.map { ($0.name, $0.value) })
        try log?.append(EvalLogRecord(step: step, epoch: epoch, examples: dev.count, metrics: metrics, evalSeconds: seconds))
        if isCoordinator { logger.info("step \(step) dev: \(Self.describe(metrics)) (\(String(format: "%.1f", seconds)) s)") }
        if let primary = values.first {
            lastEvaluation = (step, primary.name, primary.value)
            let candidate = BestCheckpoint(metric: primary.name, value: primary.value, step: step, higherIsBetter: true)
            if best.map({ $0.isImproved(by: candidate) }) ?? true {
                best = candidate
                improved = true
            }
        }
        metrics["step"] = Double(step)
        metricsHistory.append(metrics)
        return (metrics, improved)
    }
}
