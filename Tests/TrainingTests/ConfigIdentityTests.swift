import XCTest
@testable import Training

/// The canonical hash and the saved YAML of the effective configuration.
final class ConfigIdentityTests: XCTestCase {
    func testYamlRoundTripsThroughLoad() throws {
        var config = TrainConfig(task: .mrpc, method: .transkimmer)
        config.maxSteps = 77
        config.learningRate = 3e-5
        config.adamEpsilon = 1e-6
        config.resume = .path("somewhere/step-00000010")
        config.skim.skimLayers = [0, 5]
        config.skim.tauMin = 0.25
        config.skim.tauAnnealSteps = 500
        config.model = "1e5"
        let reloaded = try TrainConfig.parse(yaml: config.yaml(), fileName: "saved.yaml", overrides: [])
        XCTAssertEqual(reloaded, config)
        let yaml = config.yaml()
        XCTAssertTrue(yaml.contains("\neval_every: null\n"), yaml)
        XCTAssertTrue(yaml.contains("\nlearning_rate: 3e-05\n"), yaml)
        XCTAssertTrue(yaml.contains("\nwarmup_ratio: 0.06\n"), yaml)
        XCTAssertTrue(yaml.contains("\nmodel: '1e5'\n"), yaml)
    }

    func testDefaultYamlHoldsEveryKeyOfTheSchema() throws {
        let yaml = TrainConfig(task: .sst2).yaml()
        for entry in TrainConfig.CodingKeys.section.fields {
            XCTAssertTrue(yaml.contains("\n\(entry.key):") || yaml.hasPrefix("\(entry.key):"), entry.key)
        }
        for entry in SkimConfig.CodingKeys.section.fields {
            XCTAssertTrue(yaml.contains("\n  \(entry.key):"), entry.key)
        }
    }

    func testHashIsStableAndSensitive() throws {
        let a = try TrainConfig.parse(yaml: "task: sst2\nepochs: 3\n", fileName: nil, overrides: [])
        let b = try TrainConfig.parse(yaml: "epochs: 3\ntask: sst2\n", fileName: nil, overrides: [])
        XCTAssertEqual(a.canonicalHash(), b.canonicalHash())

        var changed = a
        changed.skim.lambda = 0.4
        XCTAssertNotEqual(changed.canonicalHash(), a.canonicalHash())
        changed = a
        changed.outputDir = "elsewhere"
        XCTAssertNotEqual(changed.canonicalHash(), a.canonicalHash())
    }

    func testHashIgnoresHowToResume() {
        let base = TrainConfig(task: .cola)
        var resumed = base
        resumed.resume = .never
        resumed.allowReshard = true
        XCTAssertEqual(resumed.canonicalHash(), base.canonicalHash())
    }

    func testCanonicalJsonIsSortedAndHashIsItsSha256Prefix() {
        let json = String(decoding: TrainConfig(task: .sst2).canonicalJSON(), as: UTF8.self)
        XCTAssertTrue(json.hasPrefix("{\"adam_beta1\":0.9,"), json)
        XCTAssertTrue(json.contains("\"lambda\":0.5"), json)
        XCTAssertFalse(json.contains(" "), json)
    }
}
