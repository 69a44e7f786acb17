//! `vestige check`: scan, apply the baseline, the changed lines and the ratchet, report in the
//! chosen format, and say how the run ended.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{OutputError, style};
use crate::baseline::{self, Baseline, Resolved};
use crate::changes::{Changes, Since};
use crate::cli::{self, CheckArgs, Cli};
use crate::finding::{Finding, Severity, Suppressed, Suppression, visible};
use crate::format::{self, Results, Summary, plural};
use crate::project::{Found, sort};
use crate::ruleset;
use crate::{Gate, Outcome, ratchet, walk};

/// Runs `vestige check` with `args`.
pub fn run(cli: &Cli, args: &CheckArgs) -> miette::Result<Outcome> {
    let mut project = super::load(&args.project)?;
    let cwd = project.cwd.clone();
    let baseline_path = match (&args.baseline, args.no_baseline) {
        (_, true) => None,
        (Some(path), false) => Some(walk::absolute(&cwd, path)),
        (None, false) => project.rules.baseline.clone(),
    };
    let written_path = match &args.write_baseline {
        None => None,
        Some(Some(path)) => Some(walk::absolute(&cwd, path)),
        Some(None) => Some(project.rules.baseline.clone().ok_or_else(|| {
            miette::miette!(
                help = "name the file, `--write-baseline=vestige-baseline.toml`, or set it in the \
                        rule file: [baseline] file = \"vestige-baseline.toml\"",
                "--write-baseline without a file needs `file` in the rule file's [baseline] table"
            )
        })?),
    };
    let configured = project.rules.baseline.clone();
    let own = baseline_path.iter().chain(&written_path).chain(&configured);
    project.rules.scope.own_files.extend(own.cloned());
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .map(|p| project.under_root(&walk::absolute(&cwd, p)))
        .collect();
    let (root, rules) = (&project.root, &project.rules);
    let changes = match (&args.since, &args.ratchet, args.staged) {
        (Some(rev), _, _) => Some(Changes::read(root, rules, Since::Rev(rev))?),
        (None, Some(rev), _) => {
            Some(Changes::read(root, rules, Since::Rev(rev)).map_err(ratchet::said_of_ratchet)?)
        }
        (None, None, true) => Some(Changes::read(root, rules, Since::Staged)?),
        (None, None, false) => None,
    };
    let full_scan = paths.is_empty() && changes.is_none();
    if !full_scan && (written_path.is_some() || args.prune_baseline) {
        miette::bail!(
            "--write-baseline and --prune-baseline need a scan of the whole tree, \
             without PATHS, --since or --staged"
        );
    }
    let baseline = match &baseline_path {
        Some(path) if written_path.is_none() => Some(Baseline::read(path)?),
        _ if args.prune_baseline => miette::bail!(
            "--prune-baseline needs a baseline: --baseline FILE, or `file` in the rule file's \
             [baseline] table"
        ),
        _ => None,
    };
    let write_target = match (&written_path, args.prune_baseline, &baseline_path) {
        (Some(path), _, _) | (None, true, Some(path)) => {
            Some(baseline::target(path, &project.file.path)?)
        }
        _ => None,
    };
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

    if args.ratchet.is_some() && baseline_path.is_none() {
        miette::bail!(
            "--ratchet needs a baseline: --baseline FILE, or `file` in the rule file's [baseline] \
             table"
        );
    }
    let started = Instant::now();
    let mut found = match args.ratchet {
        Some(_) => Found::default(),
        None => project.walk_and_scan(&paths, args.threads, changes.as_ref())?,
    };
    let mut summary = Summary {
        files_scanned: found.files,
        bytes_scanned: found.bytes,
        binary_skipped: found.binary,
        ..Summary::default()
    };
    let mut stderr = io::stderr().lock();
    if let Some(target) = write_target.as_ref().filter(|_| !found.problems.is_empty()) {
        let _ = writeln!(
            stderr,
            "vestige: not writing the baseline {}: part of the tree could not be read, and a \
             baseline is written only from a complete scan",
            visible(&target.path().display().to_string())
        );
    }
    let write_target = write_target.filter(|_| found.problems.is_empty());
    if let (Some(path), Some(target)) = (&written_path, &write_target) {
        let written = Baseline::of(&found.findings, &rules.rules);
        written.write(target)?;
        if !args.quiet {
            let _ = writeln!(
                stderr,
                "vestige: wrote {} to the baseline {}",
                plural(written.len(), "finding"),
                visible(&path.display().to_string())
            );
        }
        found.findings.clear();
    }
    let changed = |f: &Finding| {
        changes
            .as_ref()
            .is_none_or(|c| f.is_forbidden_path() || c.touches(f.rule, &f.path, f.line, f.end_line))
    };
    let mut resolved = Vec::new();
    if let Some(baseline) = baseline {
        let unread: std::collections::HashSet<&str> =
            found.unread.iter().map(String::as_str).collect();
        let mut applied = baseline.apply(
            &mut found.findings,
            &rules.rules,
            |f| !changed(f),
            |path| unread.contains(path),
        );
        summary.baselined = applied.hidden.len();
        let hidden = std::mem::take(&mut applied.hidden).into_iter();
        let hidden = hidden.filter(|f| changed(f));
        found.suppressed.extend(hidden.map(|finding| Suppressed {
            finding,
            by: Suppression::Baseline,
        }));
        let rules = &rules.rules;
        found
            .suppressed
            .sort_by(|a, b| format::order(&a.finding, &b.finding, rules));
        if let (true, Some(target)) = (args.prune_baseline, &write_target) {
            if !applied.resolved.is_empty() {
                applied.kept.write(target)?;
            }
        }
        if full_scan {
            summary.baseline_resolved = applied.resolved_findings();
            resolved = applied.resolved;
        }
    }
    found.findings.retain(|f| changed(f));
    found.suppressed.retain(|s| changed(&s.finding));
    summary.suppressed = found
        .suppressed
        .iter()
        .filter(|s| matches!(s.by, Suppression::Marker(_)))
        .count();
    if let (Some(changes), Some(path)) = (&changes, &baseline_path) {
        let path = project.under_root(path);
        let grew = ratchet::compare(changes, &path, root, rules, args.ratchet.is_some())?;
        found.findings.extend(grew.findings);
        found.notes.extend(grew.note);
        sort(&mut found.findings, rules);
    }
    summary.tally(&found.findings, &rules.rules);
    summary.elapsed = started.elapsed();

    if !args.quiet && written_path.is_none() {
        let results = Results {
            rules: &rules.rules,
            findings: &found.findings,
            suppressed: &found.suppressed,
            baseline: baseline_path.is_some(),
            summary: &summary,
            warnings_fail: args.deny_warnings,
        };
        let stdout = io::stdout();
        let style = style(cli.color, stdout.is_terminal());
        let mut out = io::BufWriter::new(stdout.lock());
        let output = if args.files_with_matches {
            format::files_with_matches()
        } else {
            format::select(kind(args.format), style)
        };
        output
            .write(&results, &mut out)
            .and_then(|()| out.flush())
            .map_err(OutputError)?;
    }
    for problem in &found.problems {
        let _ = writeln!(stderr, "vestige: {}", visible(problem));
    }
    if !args.quiet {
        for note in found.notes.iter().chain(&resolved_notes(
            &resolved,
            summary.baseline_resolved,
            args.prune_baseline,
            baseline_path.as_deref(),
        )) {
            let _ = writeln!(stderr, "vestige: note: {}", visible(note));
        }
    }
    let summary_line = args.format.has_summary() && !args.files_with_matches;
    if !args.quiet && summary_line && written_path.is_none() {
        let _ = writeln!(stderr, "{}", summary.line());
    }
    if args.statistics && !args.quiet {
        let _ = write!(
            stderr,
            "{}",
            statistics(&summary, &found.findings, &rules.rules)
        );
    }
    let gate = if args.exit_zero {
        Gate::Never
    } else if args.deny_warnings {
        Gate::Warnings
    } else {
        Gate::Errors
    };
    Ok(Outcome {
        errors: summary.count(Severity::Error),
        warnings: summary.count(Severity::Warning),
        problems: found.problems.len(),
        gate,
    })
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
fn statistics(summary: &Summary, findings: &[Finding], rules: &[ruleset::Rule]) -> String {
    let mut per_rule = vec![0usize; rules.len()];
    for finding in findings {
        per_rule[finding.rule] += 1;
    }
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
    for (rule, count) in rules.iter().zip(per_rule) {
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
    pruned: bool,
    baseline: Option<&Path>,
) -> Vec<String> {
    let Some(baseline) = baseline.filter(|_| !resolved.is_empty()) else {
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
