import Foundation
import Kernels
import SafeTensors

/// What loading a checkpoint did.
public struct LoadReport: Equatable {
    /// Layout tensors filled from the file.
    public var loaded: [String] = []
    /// Layout tensors the file lacks, initialised as Hugging Face does (task heads, pooler, skim predictors).
    public var initialized: [String] = []
    /// Tensors in the file the model does not use (e.g. pre-training heads, `position_ids`).
    public var unexpected: [String] = []
}

extension BertModel {
    /// Tensors that may be absent from a checkpoint and are then freshly initialised.
    static func isOptionalOnLoad(_ name: String) -> Bool {
        name.hasPrefix("classifier.") || name.hasPrefix("qa_outputs.") || name.hasPrefix("bert.pooler.")
            || TranskimmerNames.isPredictorTensor(name)
    }

    /// Loads a Hugging Face `model.safetensors` (names with or without the `bert.` prefix, old
    /// `gamma`/`beta` LayerNorm names accepted). Missing encoder tensors and shape mismatches are
    /// errors naming the file and tensor; absent heads are initialised (normal(0, initializer_range), zero bias).
    @discardableResult
    public func load(safetensors url: URL, generator: inout SeededGenerator) throws -> LoadReport {
        let file = try SafeTensorsFile(contentsOf: url)
        let fileName = url.lastPathComponent
        var report = LoadReport()
        var used = Set<String>()
        for spec in layout.tensors {
            guard let source = Self.candidates(for: spec.name).first(where: file.contains) else {
                if Self.isOptionalOnLoad(spec.name) {
                    initialize(spec, generator: &generator)
                    report.initialized.append(spec.name)
                    continue
                }
                throw ModelError.missingTensor(file: fileName, name: spec.name)
            }
            let info = file.info(source)!
            guard info.shape == spec.shape else {
                throw ModelError.shapeMismatch(file: fileName, name: source, expected: spec.shape, found: info.shape)
            }
            try file.copyFloats(source, into: UnsafeMutableBufferPointer(start: parameters.pointer + spec.offset, count: spec.count))
            used.insert(source)
            report.loaded.append(spec.name)
        }
        report.unexpected = file.names.filter { !used.contains($0) }
        return report
    }

    /// Names a layout tensor may carry in a checkpoint, preferred first.
    static func candidates(for name: String) -> [String] {
        var names = [name]
        if name.hasPrefix("bert.") { names.append(String(name.dropFirst("bert.".count))) }
        for n in names where n.hasSuffix("LayerNorm.weight") || n.hasSuffix("LayerNorm.bias") {
            names.append(n.replacingOccurrences(of: "LayerNorm.weight", with: "LayerNorm.gamma")
                .replacingOccurrences(of: "LayerNorm.bias", with: "LayerNorm.beta"))
        }
        return names
    }

    /// Writes every parameter under its Hugging Face name, loadable by `transformers`.
    public func exportSafetensors(to url: URL, metadata: [String: String] = ["format": "pt"]) throws {
        var writer = SafeTensorsWriter()
        writer.metadata = metadata
        for spec in layout.tensors {
            writer.add(spec.name, shape: spec.shape,
                       floats: UnsafeBufferPointer(start: parameters.pointer + spec.offset, count: spec.count))
        }
        try writer.write(to: url)
    }
}
