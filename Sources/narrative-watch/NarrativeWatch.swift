import ArgumentParser
import Pipeline

@main
struct NarrativeWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "narrative-watch",
        abstract: "Watch crypto news feeds for narratives and report their spikes.",
        discussion: """
        Polls the configured feeds, counts every narrative's terms (English, Arabic, Chinese and more), \
        keeps the series in SQLite, and raises a journal entry when a narrative spikes against its own baseline.

        Examples:
          narrative-watch run --config /etc/narrative-watch/narrative-watch.toml
          narrative-watch history ai --since 7d
          narrative-watch alerts --format json
        """,
        version: Product.version,
        subcommands: [Run.self, PollOnce.self, Status.self, History.self, Alerts.self, Feeds.self, CheckConfig.self, Parse.self, Detect.self, Backtest.self, Prune.self, Export.self]
    )
}
