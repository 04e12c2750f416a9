import XCTest
@testable import Text

/// Hard cases for the normalizer and WordPiece, with expected output from Hugging Face `tokenizers`
/// 0.23.3 (`BertNormalizer` lowercase + `BertPreTokenizer` + `WordPiece`, the same vocab): accents
/// precomposed and combining, a leading combining mark, zero-width and control characters, Turkish
/// dotted I, Greek sigma, CJK, full-width forms and ligatures, Unicode whitespace, emoji (one
/// assigned after Unicode 9.0), the 100-character word limit, Hangul, currency and quotes, CJK
/// compatibility ideographs, Devanagari, CRLF, an empty first text, `#` in text, and scalars
/// assigned after Unicode 9.0 (a Po, a Cf and an Mn that the reference neither splits, removes nor strips).
final class TokenizerEdgeCaseTests: XCTestCase {
    static let cases: [String] = [
        #"{"a": "H\u00e9llo W\u00f6rld! na\u00efve caf\u00e9", "b": null, "ids": [101, 7592, 2088, 999, 15743, 7668, 102], "type_ids": [0, 0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 5], [6, 11], [11, 12], [13, 18], [19, 23], [0, 0]]}"#,
        #"{"a": "cafe\u0301 x", "b": null, "ids": [101, 7668, 1060, 102], "type_ids": [0, 0, 0, 0], "offsets": [[0, 0], [0, 4], [6, 7], [0, 0]]}"#,
        #"{"a": "\u0301abc", "b": null, "ids": [101, 5925, 102], "type_ids": [0, 0, 0], "offsets": [[0, 0], [1, 4], [0, 0]]}"#,
        #"{"a": "ab\u200bc d\u200b", "b": null, "ids": [101, 5925, 1040, 102], "type_ids": [0, 0, 0, 0], "offsets": [[0, 0], [0, 4], [5, 6], [0, 0]]}"#,
        #"{"a": "\u0130stanbul \u03a3\u039f\u03a6\u039f\u03a3 \u03c3\u03bf\u03c6\u03bf\u03c2", "b": null, "ids": [101, 9960, 1173, 29730, 29736, 29730, 29733, 1173, 29730, 29736, 15297, 102], "type_ids": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 8], [9, 10], [10, 11], [11, 12], [12, 13], [13, 14], [15, 16], [16, 17], [17, 18], [18, 20], [0, 0]]}"#,
        #"{"a": "\u5317\u4eac\u5927\u5b66 is in \u4e2d\u56fd.", "b": null, "ids": [101, 1781, 1755, 1810, 1817, 2003, 1999, 1746, 1799, 1012, 102], "type_ids": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 1], [1, 2], [2, 3], [3, 4], [5, 7], [8, 10], [11, 12], [12, 13], [13, 14], [0, 0]]}"#,
        #"{"a": "\uff46\uff55\uff4c\uff4c width \ufb01ne", "b": null, "ids": [101, 100, 9381, 1984, 2638, 102], "type_ids": [0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 4], [5, 10], [11, 12], [12, 14], [0, 0]]}"#,
        #"{"a": "tab\there\nnew\u00a0nbsp\u3000ideo\u2028line", "b": null, "ids": [101, 21628, 2182, 2047, 1050, 5910, 2361, 8909, 8780, 2240, 102], "type_ids": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 3], [4, 8], [9, 12], [13, 14], [14, 16], [16, 17], [18, 20], [20, 22], [23, 27], [0, 0]]}"#,
        #"{"a": "\u0000nul\ufffdrep\u0007bel\u000bvt", "b": null, "ids": [101, 16371, 20974, 13699, 8671, 2615, 2102, 102], "type_ids": [0, 0, 0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [1, 3], [3, 6], [6, 8], [9, 12], [13, 14], [14, 15], [0, 0]]}"#,
        #"{"a": "emoji \ud83d\ude00 and \ud83e\udd70 ok", "b": null, "ids": [101, 7861, 29147, 2072, 100, 1998, 100, 7929, 102], "type_ids": [0, 0, 0, 0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 2], [2, 4], [4, 5], [6, 7], [8, 11], [12, 13], [14, 16], [0, 0]]}"#,
        #"{"a": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b", "b": null, "ids": [101, 100, 1038, 102], "type_ids": [0, 0, 0, 0], "offsets": [[0, 0], [0, 101], [102, 103], [0, 0]]}"#,
        #"{"a": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b", "b": null, "ids": [101, 100, 1038, 102], "type_ids": [0, 0, 0, 0], "offsets": [[0, 0], [0, 103], [104, 105], [0, 0]]}"#,
        #"{"a": "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8 \u3131", "b": null, "ids": [101, 1469, 30006, 30021, 29991, 30014, 30020, 29999, 30008, 1467, 30009, 30020, 29997, 30017, 30003, 30017, 100, 102], "type_ids": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 1], [0, 1], [0, 1], [1, 2], [1, 2], [1, 2], [2, 3], [2, 3], [4, 5], [4, 5], [4, 5], [5, 6], [5, 6], [6, 7], [6, 7], [8, 9], [0, 0]]}"#,
        #"{"a": "price $5.00 + 10% = ~\u20ac6 \u00abquoted\u00bb \u201ex\u201c \u2014 dash", "b": null, "ids": [101, 3976, 1002, 1019, 1012, 4002, 1009, 2184, 1003, 1027, 1066, 1574, 2575, 1077, 9339, 1090, 1525, 1060, 1523, 1517, 11454, 102], "type_ids": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 5], [6, 7], [7, 8], [8, 9], [9, 11], [12, 13], [14, 16], [16, 17], [18, 19], [20, 21], [21, 22], [22, 23], [24, 25], [25, 31], [31, 32], [33, 34], [34, 35], [35, 36], [37, 38], [39, 43], [0, 0]]}"#,
        #"{"a": "\u2160 \u00bd \u00b2 x\u0323\u0307", "b": null, "ids": [101, 100, 1092, 1082, 1060, 102], "type_ids": [0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 1], [2, 3], [4, 5], [6, 7], [0, 0]]}"#,
        #"{"a": "\uf900 \u2f800", "b": null, "ids": [101, 100, 100, 102], "type_ids": [0, 0, 0, 0], "offsets": [[0, 0], [0, 1], [2, 4], [0, 0]]}"#,
        #"{"a": "Hello", "b": "World\u0300!", "ids": [101, 7592, 102, 2088, 999, 102], "type_ids": [0, 0, 0, 1, 1, 1], "offsets": [[0, 0], [0, 5], [0, 0], [0, 5], [6, 7], [0, 0]]}"#,
        #"{"a": "", "b": "only b", "ids": [101, 102, 2069, 1038, 102], "type_ids": [0, 0, 1, 1, 1], "offsets": [[0, 0], [0, 0], [0, 4], [5, 6], [0, 0]]}"#,
        #"{"a": "a\r\nb", "b": null, "ids": [101, 1037, 1038, 102], "type_ids": [0, 0, 0, 0], "offsets": [[0, 0], [0, 1], [3, 4], [0, 0]]}"#,
        #"{"a": "\u0915\u094d\u0937 \u0939\u093f\u0928\u094d\u0926\u0940", "b": null, "ids": [101, 1315, 29873, 1339, 29877, 29863, 29861, 29878, 102], "type_ids": [0, 0, 0, 0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 1], [2, 3], [4, 5], [5, 6], [6, 7], [8, 9], [9, 10], [0, 0]]}"#,
        #"{"a": "don't", "b": "x##y", "ids": [101, 2123, 1005, 1056, 102, 1060, 1001, 1001, 1061, 102], "type_ids": [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], "offsets": [[0, 0], [0, 3], [3, 4], [4, 5], [0, 0], [0, 1], [1, 2], [2, 3], [3, 4], [0, 0]]}"#,
        #"{"a": "\ud83d\udc4d\ud83c\udffd", "b": null, "ids": [101, 100, 102], "type_ids": [0, 0, 0], "offsets": [[0, 0], [0, 2], [0, 0]]}"#,
        #"{"a": "a\u2e45b a\u0890b x\u1ac1y e\u0301\u1ac1", "b": null, "ids": [101, 100, 100, 100, 100, 102], "type_ids": [0, 0, 0, 0, 0, 0], "offsets": [[0, 0], [0, 3], [4, 7], [8, 11], [12, 15], [0, 0]]}"#
    ]

    func testEdgeCasesMatchReference() throws {
        let failures = try GoldenChecker.check(lines: Self.cases, name: "edge cases")
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }

    func testTokenizeHasNoSpecialTokens() {
        let text = TestData.tokenizer.tokenize("Hello, world")
        XCTAssertEqual(text.ids, [7592, 1010, 2088])
        XCTAssertEqual(text.offsets, [0..<5, 5..<6, 7..<12])
    }

    func testCustomMaximumWordLength() throws {
        let short = WordPieceTokenizer(vocabulary: TestData.tokenizer.vocabulary, maxWordLength: 4)
        XCTAssertEqual(short.tokenize("hello hell").ids, [100, 3109])
    }

    func testUnmatchedRemainderMakesWholeWordUnknown() throws {
        let vocabulary = try Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "ab", "##c"])
        let tokenizer = WordPieceTokenizer(vocabulary: vocabulary)
        let text = tokenizer.tokenize("abc abd ab")
        XCTAssertEqual(text.ids, [4, 5, 1, 4])
        XCTAssertEqual(text.offsets, [0..<2, 2..<3, 4..<7, 8..<10])
    }
}
