//! `vestige report`: how much of a removal is left, per rule, token, file and directory.

use std::io::{self, Write};

use super::print;
use crate::baseline::Baseline;
use crate::cli::{ReportArgs, ReportFormat};
use crate::finding::visible;
use crate::progress::Progress;
use crate::{Outcome, walk};

/// `vestige report`: scans the whole tree and prints the progress of the removal.
pub fn run(args: &ReportArgs) -> miette::Result<Outcome> {
    let mut project = super::load(&args.project)?;
    let baseline_path = args
        .baseline
        .as_ref()
        .map(|path| walk::absolute(&project.cwd, path))
        .or_else(|| project.rules.baseline.clone());
    let configured = project.rules.baseline.clone();
    let own = baseline_path.iter().chain(&configured).cloned();
    project.rules.scope.own_files.extend(own);
    let baseline = baseline_path.as_deref().map(Baseline::read).transpose()?;
    let found = project.walk_and_scan(&[], args.threads, None)?;
    let baseline = baseline.map(|baseline| {
        let remaining = baseline.remaining(&found.findings, &project.rules.rules);
        (baseline.len(), remaining)
    });
    let progress = Progress::of(&found.findings, &project.rules, found.files, baseline);
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
