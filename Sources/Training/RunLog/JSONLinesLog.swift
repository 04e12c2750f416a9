import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run log with one JSON object per line, keys sorted (`metrics.jsonl`), written by rank 0.
///
/// The file is opened in append mode, so a resumed run continues the same file; each record is
/// handed to the kernel in a single write(2) as soon as it is appended (no user-space
/// buffering: a crash loses at most the line being written). Records are ``TrainLogRecord``,
/// ``EvalLogRecord`` or any `Encodable` that encodes as a JSON object with a numeric `step`.
///
/// Exact resume: write every record of step S *before* committing the checkpoint of step S.
/// On resume from step S, ``truncate(afterStep:)`` removes the records of later steps (and a
/// torn last line), so the resumed log equals the log of an uninterrupted run except for the
/// timing fields (compare with ``deterministicRecords(at:)``). A run that starts without a
/// checkpoint calls ``removeAll()`` first.
public final class JSONLinesLog {
    /// The log file.
    public let url: URL
    private var handle: FileHandle
    private let encoder: JSONEncoder

    /// Opens (creating it and its directory if needed) the log at `url` for appending.
    public init(url: URL) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        handle = try Self.openForAppending(url)
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    }

    deinit {
        try? handle.close()
    }

    /// Appends `record`, which must encode as a JSON object, as one line.
    public func append<Record: Encodable>(_ record: Record) throws {
        var line = try encoder.encode(record)
        guard line.first == UInt8(ascii: "{") else {
            throw CocoaError(.fileWriteUnknown, userInfo: [
                NSLocalizedDescriptionKey: "\(url.lastPathComponent): a log record must be a JSON object",
            ])
        }
        line.append(UInt8(ascii: "\n"))
        try handle.write(contentsOf: line)
    }

    /// Removes every record whose `"step"` is greater than `step` (records without a step are
    /// kept), and a torn last line left by a crash mid-write. The file is replaced atomically
    /// and appending continues after the kept records.
    ///
    /// - Returns: the number of lines removed.
    /// - Throws: when a line other than the last is not a JSON object, naming its line number.
    @discardableResult
    public func truncate(afterStep step: Int) throws -> Int {
        try handle.close()
        let removed = Result { try rewrite(keepingThrough: step) }
        handle = try Self.openForAppending(url)
        return try removed.get()
    }

    /// Empties the log (a run starting from scratch in a directory that holds an old log).
    public func removeAll() throws {
        try handle.close()
        let result = Result { try DurableFile.write(Data(), to: url) }
        handle = try Self.openForAppending(url)
        try result.get()
    }

    /// Rewrites the file without the records after `step`; returns how many were removed.
    private func rewrite(keepingThrough step: Int) throws -> Int {
        let data = try Data(contentsOf: url)
        var kept = Data()
        var removed = 0
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where !line.isEmpty {
            guard let record = try? JSONDecoder().decode(StepField.self, from: line) else {
                if index == lines.count - 1 {
                    removed += 1  // torn by a crash mid-write: it has no newline
                    continue
                }
                throw CocoaError(.fileReadCorruptFile, userInfo: [
                    NSLocalizedDescriptionKey: "\(url.lastPathComponent):\(index + 1): not a JSON object with a numeric step",
                ])
            }
            if let recordStep = record.step, recordStep > Double(step) {
                removed += 1
            } else {
                kept.append(line)
                kept.append(UInt8(ascii: "\n"))
            }
        }
        try DurableFile.write(kept, to: url)
        return removed
    }

    /// A handle writing at the end of `url` (O_APPEND), creating the file if needed.
    private static func openForAppending(_ url: URL) throws -> FileHandle {
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [
                NSFilePathErrorKey: url.path,
                NSLocalizedDescriptionKey: "cannot open \(url.path) for appending: \(String(cString: strerror(errno)))",
            ])
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// The one field truncation reads from each record.
    private struct StepField: Decodable {
        let step: Double?
    }
}
