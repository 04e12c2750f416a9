// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "skim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skim", targets: ["skim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C libraries of the system, wrapped for Swift.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // Numerics: forward/backward kernels on flat Float buffers.
        .target(name: "Kernels", dependencies: ["CBLAS"]),
        // safetensors files: validated reader, atomic writer.
        .target(name: "SafeTensors"),
        // BERT, its heads, the skimming predictors, inference with token removal, FLOPs.
        .target(name: "BERT", dependencies: ["Kernels", "SafeTensors"]),
        // WordPiece tokenizer, GLUE and SQuAD readers, batching, metrics.
        .target(name: "Text"),
        // Communicators (MPI and in-process), gradient reducer, handshake, watchdog.
        .target(name: "Distributed", dependencies: ["CMPI"]),
        // Optimizer, schedules, coordinator, checkpoints, the training loop.
        .target(name: "Training", dependencies: [
            "BERT", "Text", "Distributed", "SafeTensors", "Yams",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The command-line tool.
        .executableTarget(name: "skim", dependencies: [
            "Training", "BERT", "Text", "Distributed", "Kernels",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Runs the built skim binary (alone or under mpirun) with a deadline, for end-to-end tests.
        .target(name: "SkimTestSupport", path: "Tests/SkimTestSupport"),

        .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"]),
        .testTarget(name: "BERTTests", dependencies: ["BERT", "Kernels", "SafeTensors"]),
        .testTarget(name: "TextTests", dependencies: ["Text"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "SkimTestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "BERT", "Text", "Distributed", "SafeTensors",
                                                          "SkimTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
