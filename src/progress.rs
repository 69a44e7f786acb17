//! `vestige report`: how much of a removal is left, for the current tree. Per rule and per token
//! the findings and files, the hotspot files, the findings per top-level directory, the rules
//! with nothing left (ready to retire) and, with a baseline, how much of it remains.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use serde::Serialize;

use crate::finding::Finding;
use crate::ruleset::RuleSet;

/// How many files the hotspot table lists.
const HOTSPOTS: usize = 15;

/// The progress of a removal.
#[derive(Debug, Serialize)]
pub struct Progress {
    /// Files read and searched.
    pub files_scanned: u64,
    /// All findings, baselined or not.
    pub findings: usize,
    /// Distinct files with findings.
    pub files_with_findings: usize,
    /// Each rule of the rule file, in file order.
    pub rules: Vec<RuleProgress>,
    /// The files with the most findings, most first.
    pub hotspots: Vec<Hotspot>,
    /// Findings per top-level directory, most first.
    pub directories: Vec<Count>,
    /// Rules without findings: ready to retire.
    pub ready_to_retire: Vec<String>,
    /// The baseline, if one is in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineProgress>,
}

/// One rule's findings.
#[derive(Debug, Serialize)]
pub struct RuleProgress {
    /// The rule id.
    pub id: String,
    /// Its severity today.
    pub severity: &'static str,
    /// Its findings.
    pub findings: usize,
    /// Distinct files with its findings.
    pub files: usize,
    /// Each written token and pattern (with 0 when gone), then each variant that still matches.
    pub needles: Vec<NeedleProgress>,
}

/// One token, variant or pattern's findings.
#[derive(Debug, Serialize)]
pub struct NeedleProgress {
    /// The token, variant or pattern.
    pub needle: String,
    /// For a naming variant, the token it was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant_of: Option<String>,
    /// Its findings.
    pub findings: usize,
    /// Distinct files with its findings.
    pub files: usize,
}

/// One file with findings.
#[derive(Debug, Serialize)]
pub struct Hotspot {
    /// Path relative to the project root.
    pub path: String,
    /// Its findings.
    pub findings: usize,
    /// The rules found in it, in rule-file order.
    pub rules: Vec<String>,
}

/// A name and a number of findings.
#[derive(Debug, Serialize)]
pub struct Count {
    /// The top-level directory (`.` for files at the root).
    pub name: String,
    /// Its findings.
    pub findings: usize,
}

/// What is left of a baseline.
#[derive(Debug, Serialize)]
pub struct BaselineProgress {
    /// Findings the baseline tolerates.
    pub entries: usize,
    /// Of those, the ones still in the code.
    pub remaining: usize,
}

impl Progress {
    /// The progress shown by `findings` (sorted, of the whole tree) of `rules`; `baseline` is
    /// the size of the baseline and how many of its findings remain.
    pub fn of(
        findings: &[Finding],
        rules: &RuleSet,
        files_scanned: u64,
        baseline: Option<(usize, usize)>,
    ) -> Self {
        let user = rules.user_rules();
        let mut per_needle: HashMap<(usize, &str), (usize, BTreeSet<&str>)> = HashMap::new();
        let mut per_rule: Vec<(usize, BTreeSet<&str>)> =
            vec![(0, BTreeSet::new()); rules.rules.len()];
        let mut per_dir: BTreeMap<&str, usize> = BTreeMap::new();
        for f in findings {
            let entry = per_needle.entry((f.rule, &*f.needle)).or_default();
            entry.0 += 1;
            entry.1.insert(&f.path);
            per_rule[f.rule].0 += 1;
            per_rule[f.rule].1.insert(&f.path);
            let dir = f.path.split_once('/').map_or(".", |(dir, _)| dir);
            *per_dir.entry(dir).or_default() += 1;
        }
        let rule_rows = user
            .iter()
            .enumerate()
            .map(|(index, rule)| {
                let needles = rule
                    .needles
                    .iter()
                    .enumerate()
                    .filter_map(|(i, needle)| {
                        let (count, files) = per_needle
                            .get(&(index, needle.text()))
                            .map_or((0, 0), |(n, files)| (*n, files.len()));
                        let variant_of = rule.variant_of(i).map(str::to_owned);
                        (variant_of.is_none() || count > 0).then(|| NeedleProgress {
                            needle: needle.text().to_owned(),
                            variant_of,
                            findings: count,
                            files,
                        })
                    })
                    .collect();
                RuleProgress {
                    id: rule.id.clone(),
                    severity: rule.severity.as_str(),
                    findings: per_rule[index].0,
                    files: per_rule[index].1.len(),
                    needles,
                }
            })
            .collect();
        let (hotspots, files_with_findings) = hotspots(findings, rules);
        Self {
            files_scanned,
            findings: findings.len(),
            files_with_findings,
            ready_to_retire: user
                .iter()
                .zip(&per_rule)
                .filter(|(_, (n, _))| *n == 0)
                .map(|(rule, _)| rule.id.clone())
                .collect(),
            rules: rule_rows,
            hotspots,
            directories: directories(per_dir),
            baseline: baseline.map(|(entries, remaining)| BaselineProgress { entries, remaining }),
        }
    }

    /// The report as Markdown, ready to paste into a pull request.
    pub fn markdown(&self) -> String {
        let mut out = String::from("# Removal progress\n\n");
        let _ = writeln!(
            out,
            "**{} findings** in {} files ({} files scanned).",
            self.findings, self.files_with_findings, self.files_scanned
        );
        if let Some(baseline) = &self.baseline {
            let _ = writeln!(
                out,
                "\nBaseline: {} of its {} findings remain ({} resolved).",
                baseline.remaining,
                baseline.entries,
                baseline.entries - baseline.remaining
            );
        }
        out.push_str(
            "\n## By rule\n\n| rule | severity | findings | files |\n|---|---|---:|---:|\n",
        );
        for rule in &self.rules {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                cell(&rule.id),
                rule.severity,
                rule.findings,
                rule.files
            );
        }
        out.push_str("\n## By token\n\n| rule | token | findings | files |\n|---|---|---:|---:|\n");
        for rule in &self.rules {
            for needle in &rule.needles {
                let name = match &needle.variant_of {
                    Some(of) => format!("`{}` (variant of `{}`)", cell(&needle.needle), cell(of)),
                    None => format!("`{}`", cell(&needle.needle)),
                };
                let _ = writeln!(
                    out,
                    "| `{}` | {name} | {} | {} |",
                    cell(&rule.id),
                    needle.findings,
                    needle.files
                );
            }
        }
        out.push_str("\n## Hotspot files\n\n| file | findings | rules |\n|---|---:|---|\n");
        for spot in &self.hotspots {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                cell(&spot.path),
                spot.findings,
                cell(&spot.rules.join(", "))
            );
        }
        out.push_str("\n## By directory\n\n| directory | findings |\n|---|---:|\n");
        for dir in &self.directories {
            let _ = writeln!(out, "| `{}` | {} |", cell(&dir.name), dir.findings);
        }
        out.push_str("\n## Ready to retire\n\n");
        if self.ready_to_retire.is_empty() {
            out.push_str("None: every rule still finds something.\n");
        } else {
            for id in &self.ready_to_retire {
                let _ = writeln!(out, "- `{}`: no findings left", cell(id));
            }
        }
        out
    }
}

/// `text` safe inside a Markdown table cell and code span.
fn cell(text: &str) -> String {
    crate::finding::visible(text)
        .replace('|', "\\|")
        .replace('`', "'")
}

/// The files with the most findings (sorted by path), most first, and how many files have any.
fn hotspots(findings: &[Finding], rules: &RuleSet) -> (Vec<Hotspot>, usize) {
    let mut hotspots: Vec<Hotspot> = findings
        .chunk_by(|a, b| a.path == b.path)
        .map(|file| {
            let ids: BTreeSet<usize> = file.iter().map(|f| f.rule).collect();
            Hotspot {
                path: file[0].path.to_string(),
                findings: file.len(),
                rules: ids.into_iter().map(|r| rules.rules[r].id.clone()).collect(),
            }
        })
        .collect();
    let files_with_findings = hotspots.len();
    hotspots.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.path.cmp(&b.path)));
    hotspots.truncate(HOTSPOTS);
    (hotspots, files_with_findings)
}

/// The findings per top-level directory, most first.
fn directories(per_dir: BTreeMap<&str, usize>) -> Vec<Count> {
    let mut directories: Vec<Count> = per_dir
        .into_iter()
        .map(|(name, findings)| Count {
            name: name.to_owned(),
            findings,
        })
        .collect();
    directories.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.name.cmp(&b.name)));
    directories
}
