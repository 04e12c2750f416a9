/// A character trie over the vocabulary's tokens, for greedy longest-match WordPiece.
///
/// Nodes are numbered from 0 (the root). Edges live in one open-addressing hash table keyed by
/// `(node << 32) | scalar`; the root's and the `##` node's ASCII children are also kept in dense
/// 128-entry arrays because almost every word starts there. A node's `tokenID` is the id of the
/// token spelled by the path to it, or -1.
struct VocabularyTrie: Sendable {
    private static let emptyKey = UInt64.max

    private var tokenIDs: [Int32] = [-1]
    private var edgeKeys: [UInt64] = []
    private var edgeTargets: [Int32] = []
    private var edgeMask = 0
    private var rootASCII = [Int32](repeating: -1, count: 128)
    private var continuationASCII = [Int32](repeating: -1, count: 128)
    /// The node reached by `"##"`, where continuation pieces start; -1 if no token begins with `##`.
    private(set) var continuationRoot: Int32 = -1

    /// The root node, where word-initial pieces start.
    static let root: Int32 = 0

    /// Builds the trie; a later duplicate of a token overrides the earlier id (as in Hugging Face).
    init(tokens: [String]) {
        var edges: [UInt64: Int32] = [:]
        for (id, token) in tokens.enumerated() {
            var node: Int32 = 0
            for scalar in token.unicodeScalars {
                let key = UInt64(UInt32(node)) << 32 | UInt64(scalar.value)
                if let next = edges[key] {
                    node = next
                } else {
                    let next = Int32(tokenIDs.count)
                    tokenIDs.append(-1)
                    edges[key] = next
                    node = next
                }
            }
            if node != 0 { tokenIDs[Int(node)] = Int32(id) }
        }
        var capacity = 1024
        while capacity < edges.count * 2 { capacity *= 2 }
        edgeKeys = [UInt64](repeating: Self.emptyKey, count: capacity)
        edgeTargets = [Int32](repeating: -1, count: capacity)
        edgeMask = capacity - 1
        for (key, target) in edges {
            var slot = Self.slot(key, mask: edgeMask)
            while edgeKeys[slot] != Self.emptyKey { slot = (slot + 1) & edgeMask }
            edgeKeys[slot] = key
            edgeTargets[slot] = target
        }
        let hash = UInt32(UInt8(ascii: "#"))
        let first = edges[UInt64(hash)]
        continuationRoot = first.flatMap { edges[UInt64(UInt32($0)) << 32 | UInt64(hash)] } ?? -1
        for c in 0..<UInt32(128) {
            rootASCII[Int(c)] = edges[UInt64(c)] ?? -1
            if continuationRoot >= 0 {
                continuationASCII[Int(c)] = edges[UInt64(UInt32(continuationRoot)) << 32 | UInt64(c)] ?? -1
            }
        }
    }

    private static func slot(_ key: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    /// The child of `node` along `scalar`, or -1.
    @inline(__always)
    func child(_ node: Int32, _ scalar: UInt32) -> Int32 {
        if scalar < 128 {
            if node == 0 { return rootASCII[Int(scalar)] }
            if node == continuationRoot { return continuationASCII[Int(scalar)] }
        }
        let key = UInt64(UInt32(node)) << 32 | UInt64(scalar)
        var slot = Self.slot(key, mask: edgeMask)
        while true {
            let k = edgeKeys[slot]
            if k == key { return edgeTargets[slot] }
            if k == Self.emptyKey { return -1 }
            slot = (slot + 1) & edgeMask
        }
    }

    /// The token id at `node`, or -1 if no token ends there.
    @inline(__always)
    func tokenID(_ node: Int32) -> Int32 { tokenIDs[Int(node)] }

    /// The longest token that is a prefix of `scalars[start..<end]`, walking from `node`
    /// (`root` for a word's first piece, `continuationRoot` for the rest).
    /// Returns the token id and the end index of the match, or `nil` if no non-empty prefix is a token.
    @inline(__always)
    func longestMatch(_ scalars: UnsafeBufferPointer<UInt32>, from start: Int, to end: Int,
                      startingAt node: Int32) -> (id: Int32, end: Int)? {
        guard node >= 0 else { return nil }
        var node = node
        var best: (id: Int32, end: Int)?
        var i = start
        while i < end {
            node = child(node, scalars[i])
            if node < 0 { break }
            i += 1
            let id = tokenIDs[Int(node)]
            if id >= 0 { best = (id, i) }
        }
        return best
    }
}
