import ArgumentParser
import FoundationEssentials
import Glibc
import Logging
import NarrativeCore
import Notify
import Pipeline
import SeriesStore

/// Options every subcommand takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file.", valueName: "path"))
    var config: String?

    /// Loads and validates the configuration, or exits 78 (EX_CONFIG) with one line per problem.
    func load() throws -> (Configuration, path: String) {
        do {
            return try ConfigurationFile.load(explicit: config)
        } catch {
            Journal.writeStderr(error.description)
            throw ExitCode(78)
        }
    }
}

/// Options of the subcommands that read the database.
struct DataOptions: ParsableArguments {
    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: ArgumentHelp("Database file (overrides the configuration).", valueName: "path"))
    var database: String?

    @Option(name: .long, help: "Output: table, json or csv (default: table on a terminal, else json).")
    var format: OutputFormat?

    var outputFormat: OutputFormat { .resolved(format) }

    /// The database path from --database, else the configuration.
    func databasePath() throws -> String {
        if let database { return database }
        let (configuration, _) = try configOptions.load()
        return ConfigurationFile.databasePath(configured: configuration.storage.database, override: nil)
    }
}

extension DataOptions {
    /// The configuration, read unless --database is given without --config: then the
    /// database stands alone and none is looked for.
    func configurationUnlessDatabaseAlone() throws -> Configuration? {
        database == nil || configOptions.config != nil ? try configOptions.load().0 : nil
    }

    /// Refuses narrative ids that neither the configuration nor the database knows, so a typo
    /// is not mistaken for a quiet narrative. With nothing known at all (a new database on its
    /// own) there is nothing to check against.
    func checkKnown(_ ids: [String], in database: NarrativeDatabase) throws {
        let configured = Set(try configurationUnlessDatabaseAlone()?.narratives.map(\.id) ?? [])
        for id in ids where !configured.contains(id) {
            guard try !database.knows(narrative: id) else { continue }
            let known = configured.union(try database.narratives())
            guard !known.isEmpty else { return }
            throw fail("unknown narrative '\(id)'; known: \(known.sorted().joined(separator: ", "))", code: 64)
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv

    /// The format asked for, else a table on a terminal and JSON for a pipe or a file.
    static func resolved(_ asked: OutputFormat?) -> OutputFormat { asked ?? (isatty(STDOUT_FILENO) == 1 ? .table : .json) }
}

/// Writes to stdout without buffering surprises.
func emit(_ text: String) {
    Descriptor.standardOutput.write(text.hasSuffix("\n") ? text : text + "\n")
}

/// Prints one line to stderr, named as the command's other messages are.
func warn(_ message: String) {
    Journal.writeStderr("narrative-watch: \(message)")
}

/// A database the command could not use: EX_CONFIG (78) when it contradicts the configuration,
/// which restarting will not mend and systemd does not restart on, else 1.
func fail(database path: String, _ error: StoreError) -> ExitCode {
    fail("database \(path): \(error)", code: error.contradictsConfiguration ? 78 : 1)
}

/// Prints one clear line to stderr and exits non-zero.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    warn(message)
    return ExitCode(code)
}

/// Parses `--since`/`--until`: a duration back from now (`30d`) or an ISO 8601 date.
func parseTime(_ text: String, now: Int64, option: String) throws -> Int64 {
    if let seconds = ConfigUnits.seconds(text, limit: .max) {
        // Far enough back for any history, not so far that the time has no ISO 8601 form.
        guard Int64(seconds) <= now - TimeArgument.firstSecondOfYearOne else { throw fail("\(option) '\(text)' reaches back before the year 1", code: 64) }
        return now - Int64(seconds)
    }
    if let time = TimeArgument.iso8601(text) { return time }
    throw fail("\(option) '\(text)' is neither a duration (30d, 12h) nor an ISO 8601 time (2026-11-28T10:00:00Z)", code: 64)
}

enum Logs {
    /// Structured journal entries under systemd, readable lines on stderr otherwise.
    static func bootstrap(level: Logger.Level = .info) {
        let toJournal = Journal.stderrIsJournalStream
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = toJournal ? JournalLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
