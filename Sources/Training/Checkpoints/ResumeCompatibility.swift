import Foundation

/// How a resumed run continues.
public enum ResumeMode: Equatable, Sendable {
    /// Same world size: the run continues bitwise as if uninterrupted.
    case exact
    /// Different world size, allowed by `allow_reshard`: the run continues, not bitwise.
    case resharded(from: Int, to: Int)
}

/// A checkpoint that this run must not resume from.
public struct ResumeError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// What differs: `world_size`, `layout_fingerprint`, `data_fingerprint` or the configuration
    /// keys, comma-separated.
    public let field: String
    /// Why, and what to do instead.
    public let description: String

    /// The same as ``description``.
    public var errorDescription: String? { description }
}

/// Checks that the run described by the arguments may resume from `state`, in this order:
///
/// - The parameter layout must match (else the parameters cannot be loaded).
/// - The configuration must match except for ``TrainConfig/resumeMutableKeys``; the error names
///   every differing key with both values.
/// - The data fingerprint must match when given (the sampler cursor indexes that data).
/// - The world size must match, unless `config.allowReshard` (`--set allow_reshard=true`).
///
/// - Returns: ``ResumeMode/exact`` or ``ResumeMode/resharded(from:to:)``.
/// - Throws: ``ResumeError`` naming the mismatch and the way out.
@discardableResult
public func checkResumeCompatibility(state: TrainerState, config: TrainConfig, worldSize: Int,
                                     layoutFingerprint: UInt64, dataFingerprint: String? = nil) throws -> ResumeMode {
    let at = "the checkpoint of step \(state.step)"
    guard state.layoutFingerprint == Fingerprint.hex(layoutFingerprint) else {
        throw ResumeError(field: "layout_fingerprint",
                          description: "cannot resume: \(at) has parameter layout \(state.layoutFingerprint), this model has "
                            + "\(Fingerprint.hex(layoutFingerprint)) (layout_fingerprint differs): it was written for "
                            + "another model, head or skimming method, or by another code version")
    }
    let differences = config.resumeDifferences(from: state.config)
    if !differences.isEmpty {
        throw ResumeError(field: differences.map(\.key).joined(separator: ","),
                          description: "cannot resume: the configuration differs from the one \(at) was trained with: "
                            + differences.map(\.description).joined(separator: "; ")
                            + ". Resume with the checkpoint's configuration (the config.yaml saved in the run directory), "
                            + "or start a new run (another output_dir, or resume: never)")
    }
    if let dataFingerprint = dataFingerprint, dataFingerprint != state.dataFingerprint {
        throw ResumeError(field: "data_fingerprint",
                          description: "cannot resume: \(at) was trained on data \(state.dataFingerprint), this run reads "
                            + "\(dataFingerprint) (data_fingerprint differs): the data changed since the checkpoint")
    }
    guard state.worldSize == worldSize else {
        guard config.allowReshard else {
            throw ResumeError(field: "world_size",
                              description: "cannot resume: \(at) was written by \(state.worldSize) ranks, this run has "
                                + "\(worldSize) (world_size differs): resume with \(state.worldSize) processes "
                                + "(mpirun -np \(state.worldSize)) to continue bitwise, or set allow_reshard: true "
                                + "(--set allow_reshard=true) to continue with \(worldSize), not bitwise")
        }
        return .resharded(from: state.worldSize, to: worldSize)
    }
    return .exact
}
