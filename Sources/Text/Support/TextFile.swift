import Foundation

/// Reading whole text files as validated UTF-8 and splitting them as plain text (no quoting rules).
enum TextFile {
    /// The file's contents as a `String`; a leading UTF-8 byte-order mark is kept (callers decide).
    /// Throws `TextDataError.unreadable` or `.invalidEncoding` naming the file.
    static func read(_ url: URL) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TextDataError(.unreadable, file: url.path, message: "cannot read file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TextDataError(.invalidEncoding, file: url.path, message: "file is not valid UTF-8")
        }
        return text
    }

    /// The lines of `text`, split on the byte `"\n"` only, each without one trailing `"\r"`; the empty
    /// piece after a final newline is dropped. Element `i` is line `i + 1` of the file.
    static func lines(_ text: String) -> [Substring] {
        var pieces = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        return pieces.map { piece in
            let line = piece.last == UInt8(ascii: "\r") ? piece.dropLast() : piece
            return Substring(line)
        }
    }

    /// The fields of one line, split on the byte `"\t"` only (no quote handling).
    static func fields(_ line: Substring) -> [Substring] {
        line.utf8.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { Substring($0) }
    }
}
