extension GLUEDataset {
    /// The first `count` examples (all of them if there are fewer), e.g. for quick runs and CI.
    public func prefix(_ count: Int) -> GLUEDataset {
        GLUEDataset(task: task, file: file, examples: Array(examples.prefix(count)), skippedLines: skippedLines)
    }
}
