import Foundation

/// Character classes of the uncased BERT normalizer and pre-tokenizer, as the Hugging Face
/// `tokenizers` library computes them (the reference for the golden offsets):
///
/// - *control* (removed by text cleaning): general category Cc, Cf or Co, except `\t \n \r`; also
///   U+0000 and U+FFFD.
/// - *whitespace* (a word break): `\t \n \r` or the Unicode `White_Space` property.
/// - *punctuation* (a word of its own): ASCII punctuation (`!`…`/`, `:`…`@`, `[`…`` ` ``, `{`…`~`)
///   or a general category P*.
/// - *CJK ideograph* (a word of its own): the ranges of `is_chinese_char`, including the library's
///   `0x2B920` lower bound of the Extension E range.
///
/// The library's category and NFD tables are Unicode 9.0. A scalar assigned later is, there, no
/// control, no mark and no punctuation, and does not decompose; `isUnicode9` reproduces that.
enum BertCharacters {
    /// Class of an ASCII scalar before lowercasing.
    enum ASCIIClass: UInt8 {
        case removed, whitespace, punctuation, word
    }

    /// `asciiClass[v]` for every `v < 128`.
    static let asciiClass: [ASCIIClass] = (0..<128).map { v -> ASCIIClass in
        switch v {
        case 9, 10, 13, 32: return .whitespace
        case 0..<32, 127: return .removed
        case 33...47, 58...64, 91...96, 123...126: return .punctuation
        default: return .word
        }
    }

    /// True if `v` is in one of the CJK ideograph ranges that BERT splits into single characters.
    @inline(__always)
    static func isCJK(_ v: UInt32) -> Bool {
        switch v {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// True if `s` was assigned in Unicode 9.0 or earlier.
    static func isUnicode9(_ s: Unicode.Scalar) -> Bool {
        guard let age = s.properties.age else { return false }
        return age.major < 9 || (age.major == 9 && age.minor == 0)
    }

    /// True if text cleaning removes the non-ASCII scalar `s`.
    static func isRemoved(_ s: Unicode.Scalar) -> Bool {
        if s.value == 0xFFFD { return true }
        guard isUnicode9(s) else { return false }
        switch s.properties.generalCategory {
        case .control, .format, .privateUse: return true
        default: return false
        }
    }

    /// True if the scalar `s` is BERT whitespace.
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        if s.value < 128 { return asciiClass[Int(s.value)] == .whitespace }
        return s.properties.isWhitespace
    }

    /// True if the scalar `s` is BERT punctuation.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        if s.value < 128 { return asciiClass[Int(s.value)] == .punctuation }
        guard isUnicode9(s) else { return false }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// True if accent stripping drops `s` (general category Mn).
    static func isNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        isUnicode9(s) && s.properties.generalCategory == .nonspacingMark
    }

    /// The canonical decomposition (NFD) of the single non-ASCII scalar `s`; `s` itself if it has none
    /// or was assigned after Unicode 9.0.
    static func decomposition(_ s: Unicode.Scalar) -> [Unicode.Scalar] {
        guard isUnicode9(s) else { return [s] }
        return Array(String(Character(s)).decomposedStringWithCanonicalMapping.unicodeScalars)
    }

    /// The full lowercase mapping of `s` (one or more scalars).
    static func lowercase(_ s: Unicode.Scalar) -> [Unicode.Scalar] {
        let properties = s.properties
        guard properties.changesWhenLowercased else { return [s] }
        return Array(properties.lowercaseMapping.unicodeScalars)
    }
}
