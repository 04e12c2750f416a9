import Foundation

/// A GLUE task described as data: where its TSV files are, which columns hold text A, text B and the
/// label, whether the files have a header, the label set, and the metric. Adding a task is a few lines.
public struct GLUETask: Sendable, Hashable {
    /// Where a column is: a 0-based index, or the last field of the row (MNLI's `gold_label`, whose
    /// index differs between train and dev).
    public enum Column: Sendable, Hashable {
        case index(Int)
        case last

        func resolve(fieldCount: Int) -> Int {
            switch self {
            case .index(let i): return i
            case .last: return fieldCount - 1
            }
        }
    }

    /// The label kind: class names in class-index order, or a real-valued regression target.
    public enum Labels: Sendable, Hashable {
        case classes([String])
        case regression
    }

    /// The task's evaluation metric(s).
    public enum Metric: Sendable, Hashable {
        case accuracy
        /// Accuracy and binary F1 of class 1 (MRPC, QQP).
        case accuracyAndF1
        /// Matthews correlation (CoLA).
        case matthews
        /// Pearson and Spearman correlation (STS-B).
        case pearsonSpearman
    }

    /// Short name, e.g. `"sst2"`.
    public let name: String
    /// Folder under `glue_data/`, e.g. `"SST-2"`.
    public let directory: String
    /// Whether the first line is a header. With a header, every row must have the header's field
    /// count; without one, `fieldCount`.
    public let hasHeader: Bool
    /// Field count of a header-less file; ignored when `hasHeader`.
    public let fieldCount: Int
    public let textA: Column
    public let textB: Column?
    public let label: Column
    public let labels: Labels
    public let metric: Metric

    public init(name: String, directory: String, hasHeader: Bool, fieldCount: Int = 0, textA: Column,
                textB: Column?, label: Column, labels: Labels, metric: Metric) {
        self.name = name
        self.directory = directory
        self.hasHeader = hasHeader
        self.fieldCount = fieldCount
        self.textA = textA
        self.textB = textB
        self.label = label
        self.labels = labels
        self.metric = metric
    }

    /// Number of model outputs: the class count, or 1 for regression.
    public var outputCount: Int {
        switch labels {
        case .classes(let names): return names.count
        case .regression: return 1
        }
    }

    /// `<root>/glue_data/<directory>/<split>.tsv`; `root` is laid out like the project's `Data/`.
    public func file(split: String, in root: URL) -> URL {
        root.appendingPathComponent("glue_data").appendingPathComponent(directory)
            .appendingPathComponent("\(split).tsv")
    }
}

extension GLUETask {
    private static let binary = Labels.classes(["0", "1"])
    private static let entailment = Labels.classes(["entailment", "not_entailment"])

    /// `sentence, label`.
    public static let sst2 = GLUETask(name: "sst2", directory: "SST-2", hasHeader: true, textA: .index(0),
                                      textB: nil, label: .index(1), labels: binary, metric: .accuracy)
    /// No header; `source, label, original mark, sentence`.
    public static let cola = GLUETask(name: "cola", directory: "CoLA", hasHeader: false, fieldCount: 4,
                                      textA: .index(3), textB: nil, label: .index(1), labels: binary,
                                      metric: .matthews)
    /// `Quality, #1 ID, #2 ID, #1 String, #2 String` (the header starts with a byte-order mark).
    public static let mrpc = GLUETask(name: "mrpc", directory: "MRPC", hasHeader: true, textA: .index(3),
                                      textB: .index(4), label: .index(0), labels: binary,
                                      metric: .accuracyAndF1)
    /// `index, genre, filename, year, old_index, source1, source2, sentence1, sentence2, score`.
    public static let stsb = GLUETask(name: "stsb", directory: "STS-B", hasHeader: true, textA: .index(7),
                                      textB: .index(8), label: .index(9), labels: .regression,
                                      metric: .pearsonSpearman)
    /// `index, question, sentence, label`.
    public static let qnli = GLUETask(name: "qnli", directory: "QNLI", hasHeader: true, textA: .index(1),
                                      textB: .index(2), label: .index(3), labels: entailment, metric: .accuracy)
    /// `index, sentence1, sentence2, label`.
    public static let rte = GLUETask(name: "rte", directory: "RTE", hasHeader: true, textA: .index(1),
                                     textB: .index(2), label: .index(3), labels: entailment, metric: .accuracy)
    /// `index, promptID, pairID, genre, 4 parses, sentence1, sentence2, label1[…label5], gold_label`;
    /// splits `train`, `dev_matched`, `dev_mismatched`.
    public static let mnli = GLUETask(name: "mnli", directory: "MNLI", hasHeader: true, textA: .index(8),
                                      textB: .index(9), label: .last,
                                      labels: .classes(["contradiction", "entailment", "neutral"]),
                                      metric: .accuracy)
    /// `id, qid1, qid2, question1, question2, is_duplicate`.
    public static let qqp = GLUETask(name: "qqp", directory: "QQP", hasHeader: true, textA: .index(3),
                                     textB: .index(4), label: .index(5), labels: binary, metric: .accuracyAndF1)
    /// `index, sentence1, sentence2, label`.
    public static let wnli = GLUETask(name: "wnli", directory: "WNLI", hasHeader: true, textA: .index(1),
                                      textB: .index(2), label: .index(3), labels: binary, metric: .accuracy)

    /// Every task above.
    public static let all: [GLUETask] = [sst2, cola, mrpc, stsb, qnli, rte, mnli, qqp, wnli]

    /// The task called `name` (`"sst2"`, `"SST-2"` or any case of either), or `nil`.
    public static func named(_ name: String) -> GLUETask? {
        let key = name.lowercased()
        return all.first { $0.name == key || $0.directory.lowercased() == key }
    }
}
