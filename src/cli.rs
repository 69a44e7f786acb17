//! The command line, as clap definitions: every flag and subcommand lives here and nowhere else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::day::Day;

/// vestige: a fast architecture guard that keeps removed code from coming back.
#[derive(Debug, Parser)]
#[command(name = "vestige", version, about, propagate_version = true)]
pub struct Cli {
    /// When to use colours: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes of `vestige check`, for its long help and its manual page.
const EXIT_STATUS: &str = "EXIT STATUS:
  0  no finding fails the run (warnings may have been reported; always 0 with --exit-zero)
  1  a finding of error severity (or a warning, with --deny-warnings)
  2  vestige failed: a usage or rule-file error, a git error, or a file or directory that could
     not be read (the gate did not see everything, so 2 wins over 1)";

/// vestige's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan the tree and report every forbidden reference.
    #[command(after_long_help = EXIT_STATUS)]
    Check(CheckArgs),
    /// List the rules of the rule file.
    Rules(RulesArgs),
    /// Print one rule in full.
    Explain(ExplainArgs),
    /// Show how much of a removal is left: per rule, token, file and directory.
    Report(ReportArgs),
    /// Write a commented starter vestige.toml (and its JSON Schema) for this project.
    Init(InitArgs),
    /// Print the JSON Schema of the rule file, for editors (Taplo, Even Better TOML).
    Schema,
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print a manual page (roff): vestige(1), or a subcommand's, e.g. vestige-check(1) with
    /// `vestige man check`.
    Man(ManArgs),
}

/// Arguments of `vestige man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (default: the page of vestige itself).
    #[arg(value_name = "SUBCOMMAND")]
    pub command: Option<String>,
}

/// Arguments of `vestige init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing vestige.toml or vestige.schema.json.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `vestige completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Where the rule file and the project root are.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// The rule file (default: the first vestige.toml or .vestige.toml in the current directory or
    /// an ancestor).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The project root that scan roots and path patterns are relative to (default: the
    /// directory holding the rule file).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// The day that decides whether a `warn_until` rule still warns (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<Day>,
}

/// Arguments of `vestige rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Where the rule file is.
    #[command(flatten)]
    pub project: ProjectArgs,

    /// List every token of each rule with the naming variants it expands to.
    #[arg(long)]
    pub expand: bool,
}

/// Arguments of `vestige explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The id of the rule.
    pub rule: String,

    /// Where the rule file is.
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// Arguments of `vestige report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Where the rule file is.
    #[command(flatten)]
    pub project: ProjectArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,

    /// Also count how many findings this baseline still tolerates (default: the rule file's
    /// `[baseline] file`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Number of threads to scan with (default: one per CPU; at most four per CPU).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// The output formats of `vestige report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown tables, ready to paste into a pull request.
    Markdown,
    /// One JSON document.
    Json,
}

/// Arguments of `vestige check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to scan (default: the rule file's whole scan scope). They still obey
    /// the rule file's roots, excludes and .gitignore.
    pub paths: Vec<PathBuf>,

    /// Where the rule file is.
    #[command(flatten)]
    pub project: ProjectArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Print only the paths of the files with findings, one per line, sorted, with no summary
    /// (like `rg -l`); the exit code is as usual.
    #[arg(long, short = 'l', conflicts_with_all = ["format", "write_baseline"])]
    pub files_with_matches: bool,

    /// Number of threads to scan with (default: one per CPU; at most four per CPU).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Print nothing but errors; the exit code tells the result.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// After the report, print files and bytes scanned, the time taken and the findings of each
    /// rule on stderr.
    #[arg(long)]
    pub statistics: bool,

    /// Report findings but exit with 0 unless vestige itself failed (2 stays 2).
    #[arg(long, conflicts_with = "deny_warnings")]
    pub exit_zero: bool,

    /// Make warnings fail the run (exit 1) as errors do.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Report only findings on lines added or changed since the merge base of REV and HEAD:
    /// committed, staged and unstaged edits, and untracked files. Only changed files are read.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,

    /// Report only findings on lines staged for commit (for pre-commit hooks).
    #[arg(long, conflicts_with = "since")]
    pub staged: bool,

    /// Scan nothing; only fail (exit 1) if the baseline, tracked by git, tolerates more than at
    /// the merge base of REV and HEAD. `--since REV` makes this check too.
    #[arg(
        long,
        value_name = "REV",
        conflicts_with_all = ["paths", "since", "staged", "no_baseline", "write_baseline", "prune_baseline"]
    )]
    pub ratchet: Option<String>,

    /// Hide the findings this baseline file tolerates, so that only new ones fail (default: the
    /// rule file's `[baseline] file`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Report every finding, ignoring the rule file's baseline.
    #[arg(long, conflicts_with = "baseline")]
    pub no_baseline: bool,

    /// Record every current finding in FILE as the new baseline, print nothing else, exit 0.
    /// Without FILE: the rule file's `[baseline] file`. (Before PATHS, write
    /// `--write-baseline=FILE`.)
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        require_equals = false,
        conflicts_with_all = ["baseline", "prune_baseline"]
    )]
    pub write_baseline: Option<Option<PathBuf>>,

    /// Rewrite the baseline without the findings that are gone from the code; never adds one.
    #[arg(long)]
    pub prune_baseline: bool,
}

/// The output formats of `vestige check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One diagnostic per finding with the source line, then a summary.
    Human,
    /// One `path:line:column: severity[rule]: message` line per finding.
    Short,
    /// One JSON document with every finding and a summary.
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands, one annotation per finding.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML: a test suite per rule, a test case per finding, failing for errors (and
    /// warnings under --deny-warnings), else passing with the diagnostic in system-out.
    Junit,
    /// Checkstyle XML, as reviewdog reads it.
    Checkstyle,
}

impl Format {
    /// Whether the summary line follows on stderr: not after the formats that are one
    /// machine-readable document.
    pub fn has_summary(self) -> bool {
        matches!(self, Self::Human | Self::Short | Self::Github)
    }
}

/// When to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}
