//! Output formats. Each format is a small module behind one `Format` interface; a format sees
//! the sorted findings (and apart, the suppressed ones), the rules and a summary, never the files
//! on disk.

use std::io::{self, Write};
use std::time::Duration;

use crate::finding::{Severity, Suppressed};
use crate::ruleset::Rule;
use crate::store::Findings;

mod checkstyle;
mod files;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;
mod shared;
mod short;

pub use human::{Style, handler};

/// Everything a format may show: the results of a check.
#[derive(Debug)]
pub struct Results<'a> {
    /// The rules; `Finding::rule` indexes this.
    pub rules: &'a [Rule],
    /// The findings, sorted by path, line, column and rule.
    pub findings: &'a Findings,
    /// The findings a marker or the baseline suppressed, sorted as `findings`; only SARIF shows
    /// them.
    pub suppressed: &'a [Suppressed],
    /// Whether a baseline was applied, so that each finding is new or baselined.
    pub baseline: bool,
    /// Totals of the run.
    pub summary: &'a Summary,
    /// Whether warnings fail the run (`--deny-warnings`), as errors always do.
    pub warnings_fail: bool,
}

/// Totals of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files read and searched.
    pub files_scanned: u64,
    /// Bytes read and searched.
    pub bytes_scanned: u64,
    /// Files skipped because they hold a NUL byte and are not `scan.text_files`.
    pub binary_skipped: u64,
    /// Findings of each severity: error, warning, note.
    pub by_severity: [usize; 3],
    /// Distinct files with at least one finding.
    pub files_with_findings: usize,
    /// Findings hidden because a `vestige-ignore` marker suppresses them.
    pub suppressed: usize,
    /// Findings hidden because the baseline tolerates them.
    pub baselined: usize,
    /// Findings in the baseline that are gone from the code.
    pub baseline_resolved: usize,
    /// Wall time of the scan.
    pub elapsed: Duration,
}

impl Summary {
    /// Number of findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.by_severity[severity as usize]
    }

    /// Total number of findings.
    pub fn findings(&self) -> usize {
        self.by_severity.iter().sum()
    }

    /// Adds the severities and files of `findings`.
    pub fn tally(&mut self, findings: &Findings, rules: &[Rule]) {
        for (i, rule) in rules.iter().enumerate() {
            self.by_severity[rule.severity as usize] += findings.of_rule(i);
        }
        self.files_with_findings += findings.files_len();
    }

    /// The closing line of the human formats, e.g. `3 errors, 1 warning in 2 files; 214 files
    /// scanned in 12 ms`.
    pub fn line(&self) -> String {
        let mut counts: Vec<String> = [Severity::Error, Severity::Warning, Severity::Note]
            .into_iter()
            .filter(|&s| self.count(s) > 0)
            .map(|s| plural(self.count(s), s.as_str()))
            .collect();
        if counts.is_empty() {
            counts.push("no findings".to_owned());
        } else {
            counts
                .last_mut()
                .expect("not empty")
                .push_str(&format!(" in {}", plural(self.files_with_findings, "file")));
        }
        if self.suppressed > 0 {
            counts.push(format!("{} suppressed", self.suppressed));
        }
        if self.baselined > 0 {
            counts.push(format!("{} baselined", self.baselined));
        }
        if self.baseline_resolved > 0 {
            counts.push(format!("{} resolved", self.baseline_resolved));
        }
        format!(
            "{}; {} scanned in {} ms",
            counts.join(", "),
            plural(self.files_scanned as usize, "file"),
            self.elapsed.as_millis()
        )
    }
}

/// `n` and `noun`, with an `s` unless `n` is one.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// One output format of `vestige check`.
pub trait Format {
    /// Writes all of `results` to `out`.
    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()>;

    /// Whether the format shows the suppressed findings, so the run must keep them, rather
    /// than count them.
    fn shows_suppressed(&self) -> bool {
        false
    }

    /// Whether the format shows the source lines of a finding (`Span::snippet`), so the scan
    /// must build them; the others never pay for them.
    fn shows_source(&self) -> bool {
        false
    }
}

/// The format of `--files-with-matches`, which prints paths only.
pub fn files_with_matches() -> Box<dyn Format> {
    Box::new(files::Files)
}

/// The output formats of `vestige check`; `--format` names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One diagnostic per finding with the source line.
    Human,
    /// One `path:line:column: severity[rule]: message` line per finding.
    Short,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML.
    Junit,
    /// Checkstyle XML.
    Checkstyle,
}

/// The format of kind `kind`; `style` applies to the human format only.
pub fn select(kind: Kind, style: Style) -> Box<dyn Format> {
    match kind {
        Kind::Human => Box::new(human::Human { style }),
        Kind::Short => Box::new(short::Short),
        Kind::Json => Box::new(json::Json),
        Kind::Sarif => Box::new(sarif::Sarif),
        Kind::Github => Box::new(github::Github),
        Kind::Gitlab => Box::new(gitlab::Gitlab),
        Kind::Junit => Box::new(junit::Junit),
        Kind::Checkstyle => Box::new(checkstyle::Checkstyle),
    }
}
