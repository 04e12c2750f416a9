import BERT
import Distributed

extension GradientReducer {
    /// A reducer over `model`'s flat gradient block, one range per layout tensor.
    public convenience init(communicator: Communicator, model: BertModel, watchdog: Watchdog? = nil) throws {
        try self.init(communicator: communicator, block: model.gradients.buffer,
                      tensors: model.layout.tensors.map { TensorRange(offset: $0.offset, count: $0.count) },
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
