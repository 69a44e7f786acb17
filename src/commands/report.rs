//! `vestige report`: how much of a removal is left, per rule, token, file and directory.

use std::io::{self, Write};

use super::Outcome;
use super::print;
use crate::baseline::Baseline;
use crate::cli::{ReportArgs, ReportFormat};
use crate::finding::visible;
use crate::progress::Progress;
use crate::project::Keep;

/// `vestige report`: scans the whole tree and prints the progress of the removal.
pub fn run(args: &ReportArgs) -> miette::Result<Outcome> {
    let project = super::load(
        &args.project,
        args.baseline.as_deref().into_iter().collect(),
    )?;
    let baseline_path = super::baseline_path(&project, args.baseline.as_deref());
    let baseline = baseline_path.as_deref().map(Baseline::read).transpose()?;
    // A baseline keys findings on their source lines; nothing else here shows them.
    let keep = Keep {
        suppressed: false,
        source: baseline.is_some(),
    };
    let found = project.walk_and_scan(&[], args.threads, None, keep)?;
    let findings = found.findings.to_vec();
    let baseline = baseline.map(|baseline| {
        let remaining = baseline.remaining(&findings, &project.rules.rules);
        (baseline.len(), remaining)
    });
    let progress = Progress::of(&findings, &project.rules, found.files, baseline);
    let mut stderr = io::stderr().lock();
    for problem in &found.problems {
        let _ = writeln!(stderr, "vestige: {}", visible(problem));
    }
    match args.format {
        ReportFormat::Markdown => print(&progress.markdown())?,
        ReportFormat::Json => print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&progress).expect("progress serializes")
        ))?,
    };
    Ok(Outcome {
        problems: found.problems.len(),
        ..Outcome::default()
    })
}
