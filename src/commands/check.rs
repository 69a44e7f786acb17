//! `vestige check`: scan, apply the baseline, the changed lines and the ratchet, report in the
//! chosen format, and say how the run ended. The flags are resolved once into a `Plan` (which
//! files, which changed lines, what becomes of the baseline, what is printed); the run then
//! follows the plan without looking at a flag again.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::{Gate, Outcome};
use super::{OutputError, style};
use crate::baseline::{self, Applying, Baseline, Resolved};
use crate::changes::{self, Changes, Since};
use crate::cli::{self, CheckArgs, Cli};
use crate::finding::{self, Finding, Severity, Suppressed, Suppression, visible};
use crate::format::{self, Format, Results, Summary, plural};
use crate::project::{Found, Keep, Project, sort};
use crate::ruleset;
use crate::store::Findings;
use crate::write::Target;
use crate::{ratchet, walk};

/// Runs `vestige check` with `args`.
pub fn run(cli: &Cli, args: &CheckArgs) -> miette::Result<Outcome> {
    // The baselines named on the command line are never scanned, like the rule file's.
    let named = [
        args.baseline.as_deref().filter(|_| !args.no_baseline),
        args.write_baseline.as_ref().and_then(Option::as_deref),
    ];
    let project = super::load(&args.project, named.into_iter().flatten().collect())?;
    let plan = Plan::new(&project, cli, args)?;
    plan.run(&project)
}

/// What one `vestige check` does, every flag resolved.
struct Plan {
    /// The files and directories named, under the project root; empty for the whole scope.
    paths: Vec<PathBuf>,
    /// Walker threads (default: one per CPU).
    threads: Option<u16>,
    /// The changed files and lines findings are narrowed to (`--since`, `--staged`, `--ratchet`).
    changes: Option<Changes>,
    /// `--ratchet` alone: nothing is scanned, only the baseline compared.
    ratchet_only: bool,
    /// What becomes of the baseline.
    baseline: BaselinePlan,
    /// The format the findings are printed in on stdout; `None` when nothing is printed there.
    format: Option<Box<dyn Format>>,
    /// Whether warnings fail the run, as the formats that show a verdict say.
    warnings_fail: bool,
    /// Whether notes and what was written go to stderr (not under `--quiet`).
    notes: bool,
    /// Whether the summary line follows on stderr.
    summary_line: bool,
    /// Whether the `--statistics` lines follow on stderr.
    statistics: bool,
    /// Which findings fail the run.
    gate: Gate,
    /// What the scan keeps for the format and the baseline: the suppressed findings (or only
    /// their count), the source lines.
    keep: Keep,
}

/// What a check does with the baseline.
enum BaselinePlan {
    /// No baseline: every finding is reported.
    Off,
    /// `--write-baseline`: the findings are written to `target` (shown as `path`) and not
    /// reported.
    Write { path: PathBuf, target: Target },
    /// The baseline at `path` hides the findings it tolerates; `prune` rewrites it without the
    /// entries the code no longer has; `count_resolved` (a scan of the whole tree) counts those.
    Apply {
        path: PathBuf,
        baseline: Baseline,
        prune: Option<Target>,
        count_resolved: bool,
    },
}

impl BaselinePlan {
    /// Whether the baseline keys findings on their source line (`baseline::key`): it is written
    /// or applied.
    fn keys_on_source(&self) -> bool {
        matches!(self, Self::Write { .. } | Self::Apply { .. })
    }
}

impl Plan {
    /// Resolves `args` against the loaded `project`: every mistake in the flags fails here,
    /// before anything is scanned.
    fn new(project: &Project, cli: &Cli, args: &CheckArgs) -> miette::Result<Self> {
        let baseline_path = if args.no_baseline {
            None
        } else {
            super::baseline_path(project, args.baseline.as_deref())
        };
        let written_path = match &args.write_baseline {
            None => None,
            Some(path) => Some(super::baseline_path(project, path.as_deref()).ok_or_else(|| {
                miette::miette!(
                    help = "name the file, `--write-baseline=vestige-baseline.toml`, or set it in \
                            the rule file: [baseline] file = \"vestige-baseline.toml\"",
                    "--write-baseline without a file needs `file` in the rule file's [baseline] \
                     table"
                )
            })?),
        };
        let paths: Vec<PathBuf> = args
            .paths
            .iter()
            .map(|p| project.under_root(&walk::absolute(&project.cwd, p)))
            .collect();
        let changes = changes(project, args)?;
        let whole_tree = paths.is_empty() && changes.is_none();
        let baseline = baseline_plan(project, args, baseline_path, written_path, whole_tree)?;
        check_paths(&paths, &project.root)?;
        if args.ratchet.is_some() && !matches!(baseline, BaselinePlan::Apply { .. }) {
            miette::bail!(
                "--ratchet needs a baseline: --baseline FILE, or `file` in the rule file's \
                 [baseline] table"
            );
        }
        let writing = matches!(baseline, BaselinePlan::Write { .. });
        let format = (!args.quiet && !writing).then(|| {
            if args.files_with_matches {
                format::files_with_matches()
            } else {
                format::select(
                    kind(args.format),
                    style(cli.color, io::stdout().is_terminal()),
                )
            }
        });
        let keep = Keep {
            suppressed: format.as_ref().is_some_and(|f| f.shows_suppressed()),
            source: format.as_ref().is_some_and(|f| f.shows_source()) || baseline.keys_on_source(),
        };
        let gate = if args.exit_zero {
            Gate::Never
        } else if args.deny_warnings {
            Gate::Warnings
        } else {
            Gate::Errors
        };
        Ok(Self {
            paths,
            threads: args.threads,
            changes,
            ratchet_only: args.ratchet.is_some(),
            baseline,
            format,
            warnings_fail: args.deny_warnings,
            notes: !args.quiet,
            summary_line: !args.quiet
                && !writing
                && args.format.has_summary()
                && !args.files_with_matches,
            statistics: args.statistics && !args.quiet,
            gate,
            keep,
        })
    }

    /// Scans, applies the baseline and the changed lines, prints, and says how the run ended.
    fn run(mut self, project: &Project) -> miette::Result<Outcome> {
        let started = Instant::now();
        let mut found = if self.ratchet_only {
            Found::default()
        } else {
            let changes = self.changes.as_ref();
            project.walk_and_scan(&self.paths, self.threads, changes, self.keep)?
        };
        let mut summary = Summary {
            files_scanned: found.files,
            bytes_scanned: found.bytes,
            binary_skipped: found.binary,
            ..Summary::default()
        };
        let mut stderr = io::stderr().lock();
        let mut resolved = Vec::new();
        if self.settles() {
            resolved = self.settle(project, &mut found, &mut summary, &mut stderr)?;
        }
        summary.suppressed = found.suppressed_not_kept
            + found
                .suppressed
                .iter()
                .filter(|s| matches!(s.by, Suppression::Marker(_)))
                .count();
        summary.tally(&found.findings, &project.rules.rules);
        summary.elapsed = started.elapsed();
        self.print(project, &found, &summary, &resolved, &mut stderr)?;
        Ok(Outcome {
            errors: summary.count(Severity::Error),
            warnings: summary.count(Severity::Warning),
            problems: found.problems.len(),
            gate: self.gate,
        })
    }

    /// Whether a stage after the scan changes the findings: the baseline (written or applied)
    /// and the changed lines. Without them, the findings go from the scan to the output as they
    /// are.
    fn settles(&self) -> bool {
        !matches!(self.baseline, BaselinePlan::Off) || self.changes.is_some()
    }

    /// Applies, file by file, the stages between the scan and the output: writes or applies the
    /// baseline, keeps what is on the changed lines, adds the ratchet's findings; returns the
    /// baseline entries the code no longer has.
    fn settle(
        &mut self,
        project: &Project,
        found: &mut Found,
        summary: &mut Summary,
        stderr: &mut impl Write,
    ) -> miette::Result<Vec<Resolved>> {
        let rules = &project.rules.rules;
        let rule_id = |r: usize| rules[r].id.as_str();
        let changes = self.changes.as_ref();
        let mut written = match &self.baseline {
            BaselinePlan::Write { target, .. } if !found.problems.is_empty() => {
                not_writing(target, stderr);
                None
            }
            BaselinePlan::Write { .. } => Some(Baseline::default()),
            _ => None,
        };
        let mut applying = match &mut self.baseline {
            BaselinePlan::Apply { baseline, .. } => Some(std::mem::take(baseline).applying()),
            _ => None,
        };
        let grew = self.ratchet(project, found)?;
        let mut hidden = Vec::new();
        let mut settled = Findings::new(Arc::clone(found.findings.texts()));
        let mut scratch = Vec::new();
        for (mut file, grown) in found.findings.files_with(&grew, |g| &g.path) {
            if let Some(baseline) = &mut written {
                baseline.add(&file, rules);
                continue;
            }
            if let Some(applying) = &mut applying {
                let tolerated = applying.take(&mut file, rules, |f| !changes::keeps(changes, f));
                summary.baselined += tolerated.len();
                if self.keep.suppressed {
                    let shown = tolerated.into_iter().filter(|f| changes::keeps(changes, f));
                    hidden.extend(shown);
                }
            }
            file.retain(|f| changes::keeps(changes, f));
            let file = finding::merge(file, grown.to_vec(), |f| f, rule_id);
            settled.add_file(&file, &mut scratch);
        }
        found.findings = settled;
        found
            .suppressed
            .retain(|s| changes::keeps(changes, &s.finding));
        if !hidden.is_empty() {
            let hidden = hidden.into_iter().map(|finding| Suppressed {
                finding,
                by: Suppression::Baseline,
            });
            let by_markers = std::mem::take(&mut found.suppressed);
            found.suppressed =
                finding::merge(by_markers, hidden.collect(), |s| &s.finding, rule_id);
        }
        if let (Some(written), BaselinePlan::Write { path, target }) = (written, &self.baseline) {
            written.write(target)?;
            if self.notes {
                let _ = writeln!(
                    stderr,
                    "vestige: wrote {} to the baseline {}",
                    plural(written.len(), "finding"),
                    visible(&path.display().to_string())
                );
            }
        }
        match applying {
            Some(applying) => self.finish_baseline(found, applying, summary, stderr),
            None => Ok(Vec::new()),
        }
    }

    /// When the run has changed lines and applies a baseline (`--ratchet`, or `--since` with a
    /// baseline; `--staged` has no merge base, so nothing is compared): the findings of the
    /// baseline entries that grew since the merge base, sorted; its note goes to `found`.
    fn ratchet(&self, project: &Project, found: &mut Found) -> miette::Result<Vec<Finding>> {
        let (Some(changes), BaselinePlan::Apply { path, .. }) = (&self.changes, &self.baseline)
        else {
            return Ok(Vec::new());
        };
        let path = project.under_root(path);
        let (root, rules) = (&project.root, &project.rules);
        let mut grew = ratchet::compare(changes, &path, root, rules, self.ratchet_only)?;
        sort(&mut grew.findings, rules);
        found.notes.extend(grew.note);
        Ok(grew.findings)
    }

    /// Once the baseline was applied to every file: prunes it if asked, and returns the entries
    /// the code no longer has.
    fn finish_baseline(
        &self,
        found: &Found,
        applying: Applying,
        summary: &mut Summary,
        stderr: &mut impl Write,
    ) -> miette::Result<Vec<Resolved>> {
        let BaselinePlan::Apply {
            prune,
            count_resolved,
            ..
        } = &self.baseline
        else {
            return Ok(Vec::new());
        };
        if let Some(target) = prune.as_ref().filter(|_| !found.problems.is_empty()) {
            not_writing(target, stderr);
        }
        let unread: HashSet<&str> = found.unread.iter().map(String::as_str).collect();
        let applied = applying.finish(|path| unread.contains(path));
        let prune = prune.as_ref().filter(|_| found.problems.is_empty());
        if let Some(target) = prune.filter(|_| !applied.resolved.is_empty()) {
            applied.kept.write(target)?;
        }
        if !*count_resolved {
            return Ok(Vec::new());
        }
        summary.baseline_resolved = applied.resolved_findings();
        Ok(applied.resolved)
    }

    /// Prints the findings on stdout, then problems, notes, the summary line and the statistics
    /// on stderr, each as the plan says.
    fn print(
        &self,
        project: &Project,
        found: &Found,
        summary: &Summary,
        resolved: &[Resolved],
        stderr: &mut impl Write,
    ) -> miette::Result<()> {
        let rules = &project.rules.rules;
        if let Some(format) = &self.format {
            let results = Results {
                rules,
                findings: &found.findings,
                suppressed: &found.suppressed,
                baseline: matches!(self.baseline, BaselinePlan::Apply { .. }),
                summary,
                warnings_fail: self.warnings_fail,
            };
            let mut out = io::BufWriter::new(io::stdout().lock());
            format
                .write(&results, &mut out)
                .and_then(|()| out.flush())
                .map_err(OutputError)?;
        }
        for problem in &found.problems {
            let _ = writeln!(stderr, "vestige: {}", visible(problem));
        }
        if self.notes {
            let baseline = match &self.baseline {
                BaselinePlan::Apply { path, prune, .. } => Some((path.as_path(), prune.is_some())),
                _ => None,
            };
            let resolved = resolved_notes(resolved, summary.baseline_resolved, baseline);
            for note in found.notes.iter().chain(&resolved) {
                let _ = writeln!(stderr, "vestige: note: {}", visible(note));
            }
        }
        if self.summary_line {
            let _ = writeln!(stderr, "{}", summary.line());
        }
        if self.statistics {
            let _ = write!(stderr, "{}", statistics(summary, &found.findings, rules));
        }
        Ok(())
    }
}

/// Says that the baseline at `target` is not written because part of the tree could not be read.
fn not_writing(target: &Target, stderr: &mut impl Write) {
    let _ = writeln!(
        stderr,
        "vestige: not writing the baseline {}: part of the tree could not be read, and a \
         baseline is written only from a complete scan",
        visible(&target.path().display().to_string())
    );
}

/// The changed files and lines `--since`, `--ratchet` or `--staged` narrow the run to.
fn changes(project: &Project, args: &CheckArgs) -> miette::Result<Option<Changes>> {
    let (root, rules) = (&project.root, &project.rules);
    Ok(match (&args.since, &args.ratchet, args.staged) {
        (Some(rev), _, _) => Some(Changes::read(root, rules, Since::Rev(rev))?),
        (None, Some(rev), _) => {
            Some(Changes::read(root, rules, Since::Rev(rev)).map_err(ratchet::said_of_ratchet)?)
        }
        (None, None, true) => Some(Changes::read(root, rules, Since::Staged)?),
        (None, None, false) => None,
    })
}

/// What becomes of the baseline: written (`written_path`), applied (`baseline_path`, pruned
/// with `--prune-baseline`), or neither; writing and pruning need a scan of the `whole_tree`.
fn baseline_plan(
    project: &Project,
    args: &CheckArgs,
    baseline_path: Option<PathBuf>,
    written_path: Option<PathBuf>,
    whole_tree: bool,
) -> miette::Result<BaselinePlan> {
    if !whole_tree && (written_path.is_some() || args.prune_baseline) {
        miette::bail!(
            "--write-baseline and --prune-baseline need a scan of the whole tree, \
             without PATHS, --since or --staged"
        );
    }
    let rule_file = &project.file.path;
    if let Some(path) = written_path {
        let target = baseline::target(&path, rule_file)?;
        return Ok(BaselinePlan::Write { path, target });
    }
    let Some(path) = baseline_path else {
        if args.prune_baseline {
            miette::bail!(
                "--prune-baseline needs a baseline: --baseline FILE, or `file` in the rule \
                 file's [baseline] table"
            );
        }
        return Ok(BaselinePlan::Off);
    };
    let baseline = Baseline::read(&path)?;
    let prune = if args.prune_baseline {
        Some(baseline::target(&path, rule_file)?)
    } else {
        None
    };
    Ok(BaselinePlan::Apply {
        path,
        baseline,
        prune,
        count_resolved: whole_tree,
    })
}

/// Fails if a named path does not exist or lies outside the project `root`.
fn check_paths(paths: &[PathBuf], root: &Path) -> miette::Result<()> {
    if let Some(missing) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        miette::bail!("{}: no such file or directory", missing.display());
    }
    if let Some(outside) = paths.iter().find(|p| !p.starts_with(root)) {
        miette::bail!(
            help = "vestige checks only files under the project root; run it from the other \
                    project, or give that project's rule file with --config",
            "{}: outside the project root {}",
            outside.display(),
            root.display()
        );
    }
    Ok(())
}

/// The output format `--format` names.
fn kind(format: cli::Format) -> format::Kind {
    match format {
        cli::Format::Human => format::Kind::Human,
        cli::Format::Short => format::Kind::Short,
        cli::Format::Json => format::Kind::Json,
        cli::Format::Sarif => format::Kind::Sarif,
        cli::Format::Github => format::Kind::Github,
        cli::Format::Gitlab => format::Kind::Gitlab,
        cli::Format::Junit => format::Kind::Junit,
        cli::Format::Checkstyle => format::Kind::Checkstyle,
    }
}

/// The `--statistics` lines: what was scanned, how long it took, and the findings of each rule.
fn statistics(summary: &Summary, findings: &Findings, rules: &[ruleset::Rule]) -> String {
    let mut out = format!(
        "statistics: {} scanned, {} bytes, {} skipped as binary, {} ms; {} findings, {} suppressed, \
         {} baselined\n",
        plural(summary.files_scanned as usize, "file"),
        summary.bytes_scanned,
        summary.binary_skipped,
        summary.elapsed.as_millis(),
        summary.findings(),
        summary.suppressed,
        summary.baselined
    );
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for (i, rule) in rules.iter().enumerate() {
        let count = findings.of_rule(i);
        out.push_str(&format!(
            "statistics:   {:<width$}  {count}\n",
            visible(&rule.id)
        ));
    }
    out
}

/// How many baselined findings to list one by one before summing up the rest.
const RESOLVED_LISTED: usize = 10;

/// Notes on the baseline entries the code no longer has (`total` findings), with what to do
/// about them.
fn resolved_notes(
    resolved: &[Resolved],
    total: usize,
    baseline: Option<(&Path, bool)>,
) -> Vec<String> {
    let Some((baseline, pruned)) = baseline.filter(|_| !resolved.is_empty()) else {
        return Vec::new();
    };
    let mut notes: Vec<String> = resolved
        .iter()
        .take(RESOLVED_LISTED)
        .map(|r| {
            let times = if r.count > 1 {
                format!("{}x ", r.count)
            } else {
                String::new()
            };
            format!(
                "resolved: {times}`{}` [{}] in {} is gone from the code",
                r.matched, r.rule, r.path
            )
        })
        .collect();
    if resolved.len() > RESOLVED_LISTED {
        notes.push(format!(
            "resolved: ... and {} more baseline entries",
            resolved.len() - RESOLVED_LISTED
        ));
    }
    let findings = plural(total, "resolved finding");
    notes.push(if pruned {
        format!(
            "removed {findings} from the baseline {}",
            baseline.display()
        )
    } else {
        format!(
            "run `vestige check --prune-baseline` to drop {findings} from the baseline {}",
            baseline.display()
        )
    });
    notes
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::kind;
    use crate::cli;

    #[test]
    fn every_format_flag_names_its_own_output_format() {
        let kinds: Vec<_> = cli::Format::value_variants()
            .iter()
            .map(|&f| kind(f))
            .collect();
        for (i, a) in kinds.iter().enumerate() {
            assert!(!kinds[i + 1..].contains(a), "{a:?} is named twice");
        }
        assert_eq!(kind(cli::Format::Sarif), crate::format::Kind::Sarif);
    }
}
