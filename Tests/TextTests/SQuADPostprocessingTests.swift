import Foundation
import XCTest
@testable import Text

final class SQuADPostprocessingTests: XCTestCase {
    static let context = "one two three four five six seven eight nine Ten"

    /// One question over `context`, cut into two windows of 6 context tokens, 4 apart.
    private func twoWindows() throws -> (SQuADDataset, [SQuADFeature]) {
        let json = #"{"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": "\#(Self.context)", "qas": [{"id": "q", "question": "which?", "answers": [{"text": "nine", "answer_start": 40}]}]}]}]}"#
        let dataset = try SQuADDataset.parse(Data(json.utf8), file: "two.json")
        XCTAssertEqual(TestData.tokenizer.tokenize(Self.context).count, 10)
        let features = try dataset.features(tokenizer: TestData.tokenizer,
                                            options: SQuADFeatureOptions(maxLength: 2 + 3 + 6, docStride: 4))
        XCTAssertEqual(features.count, 2)
        return (dataset, features)
    }

    /// Token position in `feature` of the context word starting at character `start`.
    private func position(of word: String, in feature: SQuADFeature) -> Int {
        let start = Self.context.range(of: word)!.lowerBound.utf16Offset(in: Self.context)
        return feature.contextOffsets.firstIndex { $0?.lowerBound == start }!
    }

    private func zeros(_ features: [SQuADFeature], _ value: Float = 0) -> [[Float]] {
        features.map { [Float](repeating: value, count: $0.ids.count) }
    }

    func testBestSpanOverAllWindowsCutFromOriginalText() throws {
        let (dataset, features) = try twoWindows()
        var start = zeros(features), end = zeros(features)
        start[0][position(of: "one", in: features[0])] = 4
        end[0][position(of: "two", in: features[0])] = 4
        start[1][position(of: "nine", in: features[1])] = 5
        end[1][position(of: "Ten", in: features[1])] = 5
        let candidates = dataset.candidates(features: features, startLogits: start, endLogits: end)[0]
        XCTAssertEqual(candidates.count, 20)
        XCTAssertEqual(candidates[0].text, "nine Ten")
        XCTAssertEqual(candidates[0].score, 10)
        XCTAssertEqual(candidates[0].featureIndex, 1)
        XCTAssertEqual(candidates[1].text, "one two")
        XCTAssertEqual(candidates.map(\.score), candidates.map(\.score).sorted(by: >))
        XCTAssertEqual(dataset.predictions(features: features, startLogits: start, endLogits: end), ["q": "nine Ten"])
    }

    func testSpecialAndQuestionTokensReversedAndLongSpansAreSkipped() throws {
        let (dataset, features) = try twoWindows()
        var start = zeros(features, -100), end = zeros(features, -100)
        // [CLS], the question and [SEP] have the highest logits but are never part of an answer.
        for f in 0..<2 {
            for t in 0..<features[f].ids.count where features[f].contextOffsets[t] == nil {
                start[f][t] = 100
                end[f][t] = 100
            }
        }
        // End before start: not a span.
        start[0][position(of: "four", in: features[0])] = 9
        end[0][position(of: "two", in: features[0])] = 9
        // Longer than maxAnswerLength (2 tokens here).
        start[1][position(of: "five", in: features[1])] = 8
        end[1][position(of: "nine", in: features[1])] = 8
        // The best valid span.
        start[1][position(of: "seven", in: features[1])] = 3
        end[1][position(of: "eight", in: features[1])] = 3
        let options = SQuADPostprocessingOptions(nBest: 20, maxAnswerLength: 2)
        let candidates = dataset.candidates(features: features, startLogits: start, endLogits: end, options: options)[0]
        XCTAssertEqual(candidates.first?.text, "seven eight")
        for candidate in candidates {
            let feature = features[candidate.featureIndex]
            XCTAssertNotNil(feature.contextOffsets[candidate.startToken])
            XCTAssertNotNil(feature.contextOffsets[candidate.endToken])
            XCTAssertGreaterThanOrEqual(candidate.endToken, candidate.startToken)
            XCTAssertLessThanOrEqual(candidate.endToken - candidate.startToken + 1, 2)
        }
    }

    func testNBestLimitsStartsEndsAndCandidates() throws {
        let (dataset, features) = try twoWindows()
        var start = zeros(features), end = zeros(features)
        for f in 0..<2 {
            for t in features[f].ids.indices {
                start[f][t] = Float(t)
                end[f][t] = Float(t)
            }
        }
        let options = SQuADPostprocessingOptions(nBest: 2, maxAnswerLength: 30)
        let candidates = dataset.candidates(features: features, startLogits: start, endLogits: end, options: options)[0]
        // Per window only the two highest starts and ends (the last [SEP] and the last context token)
        // are tried, leaving one span per window; equal scores rank the earlier window first.
        XCTAssertEqual(candidates.map(\.text), ["six", "Ten"])
        XCTAssertEqual(candidates.map(\.featureIndex), [0, 1])
        XCTAssertEqual(candidates.map(\.startToken), [features[0].ids.count - 2, features[1].ids.count - 2])
        XCTAssertEqual(candidates.map(\.endToken), candidates.map(\.startToken))
        XCTAssertEqual(SQuADDataset.topIndices([1, 3, 3, 2, 5], count: 5, k: 3), [4, 1, 2])
        XCTAssertEqual(SQuADDataset.topIndices([1, 3, 3, 2, 5], count: 3, k: 9), [1, 2, 0])
    }

    func testQuestionWithoutAnyValidSpanPredictsEmptyText() throws {
        let (dataset, features) = try twoWindows()
        var start = zeros(features), end = zeros(features)
        for f in 0..<2 {
            for t in features[f].ids.indices where features[f].contextOffsets[t] == nil {
                start[f][t] = 1
                end[f][t] = 1
            }
        }
        let options = SQuADPostprocessingOptions(nBest: 1, maxAnswerLength: 30)
        XCTAssertEqual(dataset.predictions(features: features, startLogits: start, endLogits: end, options: options), ["q": ""])
    }

    /// End to end on SQuAD dev: features collated in length-sorted batches, "logits" that point at the
    /// gold span recorded batch by batch, answers extracted and scored. Every miss is a gold answer that
    /// starts or ends inside a token (the extracted covering span is then longer) or one longer than
    /// the 30-token maximum answer length.
    func testGoldLogitsThroughBatchesReproduceDevAnswers() throws {
        let dev = SQuADTests.dev
        let features = try dev.features(tokenizer: TestData.tokenizer)
        let examples = features.map { $0.encoded() }
        let sampler = try BatchSampler(examples: examples, batchSize: 64, order: .sortedByLength)
        let collator = Collator(padding: .longest(multipleOf: 32))
        var logits = SQuADLogits(featureCount: features.count)
        for rows in sampler.batches(epoch: 0) {
            let batch = try collator.collate(examples, rows: rows)
            XCTAssertEqual(batch.seqLen % 32, 0)
            guard case .spans(let starts, let ends) = batch.targets else { return XCTFail("expected spans") }
            var start = [Float](repeating: 0, count: batch.inputIds.count), end = start
            for b in 0..<batch.batchSize where starts[b] > 0 {
                start[b * batch.seqLen + starts[b]] = 10
                end[b * batch.seqLen + ends[b]] = 10
            }
            logits.record(batch: batch, startLogits: start, endLogits: end)
        }
        XCTAssertTrue(logits.isComplete)
        let predictions = dev.predictions(features: features, logits: logits)
        XCTAssertEqual(predictions.count, dev.examples.count)
        let result = SQuADMetric.evaluate(dev, predictions: predictions)
        var goldLength: [String: Int] = [:]
        for feature in features where feature.containsAnswer {
            goldLength[dev.examples[feature.exampleIndex].id] = feature.endPosition - feature.startPosition + 1
        }
        var misses = 0
        for example in dev.examples where SQuADMetric.exactMatch(prediction: predictions[example.id]!, gold: example.answers[0].text) == 0 {
            misses += 1
            XCTAssertTrue(predictions[example.id]!.contains(example.answers[0].text) || goldLength[example.id]! > 30,
                          "\(example.id): \"\(predictions[example.id]!)\" does not cover \"\(example.answers[0].text)\"")
        }
        XCTAssertLessThan(misses, 50)
        XCTAssertGreaterThan(result.exactMatch, 99.5)
        XCTAssertGreaterThan(result.f1, 99.7)
        print("SQuAD dev with gold logits: EM \(result.exactMatch), F1 \(result.f1)")
    }
}
