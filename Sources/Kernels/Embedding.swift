/// Row lookup in an embedding table [vocab, width] and its scatter-add gradient.
public enum Embedding {
    /// out[n, :] (+)= table[ids[n], :]; `accumulate` adds instead of overwriting.
    public static func forward(ids: UnsafePointer<Int32>, table: UnsafePointer<Float>,
                               out: UnsafeMutablePointer<Float>, rows: Int, width: Int, accumulate: Bool) {
        for n in 0..<rows {
            let src = table + Int(ids[n]) * width
            let dst = out + n * width
            if accumulate {
                for c in 0..<width { dst[c] += src[c] }
            } else {
                dst.update(from: src, count: width)
            }
        }
    }

    /// dTable[ids[n], :] += dOut[n, :], except for rows whose id is `paddingIndex` (never updated,
    /// as `nn.Embedding(padding_idx:)`).
    public static func backward(ids: UnsafePointer<Int32>, dOut: UnsafePointer<Float>,
                                dTable: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                                paddingIndex: Int32?) {
        for n in 0..<rows {
            let id = ids[n]
            if id == paddingIndex { continue }
            let dst = dTable + Int(id) * width
            let src = dOut + n * width
            for c in 0..<width { dst[c] += src[c] }
        }
    }
}
