import BERT
import Distributed
import Foundation
import Kernels

/// Checkpoints are written by rank 0 alone and read by rank 0 alone: the other ranks send their
/// generator states to it and receive the restored state by broadcast, so the output directory
/// need not be on a shared filesystem.
extension Trainer {
    /// Writes the checkpoint of the current step (every rank must call it: it gathers the
    /// generator states), records the best one and prunes old ones.
    func saveCheckpoint() throws {
        let words = generator.state.map { Int64(bitPattern: $0) }
        let states = try watchdog.guarded("allgather generator states", step) { try communicator.allgather(words) }
        var failure: String?
        if isCoordinator {
            do { try writeCheckpoint(generatorStates: states) } catch { failure = "\(error)" }
        }
        let written = try watchdog.guarded("agree on checkpoint", step) { try communicator.agreeAll(failure == nil) }
        guard written else {
            throw TrainingError(failure.map { "could not write the checkpoint of step \(step): \($0)" }
                                    ?? "rank 0 could not write the checkpoint of step \(step) (see its message)")
        }
    }

    private func writeCheckpoint(generatorStates: [Int64]) throws {
        guard let plan = lastPlan else { return }
        let candidate = bestCandidate()
        var newBest = try store.best()
        if let candidate, newBest.map({ $0.isImproved(by: candidate) }) ?? true { newBest = candidate }
        let draft = try store.begin(step: step)
        do {
            try draft.add(CheckpointFileName.model) { try model.exportSafetensors(to: $0) }
            faults.killIfAsked(duringSaveOf: step, rank: rank)
            try addHuggingFaceFiles(to: draft)
            try draft.add(CheckpointFileName.optimizer) { try OptimizerState.write(optimizer, to: $0) }
            for r in 0..<communicator.size {
                let state = generatorStates[(4 * r)..<(4 * r + 4)].map { UInt64(bitPattern: $0) }
                try draft.add(RankState(rank: r, rngState: state, dataCursor: step % stepsPerEpoch))
            }
            try draft.add(TrainerState(after: plan, keepPrice: keepPrice?.price, epoch: step / stepsPerEpoch, cursor: step % stepsPerEpoch,
                                       totalSteps: totalSteps, config: config,
                                       layoutFingerprint: model.layout.fingerprint, worldSize: communicator.size,
                                       dataFingerprint: dataFingerprint, metricsHistory: metricsHistory, best: newBest))
            let directory = try store.commit(draft, requiring: CheckpointFileName.required(worldSize: communicator.size))
            logger.info("saved checkpoint \(directory.path)")
        } catch {
            draft.discard()
            throw error
        }
        if let candidate { try store.updateBest(candidate) }
        let best = config.keepBest ? try store.best()?.step : nil
        let pruned = try store.prune(keepLast: config.keepLast, best: best)
        if !pruned.isEmpty { logger.debug("pruned checkpoints of steps \(pruned)") }
    }

    /// `config.json` for the fine-tuned head and the tokenizer files, so that the checkpoint is a
    /// Hugging Face model folder (``HuggingFaceFolder``). They are in the manifest but not required
    /// on resume.
    private func addHuggingFaceFiles(to draft: CheckpointDraft) throws {
        let folder = URL(fileURLWithPath: config.model)
        try draft.add("config.json", data: HuggingFaceFolder.configJSON(
            base: folder.appendingPathComponent("config.json"), task: task, method: config.method, dropout: config.dropout,
            skim: config.skim))
        try draft.add("vocab.txt", data: Data(contentsOf: URL(fileURLWithPath: config.vocabularyPath)))
        for name in HuggingFaceFolder.tokenizerFiles where name != "vocab.txt" {
            let file = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: file.path) { try draft.add(name, data: Data(contentsOf: file)) }
        }
    }

    /// The evaluation of this very step, as a best-checkpoint candidate (its first metric).
    private func bestCandidate() -> BestCheckpoint? {
        guard let name = lastEvaluation?.name, let value = lastEvaluation?.value, lastEvaluation?.step == step else {
            return nil
        }
        return BestCheckpoint(metric: name, value: value, step: step, higherIsBetter: true)
    }

    /// Rank 0 picks the checkpoint (`resume: auto` → the newest that verifies, reporting every
    /// skipped one; a path → that one); every rank then receives parameters, optimizer state,
    /// trainer state and its own generator state.
    func resumeIfAsked() throws {
        var chosen: CheckpointStore.Checkpoint?
        var failure: String?
        if isCoordinator {
            do { chosen = try chooseCheckpoint() } catch { failure = "\(error)" }
        }
        guard try watchdog.guarded("agree on resume", 0, { try communicator.agreeAll(failure == nil) }) else {
            throw TrainingError(failure ?? "rank 0 could not resume (see its message)")
        }
        var stateData = Data()
        var mode = ResumeMode.exact
        if isCoordinator, let chosen {
            do {
                let state = try chosen.trainerState()
                mode = try checkResumeCompatibility(state: state, config: config, worldSize: communicator.size,
                                                    layoutFingerprint: model.layout.fingerprint,
                                                    dataFingerprint: dataFingerprint)
                try loadParameters(chosen.url(CheckpointFileName.model))
                try OptimizerState.load(into: optimizer, from: chosen.url(CheckpointFileName.optimizer))
                stateData = try state.jsonData()
            } catch {
                failure = "\(chosen.directory.path): \(error)"
            }
        }
        guard try watchdog.guarded("agree on resume", 1, { try communicator.agreeAll(failure == nil) }) else {
            throw TrainingError(failure ?? "rank 0 could not resume (see its message)")
        }
        stateData = try watchdog.guarded("broadcast trainer state") { try communicator.broadcast(stateData, root: 0) }
        guard !stateData.isEmpty else {
            if isCoordinator { try log?.removeAll() }
            return
        }
        let state = try TrainerState(jsonData: stateData)
        try watchdog.guarded("broadcast resumed state") {
            try communicator.broadcast(model.parameters.buffer, root: 0)
            try communicator.broadcast(optimizer.m.buffer, root: 0)
            try communicator.broadcast(optimizer.v.buffer, root: 0)
        }
        optimizer.step = try communicator.allreduce(isCoordinator ? optimizer.step : 0, op: .max)
        try restoreGenerator(from: chosen, state: state, exact: state.worldSize == communicator.size)
        step = state.step
        keepPrice?.price = state.keepPrice ?? 0
        metricsHistory = state.metricsHistory
        best = state.best
        if isCoordinator, let chosen {
            try log?.truncate(afterStep: step)
            try store.discardCheckpoints(after: step)
            try store.setBest(state.best)
            let how = mode == .exact ? "exactly" : "resharded from \(state.worldSize) ranks (not bitwise)"
            logger.info("resumed \(how) from \(chosen.directory.path) at step \(step) of \(totalSteps)")
        }
    }

    /// Parameters saved by this trainer: every tensor of the layout must be in the file.
    private func loadParameters(_ url: URL) throws {
        var unused = SeededGenerator(seed: 0)
        let report = try model.load(safetensors: url, generator: &unused)
        guard report.initialized.isEmpty else {
            throw TrainingError("\(url.path) lacks \(report.initialized.joined(separator: ", "))")
        }
    }

    private func chooseCheckpoint() throws -> CheckpointStore.Checkpoint? {
        switch config.resume {
        case .never:
            return nil
        case .auto:
            let scan = try store.latestValid()
            for message in scan.messages { logger.warning("\(message)") }
            return scan.latest
        case .path(let path):
            return try store.checkpoint(at: URL(fileURLWithPath: path))
        }
    }

    /// Same world size: every rank continues with the generator state it saved. Otherwise each
    /// rank starts a fresh generator derived from the seed, its rank and the step.
    private func restoreGenerator(from chosen: CheckpointStore.Checkpoint?, state: TrainerState, exact: Bool) throws {
        guard exact else {
            generator = SeededGenerator(seed: Self.generatorSeed(config.seed, rank: rank) &+ UInt64(state.step) &* 0x2545_F491)
            return
        }
        var words = [Int64](repeating: 0, count: 4 * communicator.size)
        var failure: String?
        if isCoordinator, let chosen {
            do {
                for r in 0..<communicator.size {
                    for (i, word) in try chosen.rankState(rank: r).rngState.enumerated() where i < 4 {
                        words[4 * r + i] = Int64(bitPattern: word)
                    }
                }
            } catch { failure = "\(error)" }
        }
        guard try communicator.agreeAll(failure == nil) else {
            throw TrainingError(failure ?? "rank 0 could not read the generator states (see its message)")
        }
        try words.withUnsafeMutableBufferPointer { try communicator.broadcast($0, root: 0) }
        generator = try SeededGenerator(state: words[(4 * rank)..<(4 * rank + 4)].map { UInt64(bitPattern: $0) })
    }

    /// The seed of `rank`'s generator in a fresh run.
    static func generatorSeed(_ seed: Int, rank: Int) -> UInt64 {
        UInt64(bitPattern: Int64(seed)) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(rank) &+ 1
    }
}
