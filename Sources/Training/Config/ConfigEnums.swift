import Foundation

extension TrainConfig {
    /// The fine-tuning tasks the trainer knows.
    public enum TaskName: String, Codable, CaseIterable, Sendable {
        case sst2, mrpc, cola, stsb, qnli, rte, mnli, qqp, wnli, squad
    }

    /// How the model is trained: plainly, or learning to skip tokens.
    public enum Method: String, Codable, CaseIterable, Sendable {
        case dense, transkimmer, blockskim
    }

    /// Whether a run resumes from a checkpoint: YAML `auto`, `never`, or a checkpoint path.
    public enum ResumePolicy: Codable, Equatable, Sendable {
        /// Resume from the newest valid checkpoint in the output directory, if any.
        case auto
        /// Always start from the pretrained model.
        case never
        /// Resume from this checkpoint directory.
        case path(String)

        /// The YAML spelling of the policy.
        public var text: String {
            switch self {
            case .auto: return "auto"
            case .never: return "never"
            case .path(let path): return path
            }
        }

        /// Parses the YAML spelling: `auto`, `never`, anything else is a path.
        public init(text: String) {
            switch text {
            case "auto": self = .auto
            case "never": self = .never
            default: self = .path(text)
            }
        }

        public init(from decoder: Decoder) throws {
            self.init(text: try decoder.singleValueContainer().decode(String.self))
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(text)
        }
    }
}
