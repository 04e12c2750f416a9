import Foundation

/// One labelled GLUE row.
public struct GLUEExample: Sendable, Equatable {
    public var textA: String
    public var textB: String?
    /// Class index (as a whole number) or regression target.
    public var label: Float
    /// 1-based line number in the source file.
    public var line: Int

    public init(textA: String, textB: String?, label: Float, line: Int) {
        self.textA = textA
        self.textB = textB
        self.label = label
        self.line = line
    }
}

/// What to do with a row that has the wrong field count or an unusable label.
public enum MalformedRowPolicy: Sendable, Equatable {
    /// Throw a `TextDataError` naming the file and line.
    case fail
    /// Leave the row out and record its line number in `GLUEDataset.skippedLines`.
    case skip
}

/// The rows of one GLUE TSV file.
public struct GLUEDataset: Sendable {
    public let task: GLUETask
    /// Path of the file read.
    public let file: String
    public let examples: [GLUEExample]
    /// Lines left out under `MalformedRowPolicy.skip` (1-based), in file order.
    public let skippedLines: [Int]

    /// Number of examples per class index (classification tasks; empty for regression).
    public var labelCounts: [Int] {
        guard case .classes(let names) = task.labels else { return [] }
        var counts = [Int](repeating: 0, count: names.count)
        for example in examples { counts[Int(example.label)] += 1 }
        return counts
    }
}

extension GLUETask {
    /// Reads `<root>/glue_data/<directory>/<split>.tsv` (see `parse(_:file:malformedRows:)`).
    public func load(split: String, from root: URL, malformedRows: MalformedRowPolicy = .fail) throws -> GLUEDataset {
        let url = file(split: split, in: root)
        return try parse(TextFile.read(url), file: url.path, malformedRows: malformedRows)
    }

    /// Parses TSV text as plain text: lines split on `"\n"` (a trailing `"\r"` dropped), fields on
    /// `"\t"`, no quote handling; a leading byte-order mark is ignored. Every row must have the
    /// header's field count (or `fieldCount` without a header). `file` names the source in errors.
    public func parse(_ text: String, file: String, malformedRows: MalformedRowPolicy = .fail) throws -> GLUEDataset {
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = Substring(body.unicodeScalars.dropFirst()) }
        var lines = TextFile.lines(String(body))[...]
        var expectedFields = fieldCount
        var firstLine = 1
        if hasHeader {
            guard let header = lines.popFirst() else {
                throw TextDataError(.malformed, file: file, message: "file is empty; expected a header line")
            }
            expectedFields = TextFile.fields(header).count
            firstLine = 2
        }
        let columns = ColumnIndices(task: self, fieldCount: expectedFields)
        guard columns.maximum < expectedFields else {
            throw TextDataError(.malformed, file: file, position: hasHeader ? "line 1" : nil,
                                message: "task \(name) needs column \(columns.maximum + 1) but rows have \(expectedFields) fields")
        }
        var examples: [GLUEExample] = []
        examples.reserveCapacity(lines.count)
        var skipped: [Int] = []
        for (offset, line) in lines.enumerated() {
            let lineNumber = firstLine + offset
            do {
                examples.append(try row(line, columns: columns, expectedFields: expectedFields,
                                        file: file, lineNumber: lineNumber))
            } catch is TextDataError where malformedRows == .skip {
                skipped.append(lineNumber)
            }
        }
        return GLUEDataset(task: self, file: file, examples: examples, skippedLines: skipped)
    }

    private struct ColumnIndices {
        let textA: Int
        let textB: Int?
        let label: Int
        var maximum: Int { max(textA, textB ?? 0, label) }

        init(task: GLUETask, fieldCount: Int) {
            textA = task.textA.resolve(fieldCount: fieldCount)
            textB = task.textB?.resolve(fieldCount: fieldCount)
            label = task.label.resolve(fieldCount: fieldCount)
        }
    }

    private func row(_ line: Substring, columns: ColumnIndices, expectedFields: Int,
                     file: String, lineNumber: Int) throws -> GLUEExample {
        let fields = TextFile.fields(line)
        guard fields.count == expectedFields else {
            throw TextDataError(.wrongFieldCount, file: file, position: "line \(lineNumber)",
                                message: "expected \(expectedFields) tab-separated fields, found \(fields.count)")
        }
        let raw = fields[columns.label]
        let label: Float
        switch labels {
        case .classes(let names):
            guard let index = names.firstIndex(where: { $0 == raw }) else {
                throw TextDataError(.badLabel, file: file, position: "line \(lineNumber)",
                                    message: "label \"\(raw)\" in field \(columns.label + 1) is not one of \(names)")
            }
            label = Float(index)
        case .regression:
            guard let value = Double(raw), value.isFinite else {
                throw TextDataError(.badLabel, file: file, position: "line \(lineNumber)",
                                    message: "label \"\(raw)\" in field \(columns.label + 1) is not a finite number")
            }
            label = Float(value)
        }
        return GLUEExample(textA: String(fields[columns.textA]), textB: columns.textB.map { String(fields[$0]) },
                           label: label, line: lineNumber)
    }
}
