import Foundation
import XCTest
@testable import Text

final class DataFingerprintTests: XCTestCase {
    func testFNV1aReferenceVectors() {
        // Reference values of 64-bit FNV-1a (Fowler, Noll, Vo).
        XCTAssertEqual(DataFingerprint.fnv1a([UInt8]()), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(DataFingerprint.fnv1a(Array("a".utf8)), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(DataFingerprint.fnv1a(Array("foobar".utf8)), 0x8594_4171_F739_67E8)
        let chained = DataFingerprint.fnv1a(Array("bar".utf8), continuing: DataFingerprint.fnv1a(Array("foo".utf8)))
        XCTAssertEqual(chained, 0x8594_4171_F739_67E8)
    }

    func testFileFingerprintFollowsBytesOnly() throws {
        let directory = try TestData.temporaryDirectory(for: self)
        let a = directory.appendingPathComponent("a.tsv"), b = directory.appendingPathComponent("b.tsv")
        let c = directory.appendingPathComponent("c.tsv")
        try Data("x\t1\n".utf8).write(to: a)
        try Data("x\t1\n".utf8).write(to: b)
        try Data("x\t0\n".utf8).write(to: c)
        XCTAssertEqual(try DataFingerprint.files([a]), try DataFingerprint.files([b]))
        XCTAssertNotEqual(try DataFingerprint.files([a]), try DataFingerprint.files([c]))
        XCTAssertNotEqual(try DataFingerprint.files([a, c]), try DataFingerprint.files([c, a]))
        XCTAssertThrowsError(try DataFingerprint.files([directory.appendingPathComponent("missing.tsv")])) { error in
            XCTAssertEqual((error as? TextDataError)?.kind, .unreadable)
            XCTAssertTrue("\(error)".contains("missing.tsv"))
        }
        // The shipped SST-2 dev file; the value is computed independently in Python:
        // FNV-1a 64 over struct.pack('<Q', len(data)) + data.
        let dev = GLUETask.sst2.file(split: "dev", in: TestData.dataRoot)
        XCTAssertEqual(DataFingerprint.hex(try DataFingerprint.files([dev])), Self.pinnedSST2Dev)
    }

    static let pinnedSST2Dev = "fbd7d11a3faf08fc"

    func testExampleFingerprintSeesIdsTypesAndLabels() {
        let base = EncodedExample(ids: [101, 5, 102], typeIds: [0, 0, 0], label: .classIndex(1))
        var otherLabel = base
        otherLabel.label = .classIndex(0)
        var otherType = base
        otherType.typeIds[1] = 1
        var otherKind = base
        otherKind.label = .score(1)
        let fingerprints = [[base], [otherLabel], [otherType], [otherKind], [base, base]].map(DataFingerprint.examples)
        XCTAssertEqual(Set(fingerprints).count, fingerprints.count)
        XCTAssertEqual(DataFingerprint.examples([base]), DataFingerprint.examples([base]))
    }
}
