//! The baseline ratchet: a baseline may shrink, never grow. Without it, a branch that adds a
//! reference could absorb it with `--write-baseline` and pass `--since`. Under `--since REV` (or
//! alone with `--ratchet REV`) the baseline in use, when git tracks it, is compared with its
//! version at the merge base of REV and HEAD (absent there: empty).
//!
//! Growth is more tolerated references, not a changed key. Counts are compared per rule, path and
//! matched text, the paths of the merge base's entries carried through the renames git sees
//! since then; the trimmed source line, which the baseline also keys on, is left out of the
//! comparison, so an edited line or a renamed file that keeps its count is no growth. A (rule,
//! path, match) whose count grew is reported at each of its entries that tolerates more than the
//! same entry did at the merge base, as a finding of the built-in rule `baseline-grew` at the
//! line of the entry's `[[finding]]` header. A renamed rule id is a new key, so its entries count
//! as growth.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::baseline::{self, Baseline, BaselineError, Key};
use crate::changes::{AtBase, Changes, GitError};
use crate::finding::{self, Finding, Location, Position, Snippet, Span};
use crate::ruleset::{BuiltIn, RuleSet};
use crate::walk;

/// What comparing the baseline with the merge base found.
#[derive(Debug, Default)]
pub struct Ratchet {
    /// A finding of `baseline-grew` for each entry that grew.
    pub findings: Vec<Finding>,
    /// Why nothing was compared, when the baseline could not be.
    pub note: Option<String>,
}

/// Compares the baseline file at `path` (absolute, its root spelled as `root`, the project root)
/// with its version at the merge base of `changes` (a `--since` run). With `required`
/// (`--ratchet`), a baseline git does not track is an error; otherwise it gives a note.
pub fn compare(
    changes: &Changes,
    path: &Path,
    root: &Path,
    rules: &RuleSet,
    required: bool,
) -> miette::Result<Ratchet> {
    let shown = path.display();
    let old = match changes.at_base(path)? {
        None => return Ok(Ratchet::default()),
        Some(AtBase::Untracked) if required => miette::bail!(
            help = "commit the baseline, so that pull requests can be compared with it",
            "--ratchet: the baseline {shown} is not tracked by git, so there is no earlier \
             version to compare it with"
        ),
        Some(AtBase::Untracked) => {
            return Ok(Ratchet {
                findings: Vec::new(),
                note: Some(format!(
                    "the baseline {shown} is not tracked by git, so whether it grew since the \
                     merge base is not checked"
                )),
            });
        }
        Some(AtBase::Tracked(None)) => Baseline::default(),
        Some(AtBase::Tracked(Some(bytes))) => {
            Baseline::parse(&String::from_utf8_lossy(&bytes), path).map_err(|err| match err {
                BaselineError::Invalid { message, .. } => miette::miette!(
                    help = "the ratchet compares with the merge base's baseline; fix it on the \
                            target branch",
                    "{shown} at the merge base is not a valid baseline: {message}"
                ),
                other => other.into(),
            })?
        }
    };
    let text = std::fs::read_to_string(path).map_err(|error| BaselineError::Read {
        path: path.to_owned(),
        error,
    })?;
    let new = Baseline::parse(&text, path)?;
    Ok(Ratchet {
        findings: grown(
            &old,
            &new,
            changes,
            &text,
            &walk::relative(root, path),
            rules,
        ),
        note: None,
    })
}

/// The findings for the entries of `new` (the baseline file `text`, at `path` relative to the
/// root) that grew since `old`, whose paths `changes` carries through renames.
fn grown(
    old: &Baseline,
    new: &Baseline,
    changes: &Changes,
    text: &str,
    path: &str,
    rules: &RuleSet,
) -> Vec<Finding> {
    let mut before: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let mut before_entry: HashMap<(&str, &str, &str, &str), usize> = HashMap::new();
    for ((rule, old_path, matched, line), count) in old.entries() {
        let now = changes.renamed(old_path);
        *before.entry((rule, now, matched)).or_default() += count;
        *before_entry.entry((rule, now, matched, line)).or_default() += count;
    }
    let mut after: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for ((rule, path, matched, _), count) in new.entries() {
        *after.entry((rule, path, matched)).or_default() += count;
    }
    let grew: Vec<&Key> = new
        .entries()
        .filter(|&((rule, path, matched, line), count)| {
            let triple = (rule.as_str(), path.as_str(), matched.as_str());
            let total = after.get(&triple).copied().unwrap_or(0);
            let was = before.get(&triple).copied().unwrap_or(0);
            let entry_was = before_entry
                .get(&(triple.0, triple.1, triple.2, line.as_str()))
                .copied()
                .unwrap_or(0);
            total > was && count > entry_was
        })
        .map(|(key, _)| key)
        .collect();
    if grew.is_empty() {
        return Vec::new();
    }
    let tables = baseline::entry_tables(text);
    let first_line = text.lines().next().unwrap_or("");
    let path: Arc<str> = path.into();
    let mut findings = Vec::with_capacity(grew.len());
    for key in grew {
        let (line, offset, table) = match tables.get(key) {
            Some((line, offset, table)) => (*line, *offset, table.as_str()),
            None => (1, 0, first_line),
        };
        let header = table.lines().next().unwrap_or("");
        let needle: Arc<str> = key.2.as_str().into();
        findings.push(Finding {
            rule: rules.builtin(BuiltIn::BaselineGrew),
            path: Arc::clone(&path),
            // The entry's `[[finding]]` header, standing for the text the entry tolerates.
            location: Location::Span(Span::new(
                offset..offset + header.len(),
                Position { line, column: 1 },
                Position {
                    line,
                    column: header.chars().count() + 1,
                },
                finding::share(needle.as_bytes(), &needle),
                Some(Snippet {
                    text: table.to_owned(),
                    first_line: line,
                    span: 0..header.len(),
                }),
            )),
            needle,
            variant_of: None,
            note: Some(format!("tolerated in {} more often than at the merge base", key.1).into()),
        });
    }
    findings
}

/// `err`, met while finding the merge base of `--ratchet REV`, in words that name that option.
pub fn said_of_ratchet(err: GitError) -> miette::Report {
    match err {
        GitError::UnknownRevision(rev) => miette::miette!(
            help = "give a branch, tag or commit, e.g. --ratchet origin/main",
            "--ratchet {rev}: unknown revision"
        ),
        GitError::NoMergeBase(rev) => miette::miette!(
            help = "a shallow clone lacks it: fetch the full history (actions/checkout with \
                    fetch-depth: 0, GIT_DEPTH: 0 on GitLab, or git fetch --unshallow)",
            "--ratchet {rev}: no common ancestor with HEAD in the local history"
        ),
        other => other.into(),
    }
}
