extension Metrics {
    /// Pearson correlation of `x` and `y`, in [-1, 1]; NaN if either has zero variance.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count && !x.isEmpty, "pearson needs equal, non-empty inputs")
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            let dx = a - meanX, dy = b - meanY
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Spearman rank correlation: Pearson correlation of the ranks, ties given their average rank
    /// (as `scipy.stats.spearmanr`); NaN if either input is constant.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count && !x.isEmpty, "spearman needs equal, non-empty inputs")
        return pearson(ranks(x), ranks(y))
    }

    /// 1-based ranks of `values`; tied values share the mean of their ranks.
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let rank = Double(start + end + 1) / 2
            for i in start..<end { ranks[order[i]] = rank }
            start = end
        }
        return ranks
    }
}
