import Distributed
import Foundation
import XCTest

final class InProcessCommunicatorTests: XCTestCase {
    private let rankCounts = [1, 2, 3]

    func testAllreduceSumFollowsRankOrderAndIsIdenticalOnEveryRank() throws {
        for size in rankCounts {
            // Magnitudes from 1e-6 to 1e6: float sums of these depend on the order of addition.
            var generator = SeededGenerator(seed: UInt64(size))
            let contributions: [[Float]] = (0..<size).map { _ in
                (0..<256).map { _ in
                    Float.random(in: -1...1, using: &generator) * powf(10, Float(Int.random(in: -6...6, using: &generator)))
                }
            }
            let results = try InProcessGroup.run(size: size, timeout: 10) { comm -> [Float] in
                var values = contributions[comm.rank]
                try values.withUnsafeMutableBufferPointer { try comm.allreduce($0, op: .sum) }
                return values
            }
            var expected = contributions[0]
            for rank in 1..<size { for i in expected.indices { expected[i] = expected[i] + contributions[rank][i] } }
            for result in results {
                XCTAssertEqual(result.map(\.bitPattern), expected.map(\.bitPattern), "size \(size)")
            }
            if size == 3 {
                // The check above can fail: another order gives other bits for some elements.
                let reversed = contributions[0].indices.map { contributions[2][$0] + contributions[1][$0] + contributions[0][$0] }
                XCTAssertNotEqual(reversed.map(\.bitPattern), expected.map(\.bitPattern))
            }
        }
    }

    func testAllreduceMaxAndMinForEveryElementType() throws {
        for size in rankCounts {
            let results = try InProcessGroup.run(size: size, timeout: 10) { comm -> ([Double], [Int64], [Float]) in
                let r = comm.rank
                var doubles: [Double] = [Double(r), -Double(r), Double(r % 2)]
                var integers: [Int64] = [Int64(r) * 10, -Int64(r), Int64(r + 1)]
                var floats: [Float] = [Float(r) + 0.5, -Float(r)]
                try doubles.withUnsafeMutableBufferPointer { try comm.allreduce($0, op: .max) }
                try integers.withUnsafeMutableBufferPointer { try comm.allreduce($0, op: .min) }
                try floats.withUnsafeMutableBufferPointer { try comm.allreduce($0, op: .max) }
                return (doubles, integers, floats)
            }
            let top = size - 1
            for (doubles, integers, floats) in results {
                XCTAssertEqual(doubles, [Double(top), 0, size > 1 ? 1 : 0])
                XCTAssertEqual(integers, [0, -Int64(top), 1])
                XCTAssertEqual(floats, [Float(top) + 0.5, 0])
            }
        }
    }

    func testInt64SumAndScalarForms() throws {
        for size in rankCounts {
            let results = try InProcessGroup.run(size: size, timeout: 10) { comm -> (Int, Double, [Int64]) in
                var values: [Int64] = [Int64(comm.rank + 1), Int64.max / 4]
                try values.withUnsafeMutableBufferPointer { try comm.allreduce($0, op: .sum) }
                return (try comm.allreduce(comm.rank + 1, op: .sum), try comm.allreduce(Double(comm.rank) * 1.5, op: .max), values)
            }
            for (sum, maximum, values) in results {
                XCTAssertEqual(sum, size * (size + 1) / 2)
                XCTAssertEqual(maximum, Double(size - 1) * 1.5)
                XCTAssertEqual(values, [Int64(size * (size + 1) / 2), (Int64.max / 4) &* Int64(size)])
            }
        }
    }

    func testBroadcastFromEveryRoot() throws {
        for size in rankCounts {
            for root in 0..<size {
                let results = try InProcessGroup.run(size: size, timeout: 10) { comm -> ([Float], [Double], [Int64], [UInt8]) in
                    let mine = comm.rank == root
                    var floats: [Float] = mine ? [1.5, -2, 3] : [0, 0, 0]
                    var doubles: [Double] = mine ? [Double.pi] : [0]
                    var integers: [Int64] = mine ? [Int64.min, 42] : [0, 0]
                    var bytes: [UInt8] = mine ? [9, 8, 7, 6] : [0, 0, 0, 0]
                    try floats.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: root) }
                    try doubles.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: root) }
                    try integers.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: root) }
                    try bytes.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: root) }
                    return (floats, doubles, integers, bytes)
                }
                for (floats, doubles, integers, bytes) in results {
                    XCTAssertEqual(floats, [1.5, -2, 3])
                    XCTAssertEqual(doubles, [Double.pi])
                    XCTAssertEqual(integers, [Int64.min, 42])
                    XCTAssertEqual(bytes, [9, 8, 7, 6])
                }
            }
        }
    }

    func testVariableLengthBroadcastSendsTheRootsLength() throws {
        for size in rankCounts {
            let root = size - 1
            let payload = Data((0..<1000).map { UInt8($0 % 251) })
            let results = try InProcessGroup.run(size: size, timeout: 10) { comm -> (Data, [UInt8]) in
                let data = try comm.broadcast(comm.rank == root ? payload : Data([1, 2]), root: root)
                let empty = try comm.broadcast(comm.rank == 0 ? [] : [UInt8](repeating: 5, count: comm.rank), root: 0)
                return (data, empty)
            }
            for (data, empty) in results {
                XCTAssertEqual(data, payload)
                XCTAssertEqual(empty, [])
            }
        }
    }

    func testAllgatherPlacesEachRankInOrder() throws {
        for size in rankCounts {
            let results = try InProcessGroup.run(size: size, timeout: 10) { comm -> ([Int64], [UInt8]) in
                let integers = try comm.allgather([Int64(comm.rank), Int64(comm.rank) * -100])
                let bytes = try comm.allgather([UInt8(comm.rank), 0xAB, UInt8(comm.rank * 2)])
                return (integers, bytes)
            }
            let integers: [Int64] = (0..<size).flatMap { [Int64($0), Int64($0) * -100] }
            let bytes: [UInt8] = (0..<size).flatMap { rank -> [UInt8] in [UInt8(rank), 0xAB, UInt8(rank * 2)] }
            for result in results {
                XCTAssertEqual(result.0, integers)
                XCTAssertEqual(result.1, bytes)
            }
        }
    }

    func testAllgatherRejectsAWrongReceiveCount() throws {
        let group = InProcessGroup(size: 2, timeout: 5)
        var receive = [Int64](repeating: 0, count: 3)
        let send: [Int64] = [1, 2]
        XCTAssertThrowsError(try send.withUnsafeBufferPointer { s in
            try receive.withUnsafeMutableBufferPointer { try group.communicators[0].allgather(s, into: $0) }
        }) { XCTAssertTrue("\($0)".contains("needs 4 receive elements, got 3"), "\($0)") }
    }

    func testBarrierHoldsEveryRankUntilAllArrive() throws {
        let size = 3
        let arrivals = Counter()
        let seen = try InProcessGroup.run(size: size, timeout: 10) { comm -> Int in
            Thread.sleep(forTimeInterval: 0.05 * Double(comm.rank))
            arrivals.increment()
            try comm.barrier()
            return arrivals.value
        }
        XCTAssertEqual(seen, [size, size, size])
    }

    func testAgreementHelpers() throws {
        for size in rankCounts {
            let results = try InProcessGroup.run(size: size, timeout: 10) { comm -> [Bool] in
                [try comm.agreeAll(true), try comm.agreeAll(comm.rank != size - 1),
                 try comm.agreeAny(comm.rank == size - 1), try comm.agreeAny(false)]
            }
            for result in results { XCTAssertEqual(result, [true, false, true, false]) }
        }
    }

    func testReplicaComparisonNamesTheRankThatDiffers() throws {
        let results = try InProcessGroup.run(size: 3, timeout: 10) { comm -> (ReplicaComparison, ReplicaComparison) in
            var values = (0..<1000).map { Float($0) * 0.25 }
            let same = try values.withUnsafeBufferPointer { try comm.compareReplicas($0) }
            if comm.rank == 2 { values[999] = values[999].nextUp }
            let different = try values.withUnsafeBufferPointer { try comm.compareReplicas($0) }
            return (same, different)
        }
        for (same, different) in results {
            XCTAssertTrue(same.allIdentical)
            XCTAssertEqual(Set(same.fingerprints).count, 1)
            XCTAssertFalse(different.allIdentical)
            XCTAssertEqual(different.differingRanks, [2])
            XCTAssertEqual(different, results[0].1)
        }
    }

    func testNonBlockingAllreduceUnderInterleavings() throws {
        for size in rankCounts {
            for pattern in 0..<4 {
                let results = try InProcessGroup.run(size: size, timeout: 10) { comm -> [[Float]] in
                    var first = [Float](repeating: Float(comm.rank + 1), count: 5)
                    var second = [Float](repeating: Float(10 * (comm.rank + 1)), count: 3)
                    var third: [Float] = [Float(comm.rank)]
                    try first.withUnsafeMutableBufferPointer { a in
                        try second.withUnsafeMutableBufferPointer { b in
                            let requestA = try comm.iallreduce(a, op: .sum)
                            if (pattern + comm.rank) % 2 == 1 { Thread.sleep(forTimeInterval: 0.01) }
                            let requestB = try comm.iallreduce(b, op: .max)
                            // A blocking collective between posting and waiting is matched in order too.
                            try third.withUnsafeMutableBufferPointer { try comm.allreduce($0, op: .sum) }
                            switch (pattern + comm.rank) % 3 {
                            case 0:
                                try requestB.wait()
                                try requestA.wait()
                            case 1:
                                while !(try comm.testAll([requestA, requestB])) { Thread.sleep(forTimeInterval: 0.001) }
                            default:
                                while !(try requestA.test()) { Thread.sleep(forTimeInterval: 0.001) }
                                try requestB.wait()
                            }
                            XCTAssertTrue(requestA.isComplete && requestB.isComplete)
                        }
                    }
                    return [first, second, third]
                }
                let sum = Float(size * (size + 1) / 2)
                for result in results {
                    XCTAssertEqual(result[0], [Float](repeating: sum, count: 5))
                    XCTAssertEqual(result[1], [Float](repeating: Float(10 * size), count: 3))
                    XCTAssertEqual(result[2], [Float(size * (size - 1) / 2)])
                }
            }
        }
    }

    func testMismatchedCollectivesThrowOnEveryRank() throws {
        let group = InProcessGroup(size: 2, timeout: 5)
        let errors = ErrorLog()
        let threads = group.communicators.map { comm in
            Thread {
                do {
                    var values: [Float] = [1, 2, 3]
                    if comm.rank == 0 {
                        try values.withUnsafeMutableBufferPointer { try comm.allreduce($0, op: .sum) }
                    } else {
                        try values.withUnsafeMutableBufferPointer { try comm.broadcast($0, root: 0) }
                    }
                } catch {
                    errors.append("\(error)")
                }
            }
        }
        runAndJoin(threads, errors: errors, expected: 2)
        XCTAssertEqual(errors.count, 2)
        for message in errors.messages {
            XCTAssertTrue(message.contains("allreduce(sum) of 3 Float") && message.contains("broadcast from rank 0"), message)
        }
    }

    func testARankThatLeavesMakesTheOthersFailFast() throws {
        let start = Date()
        XCTAssertThrowsError(try InProcessGroup.run(size: 3, timeout: 30) { comm in
            if comm.rank == 1 { throw TestFailure("rank 1 gave up") }
            try comm.barrier()
        }) { error in
            XCTAssertEqual("\(error)", "rank 1 gave up")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testWaitingRankTimesOut() throws {
        let group = InProcessGroup(size: 2, timeout: 0.3)
        let start = Date()
        XCTAssertThrowsError(try group.communicators[0].barrier()) { error in
            guard case .timeout = error as? CommunicatorError else { return XCTFail("\(error)") }
        }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.3)
    }

    func testClosedCommunicatorRefusesCollectives() throws {
        let group = InProcessGroup(size: 1)
        let comm = group.communicators[0]
        comm.close()
        XCTAssertThrowsError(try comm.barrier()) { XCTAssertEqual($0 as? CommunicatorError, .closed(rank: 0)) }
    }
}
