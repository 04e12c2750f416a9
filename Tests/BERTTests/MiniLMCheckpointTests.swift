import BERT
import Foundation
import Kernels
import XCTest

/// The real all-MiniLM-L6-v2 checkpoint (downloaded by `bash Launch/fetch-model.sh` into
/// Models/all-MiniLM-L6-v2): sentence embeddings as sentence-transformers computes them for this
/// model (mean of the last hidden state over real tokens, then L2-normalised; see the model's
/// 1_Pooling/config.json and modules.json) for two sentences, compared with a float64 reference.
///
/// Where the reference numbers come from: no PyTorch is available here, so they were computed by an
/// independent float64 NumPy implementation of Hugging Face's `BertModel` forward (the script is at
/// the end of this file) reading the same `model.safetensors`. It shares no code with the Swift
/// model. It gives cosine 0.75533708, which agrees with the 0.7553 an earlier note attributed to
/// sentence-transformers for this pair (that attribution could not be checked here).
final class MiniLMCheckpointTests: XCTestCase {
    /// "A man is eating food." and "A man is eating a piece of bread." as the model's WordPiece
    /// tokenizer splits them (every word is a whole vocab.txt entry: id = line number − 1).
    let sentences: [[Int32]] = [
        [101, 1037, 2158, 2003, 5983, 2833, 1012, 102],
        [101, 1037, 2158, 2003, 5983, 1037, 3538, 1997, 7852, 1012, 102],
    ]
    /// Float64 reference: cosine of the two embeddings, the first 8 of their 384 components, and
    /// Σ_c e[c]·sin(c + 1) over all 384 components (a fixed projection that sees every component).
    let referenceCosine = 0.7553370806
    let referenceHeads: [[Double]] = [
        [0.033241573, 0.004406064, -0.006276945, 0.048378713, -0.138702247, -0.033617409, 0.101128325, -0.054384974],
        [0.052518411, 0.055241311, -0.011188221, -0.005745444, -0.127208240, -0.022251829, 0.076878647, 0.013185184],
    ]
    let referenceProjections = [-0.189050118, 0.539908065]

    struct ModelMissing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "\(path) is missing: run `bash Launch/fetch-model.sh` from the repository root to download all-MiniLM-L6-v2 (Launch/setup.sh, and so Launch/test.sh and CI, run it)"
        }
    }

    /// Loads the checkpoint; a missing model folder is a test failure that says how to fetch it, not a skip.
    func loadModel() throws -> (BertModel, LoadReport) {
        let folder = Paths.model
        let weights = folder.appendingPathComponent("model.safetensors")
        for needed in [weights, folder.appendingPathComponent("config.json")]
        where !FileManager.default.fileExists(atPath: needed.path) {
            throw ModelMissing(path: needed.path)
        }
        let config = try BertConfiguration.load(from: folder.appendingPathComponent("config.json"))
        XCTAssertEqual(config, .miniLML6, "config.json of all-MiniLM-L6-v2")
        let model = BertModel(config: config, head: .sequenceClassification(numLabels: 2))
        var generator = SeededGenerator(seed: 0)
        let report = try model.load(safetensors: weights, generator: &generator)
        return (model, report)
    }

    /// Runs `sequences` as one batch padded to the longest, returns one normalised mean-pooled embedding each.
    func embeddings(_ model: BertModel, _ sequences: [[Int32]]) throws -> [[Double]] {
        let T = sequences.map(\.count).max()!, B = sequences.count, H = model.config.hiddenSize
        var ids = [Int32](repeating: 0, count: B * T), mask = [Float](repeating: 0, count: B * T)
        for (b, s) in sequences.enumerated() {
            for (t, id) in s.enumerated() { ids[b * T + t] = id; mask[b * T + t] = 1 }
        }
        let input = ModelInput(batch: B, seqLen: T, inputIds: ids, typeIds: [Int32](repeating: 0, count: B * T), attentionMask: mask)
        let logits = try model.predict(input)
        XCTAssertEqual(logits.count, B * 2)
        let hidden = model.hiddenState(model.config.numHiddenLayers)
        XCTAssertEqual(hidden.count, B * T * H)
        return sequences.enumerated().map { b, s in
            var mean = [Double](repeating: 0, count: H)
            for t in 0..<s.count { for c in 0..<H { mean[c] += Double(hidden[(b * T + t) * H + c]) } }
            let norm = mean.map { $0 * $0 }.reduce(0, +).squareRoot()
            return mean.map { $0 / norm }
        }
    }

    func testSentenceSimilarityAndPaddingInvariance() throws {
        let (model, report) = try loadModel()
        // Every encoder and embedding tensor comes from the file; the pooler is in the file
        // (`pooler.dense.*`), the classifier is not and is initialised.
        XCTAssertEqual(Set(report.initialized), ["classifier.weight", "classifier.bias"], "initialised: \(report.initialized)")
        XCTAssertTrue(report.loaded.contains("bert.pooler.dense.weight") && report.loaded.contains("bert.pooler.dense.bias"),
                      "the pooler must be loaded")
        let encoderNames = model.layout.tensors.map(\.name).filter { !$0.hasPrefix("classifier.") }
        XCTAssertEqual(Set(report.loaded), Set(encoderNames), "every encoder tensor must be loaded")
        XCTAssertEqual(report.loaded.count + report.initialized.count, model.layout.tensors.count)
        XCTAssertEqual(report.unexpected, ["embeddings.position_ids"], "unexpected: \(report.unexpected)")

        let batch = try embeddings(model, sentences)   // the first sentence is padded 8 → 11
        // Tolerances. Measured, this float32 forward (with fastExp and the fitted erf) is within
        // 1e-8 of the float64 reference on the cosine, 1e-7 on components and 3e-7 on the projections.
        // Plausible mistakes move them far more (measured with the NumPy script): the tanh form of
        // GELU by 2.6e-5 (cosine), 1.1e-4 (first 8 components), 1.1e-3 (projection); LayerNorm eps
        // 1e-5 instead of 1e-12 by 7.7e-5, 2.8e-5, 6.3e-5. The bounds below sit between the two.
        let cosine = zip(batch[0], batch[1]).map(*).reduce(0, +)
        XCTAssertEqual(cosine, referenceCosine, accuracy: 1e-6, "cosine similarity of the two sentence embeddings")
        for (i, embedding) in batch.enumerated() {
            for (c, expected) in referenceHeads[i].enumerated() {
                XCTAssertEqual(embedding[c], expected, accuracy: 2e-6, "sentence \(i), embedding component \(c)")
            }
            let projection = embedding.enumerated().map { c, value in value * Foundation.sin(Double(c + 1)) }.reduce(0, +)
            XCTAssertEqual(projection, referenceProjections[i], accuracy: 5e-6, "sentence \(i): Σ e[c]·sin(c + 1)")
        }

        // Each sentence alone, unpadded, gives the same embedding: max |Δ| over the unit vector ≤ 1e-6
        // (measured 1e-7: padded keys get probability exactly 0, so only float summation order differs;
        // attending to the 3 padding tokens would move components by up to 4e-2).
        for (i, sentence) in sentences.enumerated() {
            let alone = try embeddings(model, [sentence])[0]
            let difference = zip(alone, batch[i]).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(difference, 1e-6, "sentence \(i): padded-batch vs single-sequence embedding")
        }
    }
}

/* The float64 NumPy reference (run as `python3 minilm_ref.py Models/all-MiniLM-L6-v2`):

import json, math, struct, sys
import numpy as np
folder = sys.argv[1]
raw = open(folder + "/model.safetensors", "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
def W(name):
    info = header[name]; a, b = info["data_offsets"]
    return np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(info["shape"]).astype(np.float64)
cfg = json.load(open(folder + "/config.json"))
H, A, L, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"], cfg["layer_norm_eps"]
d = H // A
erf = np.vectorize(math.erf)
def ln(x, p):
    mu = x.mean(-1, keepdims=True); var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * W(p + ".weight") + W(p + ".bias")
def lin(x, p): return x @ W(p + ".weight").T + W(p + ".bias")
def embed(ids):
    T = len(ids)
    x = W("embeddings.word_embeddings.weight")[ids] + W("embeddings.position_embeddings.weight")[:T] \
        + W("embeddings.token_type_embeddings.weight")[0]
    x = ln(x, "embeddings.LayerNorm")
    for l in range(L):
        p = f"encoder.layer.{l}."
        q, k, v = (lin(x, p + "attention.self." + s).reshape(T, A, d).transpose(1, 0, 2) for s in ("query", "key", "value"))
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
        c = (s @ v).transpose(1, 0, 2).reshape(T, H)
        x = ln(lin(c, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        h = lin(x, p + "intermediate.dense"); h = 0.5 * h * (1 + erf(h / math.sqrt(2)))
        x = ln(lin(h, p + "output.dense") + x, p + "output.LayerNorm")
    m = x.mean(0)
    return m / np.linalg.norm(m)
a = embed([101, 1037, 2158, 2003, 5983, 2833, 1012, 102])
b = embed([101, 1037, 2158, 2003, 5983, 1037, 3538, 1997, 7852, 1012, 102])
print("cosine %.10f" % float(a @ b))
print(", ".join("%.9f" % x for x in a[:8])); print(", ".join("%.9f" % x for x in b[:8]))
w = np.sin(np.arange(1, H + 1))
print("projection %.9f, %.9f" % (a @ w, b @ w))
*/
