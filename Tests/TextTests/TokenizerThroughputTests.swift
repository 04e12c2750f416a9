import Foundation
import XCTest
@testable import Text

/// The benchmark figure of the issue: tokenizing all of SST-2 train (67,349 sentences). Prints the
/// time; measure in release (see docs/text-pipeline.md), debug builds are several times slower.
final class TokenizerThroughputTests: XCTestCase {
    func testTokenizeSST2Train() throws {
        let train = try GLUETask.sst2.load(split: "train", from: TestData.dataRoot)
        XCTAssertEqual(train.examples.count, 67_349)
        let tokenizer = TestData.tokenizer
        let scalars = train.examples.reduce(0) { $0 + $1.textA.unicodeScalars.count }

        let clock = ContinuousClock()
        var pieces = 0
        let tokenizeTime = clock.measure {
            for example in train.examples { pieces += tokenizer.tokenize(example.textA).count }
        }
        var encoded: [EncodedExample] = []
        let encodeTime = try clock.measure {
            encoded = try train.encoded(tokenizer: tokenizer, maxLength: 128)
        }
        XCTAssertEqual(encoded.count, 67_349)
        // Every SST-2 sentence fits in 128 tokens: nothing is cut, each gains [CLS] and [SEP].
        XCTAssertEqual(encoded.reduce(0) { $0 + $1.length }, pieces + 2 * encoded.count)

        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        let t = seconds(tokenizeTime), e = seconds(encodeTime)
        print(String(format: "SST-2 train: %d sentences, %d scalars, %d pieces; tokenize %.3f s (%.0f sentences/s, %.1f MB/s of text); encode to max 128 with [CLS]/[SEP] %.3f s",
                     encoded.count, scalars, pieces, t, Double(encoded.count) / t, Double(scalars) / t / 1e6, e))
    }
}
