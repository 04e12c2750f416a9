import BERT
import Foundation
import SafeTensors

/// `optimizer.safetensors`: AdamW's state, exact (float32 as in memory) so that a resumed run
/// continues bitwise. Tensors `<parameter name>.exp_avg` (m) and `<parameter name>.exp_avg_sq`
/// (v) for every tensor of the layout, shaped as the parameter, and `step` (int64, shape []);
/// the layout fingerprint in the metadata.
public enum OptimizerState {
    /// Metadata key holding the layout fingerprint (``Fingerprint/hex(_:)``).
    public static let layoutMetadataKey = "layout_fingerprint"

    /// Writes `optimizer`'s m, v and step to `url`.
    public static func write(_ optimizer: AdamWOptimizer, to url: URL) throws {
        var writer = SafeTensorsWriter()
        writer.metadata = [layoutMetadataKey: Fingerprint.hex(optimizer.layout.fingerprint)]
        for spec in optimizer.layout.tensors {
            writer.add(spec.name + ".exp_avg", shape: spec.shape,
                       floats: UnsafeBufferPointer(start: optimizer.m.pointer + spec.offset, count: spec.count))
            writer.add(spec.name + ".exp_avg_sq", shape: spec.shape,
                       floats: UnsafeBufferPointer(start: optimizer.v.pointer + spec.offset, count: spec.count))
        }
        writer.add("step", shape: [], int64s: [Int64(optimizer.step)])
        try writer.write(to: url)
    }

    /// Restores `optimizer`'s m, v and step from `url`, written by ``write(_:to:)`` for the same
    /// layout.
    ///
    /// - Throws: ``CheckpointError`` naming the file when the layout differs or a tensor is
    ///   missing or of another shape or dtype; ``SafeTensorsError`` for a malformed file.
    public static func load(into optimizer: AdamWOptimizer, from url: URL) throws {
        let file = try SafeTensorsFile(contentsOf: url)
        let path = url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent
        let expected = Fingerprint.hex(optimizer.layout.fingerprint)
        if let saved = file.metadata[layoutMetadataKey], saved != expected {
            throw CheckpointError(path: path, problem: "written for parameter layout \(saved), this model has \(expected)")
        }
        for spec in optimizer.layout.tensors {
            for (suffix, block) in [(".exp_avg", optimizer.m), (".exp_avg_sq", optimizer.v)] {
                let name = spec.name + suffix
                guard let info = file.info(name) else {
                    throw CheckpointError(path: path, problem: "no tensor '\(name)'")
                }
                guard info.shape == spec.shape, info.dtype == .f32 else {
                    throw CheckpointError(path: path, problem: "tensor '\(name)' is \(info.dtype.rawValue) \(info.shape), "
                                            + "expected F32 \(spec.shape)")
                }
                try file.copyFloats(name, into: UnsafeMutableBufferPointer(start: block.pointer + spec.offset, count: spec.count))
            }
        }
        guard let steps = try? file.int64s("step"), steps.count == 1, steps[0] >= 0 else {
            throw CheckpointError(path: path, problem: "no valid scalar int64 tensor 'step'")
        }
        optimizer.step = Int(steps[0])
    }
}
