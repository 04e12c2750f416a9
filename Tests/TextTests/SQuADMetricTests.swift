import Foundation
import XCTest
@testable import Text

final class SQuADMetricTests: XCTestCase {
    /// (prediction, gold, normalized prediction, normalized gold, EM, F1), computed by the
    /// `normalize_answer`, `exact_match_score` and `f1_score` functions of the official evaluate-v1.1.py.
    static let reference: [(String, String, String, String, Double, Double)] = [
        ("The Denver Broncos", "Denver Broncos", "denver broncos", "denver broncos", 1, 1),
        ("an apple", "apple", "apple", "apple", 1, 1),
        ("Theatre", "the atre", "theatre", "atre", 0, 0),
        ("A.B.C.", "abc", "abc", "abc", 1, 1),
        ("the the cat", "cat the", "cat", "cat", 1, 1),
        ("Denver, Colorado!", "denver colorado", "denver colorado", "denver colorado", 1, 1),
        ("  multiple   spaces\there ", "multiple spaces here", "multiple spaces here", "multiple spaces here", 1, 1),
        ("Ærø ΣΊΣΥΦΟΣ", "ærø σίσυφος", "ærø σίσυφος", "ærø σίσυφος", 1, 1),
        ("İstanbul", "i̇stanbul", "i̇stanbul", "i̇stanbul", 1, 1),
        ("cat cat dog", "cat dog dog", "cat cat dog", "cat dog dog", 0, 2.0 / 3.0),
        ("a", "", "", "", 1, 0),
        ("anthem", "them", "anthem", "them", 0, 0),
        ("the_cat", "cat", "thecat", "cat", 0, 0),
        ("l'été", "lété", "lété", "lété", 1, 1),
        ("“quoted”", "quoted", "“quoted”", "quoted", 0, 0),
        ("Santa Clara, California", "Levi's Stadium", "santa clara california", "levis stadium", 0, 0),
        ("1,000", "1000", "1000", "1000", 1, 1),
        ("x²the", "x²", "x²the", "x²", 0, 0),
    ]

    func testNormalizationExactMatchAndF1MatchOfficialScript() {
        for (prediction, gold, normalizedPrediction, normalizedGold, em, f1) in Self.reference {
            XCTAssertEqual(SQuADMetric.normalize(prediction), normalizedPrediction, "normalize(\(prediction))")
            XCTAssertEqual(SQuADMetric.normalize(gold), normalizedGold, "normalize(\(gold))")
            XCTAssertEqual(SQuADMetric.exactMatch(prediction: prediction, gold: gold), em, "EM(\(prediction), \(gold))")
            XCTAssertEqual(SQuADMetric.f1(prediction: prediction, gold: gold), f1, accuracy: 1e-12, "F1(\(prediction), \(gold))")
        }
    }

    /// Best of several gold answers per question, a missing prediction scoring 0; the reference script
    /// prints exact_match 25.0, f1 45.0 for this dataset and these predictions.
    func testEvaluateTakesBestGoldAndCountsMissingAsZero() throws {
        let json = #"{"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": "The Denver Broncos beat the Carolina Panthers 24–10 in Santa Clara.", "qas": [{"id": "q1", "question": "Who won?", "answers": [{"text": "Denver Broncos", "answer_start": 4}, {"text": "The Denver Broncos", "answer_start": 0}, {"text": "Broncos", "answer_start": 11}]}, {"id": "q2", "question": "Who lost?", "answers": [{"text": "the Carolina Panthers", "answer_start": 24}, {"text": "Carolina Panthers", "answer_start": 28}]}, {"id": "q3", "question": "Score?", "answers": [{"text": "24–10", "answer_start": 46}]}, {"id": "q4", "question": "Where?", "answers": [{"text": "Santa Clara", "answer_start": 55}]}]}]}]}"#
        let dataset = try SQuADDataset.parse(Data(json.utf8), file: "hand.json")
        let result = SQuADMetric.evaluate(dataset, predictions: ["q1": "Broncos", "q2": "Panthers of Carolina", "q3": "24 – 10"])
        XCTAssertEqual(result.exactMatch, 25, accuracy: 1e-12)
        XCTAssertEqual(result.f1, 45, accuracy: 1e-12)
        XCTAssertEqual(result.questions, 4)
        XCTAssertEqual(result.missingPredictions, 1)
    }

    /// Acceptance: the (first) gold answers themselves, as predictions, score EM = F1 = 100 on SQuAD dev.
    /// Not every gold answer does: question 57340d124776f419006617bf has the gold answer "." whose
    /// normalized form is empty, so its F1 is 0 by the official rule (EM is 1).
    func testGoldAnswersScorePerfectlyOnDev() {
        let dev = SQuADTests.dev
        var predictions: [String: String] = [:]
        for example in dev.examples { predictions[example.id] = example.answers.first!.text }
        let result = SQuADMetric.evaluate(dev, predictions: predictions)
        XCTAssertEqual(result.exactMatch, 100)
        XCTAssertEqual(result.f1, 100)
        predictions["57340d124776f419006617bf"] = "."
        let dot = SQuADMetric.evaluate(dev, predictions: predictions)
        XCTAssertEqual(dot.exactMatch, 100)
        XCTAssertEqual(dot.f1, 100 * (1 - 1 / 10_570.0), accuracy: 1e-9)
        XCTAssertEqual(result.questions, 10_570)
        XCTAssertEqual(result.missingPredictions, 0)
    }
}
