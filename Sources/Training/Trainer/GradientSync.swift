import BERT
import Distributed

extension GradientReducer {
    /// A reducer over `model`'s flat gradient block, one range per layout tensor. The word
    /// embedding's gradient is reduced row-sparsely (only the rows of tokens some rank saw), unless
    /// `sparseEmbedding` is false; both give the same result.
    public convenience init(communicator: Communicator, model: BertModel, sparseEmbedding: Bool = true,
                            watchdog: Watchdog? = nil) throws {
        let embedding = model.layout.index(of: "bert.embeddings.word_embeddings.weight")
        try self.init(communicator: communicator, block: model.gradients.buffer,
                      tensors: model.layout.tensors.map { TensorRange(offset: $0.offset, count: $0.count) },
                      rowSparse: sparseEmbedding ? embedding.map { RowSparseTensor(index: $0, width: model.config.hiddenSize) } : nil,
                      watchdog: watchdog)
    }
}

extension BertModel {
    /// Backward of the last training forward with the gradient sync overlapped: opens a step of
    /// `reducer`, posts each bucket as a non-blocking allreduce once backward has finished its
    /// layers (last layer first, the same order on every rank), and gives MPI a chance to progress
    /// after every layer. Call `reducer.finish(scale:)` next to wait for the rest.
    public func backward(postingTo reducer: GradientReducer) throws {
        try reducer.beginStep()
        try backward { offset in
            try reducer.markReady(from: offset)
            try reducer.progress()
        }
    }
}
