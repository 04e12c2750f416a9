import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The human progress line on standard error, for rank 0 only:
/// `step 120/4210 [2.8%] loss 0.4123 lr 4.2e-05 1,234 tok/s ETA 12m03s`; a skimming run adds the
/// mean kept fraction of real tokens over the layers after the loss (`kept 0.62`).
///
/// On a terminal the line is rewritten in place (carriage return) at every update; otherwise a
/// plain line is printed every ``every`` steps and at the last step.
public final class ProgressLine {
    /// Total optimizer steps of the run.
    public let totalSteps: Int
    /// Print interval, in steps, when not on a terminal.
    public let every: Int
    /// Whether the output is a terminal.
    public let isTerminal: Bool
    private let output: (String) -> Void
    private let clock: () -> Double
    private let startStep: Int
    private let startTime: Double
    private var rewriting = false

    /// A progress line for a run of `totalSteps` steps that starts (or resumes) at `startStep`.
    /// `output` receives the text to write; `clock` gives monotonic seconds (for the ETA).
    public init(totalSteps: Int, startStep: Int = 0, every: Int = 10,
                isTerminal: Bool = ProgressLine.standardErrorIsTerminal,
                output: @escaping (String) -> Void = ProgressLine.writeToStandardError,
                clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.totalSteps = totalSteps
        self.startStep = startStep
        self.every = max(1, every)
        self.isTerminal = isTerminal
        self.output = output
        self.clock = clock
        self.startTime = clock()
    }

    /// Whether standard error is a terminal.
    public static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// Writes `text` to standard error unbuffered.
    public static func writeToStandardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Reports that `step` steps are complete.
    public func update(step: Int, loss: Double, keptFraction: Double? = nil, learningRate: Double, tokensPerSecond: Double) {
        let done = step - startStep
        let eta = done > 0 ? (clock() - startTime) / Double(done) * Double(max(0, totalSteps - step)) : nil
        let line = Self.format(step: step, totalSteps: totalSteps, loss: loss, keptFraction: keptFraction, learningRate: learningRate,
                               tokensPerSecond: tokensPerSecond, etaSeconds: eta)
        if isTerminal {
            output("\r" + line + "\u{1B}[K")
            rewriting = true
        } else if step % every == 0 || step == totalSteps {
            output(line + "\n")
        }
    }

    /// Ends the rewritten line on a terminal, so later output starts on a new line.
    public func finish() {
        if rewriting {
            output("\n")
            rewriting = false
        }
    }

    /// The progress text; the percentage is rounded down, the ETA is `--` when unknown.
    public static func format(step: Int, totalSteps: Int, loss: Double, keptFraction: Double? = nil, learningRate: Double,
                              tokensPerSecond: Double, etaSeconds: Double?) -> String {
        let permille = totalSteps > 0 ? step * 1000 / totalSteps : 0
        return "step \(step)/\(totalSteps) [\(permille / 10).\(permille % 10)%]"
            + " loss " + String(format: "%.4f", loss)
            + (keptFraction.map { " kept " + String(format: "%.2f", $0) } ?? "")
            + " lr " + String(format: "%.1e", learningRate)
            + " " + grouped(tokensPerSecond.isFinite ? Int(tokensPerSecond.rounded()) : 0) + " tok/s"
            + " ETA " + (etaSeconds.map(duration) ?? "--")
    }

    /// `1,234,567`: an integer with comma thousands separators.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (value < 0 ? "-" : "") + result
    }

    /// `45s`, `12m03s`, `2h05m09s`: a duration rounded to whole seconds.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let two = { (value: Int) in String(value).leftPadded(to: 2) }
        if hours > 0 { return "\(hours)h\(two(minutes))m\(two(secs))s" }
        if minutes > 0 { return "\(minutes)m\(two(secs))s" }
        return "\(secs)s"
    }
}
