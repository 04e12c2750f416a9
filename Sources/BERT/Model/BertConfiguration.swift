import Foundation

/// Hyper-parameters of a BERT encoder, read from a Hugging Face `config.json` (same key names).
public struct BertConfiguration: Equatable, Codable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var layerNormEps: Float
    public var hiddenDropoutProb: Float
    public var attentionProbsDropoutProb: Float
    /// Dropout before the classifier; Hugging Face falls back to `hiddenDropoutProb` when absent.
    public var classifierDropout: Float?
    public var padTokenId: Int
    public var initializerRange: Float
    /// Labels of the classification head when the config names them (`num_labels` or `id2label`).
    public var numLabels: Int?

    public init(vocabSize: Int, hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int,
                intermediateSize: Int, maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2,
                layerNormEps: Float = 1e-12, hiddenDropoutProb: Float = 0.1, attentionProbsDropoutProb: Float = 0.1,
                classifierDropout: Float? = nil, padTokenId: Int = 0, initializerRange: Float = 0.02, numLabels: Int? = nil) {
        self.vocabSize = vocabSize; self.hiddenSize = hiddenSize; self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads; self.intermediateSize = intermediateSize
        self.maxPositionEmbeddings = maxPositionEmbeddings; self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps; self.hiddenDropoutProb = hiddenDropoutProb
        self.attentionProbsDropoutProb = attentionProbsDropoutProb; self.classifierDropout = classifierDropout
        self.padTokenId = padTokenId; self.initializerRange = initializerRange; self.numLabels = numLabels
    }

    /// Head size d = H / A.
    public var headDim: Int { hiddenSize / numAttentionHeads }

    /// BERT-base shape (12 × 768, 12 heads, FFN 3072, uncased vocab).
    public static let base = BertConfiguration(vocabSize: 30522, hiddenSize: 768, numHiddenLayers: 12,
                                               numAttentionHeads: 12, intermediateSize: 3072)
    /// all-MiniLM-L6-v2 shape (6 × 384, 12 heads, FFN 1536).
    public static let miniLML6 = BertConfiguration(vocabSize: 30522, hiddenSize: 384, numHiddenLayers: 6,
                                                   numAttentionHeads: 12, intermediateSize: 1536)

    /// Reads and validates a Hugging Face `config.json`.
    public static func load(from url: URL) throws -> BertConfiguration {
        let file = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelError.unreadable(url.path, error.localizedDescription)
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw ModelError.invalidConfig(file, "not a JSON object")
        }
        func number(_ key: String) throws -> Double? {
            guard let value = json[key], !(value is NSNull) else { return nil }
            guard let n = value as? NSNumber else {
                throw ModelError.invalidConfig(file, "key '\(key)' must be a number")
            }
            return n.doubleValue
        }
        func required(_ key: String) throws -> Double {
            guard let v = try number(key) else { throw ModelError.invalidConfig(file, "missing key '\(key)'") }
            return v
        }
        func integer(_ key: String, _ v: Double) throws -> Int {
            guard v == v.rounded(), v >= 0 else { throw ModelError.invalidConfig(file, "key '\(key)' must be a non-negative integer") }
            return Int(v)
        }
        func requiredInt(_ key: String) throws -> Int {
            let v = try integer(key, try required(key))
            guard v > 0 else { throw ModelError.invalidConfig(file, "key '\(key)' must be positive") }
            return v
        }
        if let act = json["hidden_act"] {
            guard let s = act as? String, s == "gelu" else {
                throw ModelError.invalidConfig(file, "hidden_act '\(act)' is not supported (only the exact-erf 'gelu')")
            }
        }
        if let type = json["model_type"] as? String, !["bert"].contains(type) {
            throw ModelError.invalidConfig(file, "model_type '\(type)' is not supported (only 'bert')")
        }
        var labels: Int? = nil
        if let n = try number("num_labels") { labels = try integer("num_labels", n) }
        else if let map = json["id2label"] as? [String: Any] { labels = map.count }
        var config = BertConfiguration(
            vocabSize: try requiredInt("vocab_size"), hiddenSize: try requiredInt("hidden_size"),
            numHiddenLayers: try requiredInt("num_hidden_layers"), numAttentionHeads: try requiredInt("num_attention_heads"),
            intermediateSize: try requiredInt("intermediate_size"),
            maxPositionEmbeddings: try requiredInt("max_position_embeddings"),
            typeVocabSize: try requiredInt("type_vocab_size"),
            layerNormEps: Float(try number("layer_norm_eps") ?? 1e-12),
            hiddenDropoutProb: Float(try number("hidden_dropout_prob") ?? 0.1),
            attentionProbsDropoutProb: Float(try number("attention_probs_dropout_prob") ?? 0.1),
            classifierDropout: try number("classifier_dropout").map(Float.init),
            padTokenId: try number("pad_token_id").map { try integer("pad_token_id", $0) } ?? 0,
            initializerRange: Float(try number("initializer_range") ?? 0.02),
            numLabels: labels)
        guard config.hiddenSize % config.numAttentionHeads == 0 else {
            throw ModelError.invalidConfig(file, "hidden_size \(config.hiddenSize) is not a multiple of num_attention_heads \(config.numAttentionHeads)")
        }
        for (key, p) in [("hidden_dropout_prob", config.hiddenDropoutProb), ("attention_probs_dropout_prob", config.attentionProbsDropoutProb)]
        where !(0..<1).contains(p) {
            throw ModelError.invalidConfig(file, "key '\(key)' must be in [0, 1)")
        }
        if config.padTokenId >= config.vocabSize { config.padTokenId = 0 }
        return config
    }
}

/// Errors of model construction, loading and export; each description is one line naming the file.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unreadable(String, String)
    case invalidConfig(String, String)
    case missingTensor(file: String, name: String)
    case shapeMismatch(file: String, name: String, expected: [Int], found: [Int])
    case unexpectedTensors(file: String, names: [String])
    case invalidInput(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let why): return "\(path): cannot read (\(why))"
        case .invalidConfig(let file, let why): return "\(file): \(why)"
        case .missingTensor(let file, let name): return "\(file): missing tensor '\(name)'"
        case .shapeMismatch(let file, let name, let expected, let found):
            return "\(file): tensor '\(name)' has shape \(found), expected \(expected)"
        case .unexpectedTensors(let file, let names): return "\(file): unexpected tensors \(names)"
        case .invalidInput(let why): return "invalid model input: \(why)"
        }
    }
}
