// swift-tools-version:6.2
import PackageDescription

/// Warnings are errors in every target of ours; the C shims are headers only.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "NarrativeWatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "narrative-watch", targets: ["narrative-watch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        // HMAC-SHA256 for Standard Webhooks signatures.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
    ],
    targets: [
        // C libraries from Debian, each behind a tiny shim for what Swift cannot call.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),

        // The pure core: configuration, matching, detection. No I/O, no C.
        .target(name: "NarrativeCore", swiftSettings: strict),

        // Adapters around the core, in pipeline order.
        .target(name: "FeedFetch", dependencies: ["CCurl", "NarrativeCore"], swiftSettings: strict),
        .target(name: "FeedParse", dependencies: ["CLibXML2", "NarrativeCore"], swiftSettings: strict),
        .target(name: "SeriesStore", dependencies: ["CSQLite", "NarrativeCore"], swiftSettings: strict),
        .target(name: "Notify", dependencies: [
            "CSystemd", "NarrativeCore", .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),

        // Webhook delivery: payloads, signatures, the retry schedule and the HTTP POST.
        .target(name: "Webhooks", dependencies: [
            "CCurl", "NarrativeCore", "FeedFetch", "SeriesStore", "Notify",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),

        // The pipeline that wires the adapters together, and the daemon that runs it.
        .target(name: "Pipeline", dependencies: [
            "NarrativeCore", "FeedFetch", "FeedParse", "SeriesStore", "Notify", "Webhooks",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),

        // The command line.
        .executableTarget(name: "narrative-watch", dependencies: [
            "Pipeline", "NarrativeCore", "FeedParse", "SeriesStore", "Notify", "Webhooks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),

        // Throughput benchmarks (`make bench`).
        .executableTarget(name: "narrative-bench", dependencies: ["NarrativeCore", "FeedParse", "Pipeline"],
                          path: "Benchmarks/NarrativeBench", swiftSettings: strict),

        .testTarget(name: "NarrativeCoreTests", dependencies: ["NarrativeCore", "TestSupport"],
                    resources: [], swiftSettings: strict),
        .testTarget(name: "AdapterTests", dependencies: ["FeedFetch", "FeedParse", "SeriesStore", "Notify", "NarrativeCore", "Pipeline", "Webhooks", "TestSupport",
                                                         .product(name: "Logging", package: "swift-log")],
                    resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["NarrativeCore", "TestSupport"], swiftSettings: strict),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
    ]
)
