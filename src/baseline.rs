//! The baseline: findings known and tolerated while a removal goes on, so that only new ones
//! fail. An entry keys on the rule, the path, the matched text and the trimmed source line, never
//! on the line number, so code moving up or down keeps its entry; repeats of one key are counted.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Location};
use crate::own::same_file;
use crate::ruleset::Rule;
use crate::write::{Target, WriteError};

/// The version written to and expected in baseline files.
const VERSION: u32 = 1;

/// The comment every written baseline starts with.
const HEADER: &str = "# vestige baseline: findings tolerated until they are fixed. Only new findings fail.\n\
                      # Written by `vestige check --write-baseline`; shrink it with `--prune-baseline`.\n\n";

/// How many entries are serialized at a time while writing.
const WRITE_CHUNK: usize = 1024;

/// What identifies a finding in the baseline: rule id, path, matched text, trimmed line.
pub type Key = (String, String, String, String);

/// A baseline: how many findings of each key are tolerated.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeMap<Key, usize>,
}

/// One entry of a baseline file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    path: String,
    #[serde(rename = "match")]
    matched: String,
    line: String,
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

/// A baseline file as written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    #[serde(default, rename = "finding")]
    findings: Vec<Entry>,
}

/// One entry as written, borrowed from the baseline.
#[derive(Debug, Serialize)]
struct EntryOut<'a> {
    rule: &'a str,
    path: &'a str,
    #[serde(rename = "match")]
    matched: &'a str,
    line: &'a str,
    count: usize,
}

/// A run of entries as written.
#[derive(Debug, Serialize)]
struct FileOut<'a> {
    #[serde(rename = "finding")]
    findings: &'a [EntryOut<'a>],
}

/// Where a baseline write to `path` lands: a new path or a baseline already (empty counts); never
/// the rule file `rule_file` or any other file, whose contents vestige does not own.
pub fn target(path: &Path, rule_file: &Path) -> Result<Target, WriteError> {
    let target = Target::of(path)?;
    if same_file(target.real(), rule_file) {
        return Err(target.refuse(
            "it is the rule file in use",
            "the baseline is a file of its own, e.g. vestige-baseline.toml",
        ));
    }
    let is_baseline = || -> io::Result<bool> {
        let mut head = Vec::new();
        std::fs::File::open(target.real())?
            .take(8192)
            .read_to_end(&mut head)?;
        Ok(looks_like_baseline(&String::from_utf8_lossy(&head)))
    };
    if target.exists() && !is_baseline().unwrap_or(false) {
        return Err(target.refuse(
            "it is not a vestige baseline, and vestige replaces only its own files",
            "name a new file, or remove this one first if it is meant to become the baseline",
        ));
    }
    Ok(target)
}

/// Whether `head`, the start of a file, is empty or starts like a baseline: its first line
/// that is not a comment or blank sets `version` or opens a `[[finding]]`.
fn looks_like_baseline(head: &str) -> bool {
    let first = head
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'));
    first.is_none_or(|line| {
        line.strip_prefix("version")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
            || line.starts_with("[[finding]]")
    })
}

/// A baseline file that could not be read.
#[derive(Debug, miette::Diagnostic, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("cannot read the baseline {}: {error}", path.display())]
    #[diagnostic(help("create it with `vestige check --write-baseline={}`", path.display()))]
    Read {
        /// The baseline file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// The file is not a baseline.
    #[error("{} is not a valid baseline: {message}", path.display())]
    #[diagnostic(help("regenerate it with `vestige check --write-baseline={}`", path.display()))]
    Invalid {
        /// The baseline file.
        path: PathBuf,
        /// What is wrong, with its line and column.
        message: String,
    },
}

/// What applying a baseline to the findings did.
#[derive(Debug, Default)]
pub struct Applied {
    /// The entries still matched by the code, with the counts found (at most the baseline's).
    pub kept: Baseline,
    /// Entries no longer in the code.
    pub resolved: Vec<Resolved>,
}

/// A baseline entry the code no longer has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The rule id.
    pub rule: String,
    /// The path, relative to the project root.
    pub path: String,
    /// The matched text.
    pub matched: String,
    /// How many such findings are gone.
    pub count: usize,
}

impl Applied {
    /// How many findings of the baseline are gone from the code.
    pub fn resolved_findings(&self) -> usize {
        self.resolved
            .iter()
            .fold(0, |sum, r| sum.saturating_add(r.count))
    }
}

impl Baseline {
    /// The baseline of `findings`.
    pub fn of(findings: &[Finding], rules: &[Rule]) -> Self {
        let mut baseline = Self::default();
        baseline.add(findings, rules);
        baseline
    }

    /// Reads the baseline file at `path`.
    pub fn read(path: &Path) -> Result<Self, BaselineError> {
        let text = regular(path).and_then(|()| std::fs::read_to_string(path));
        let text = text.map_err(|error| BaselineError::Read {
            path: path.to_owned(),
            error,
        })?;
        Self::parse(&text, path)
    }

    /// The baseline written in `text`, the contents of the baseline file `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Self, BaselineError> {
        let invalid = |message: String| BaselineError::Invalid {
            path: path.to_owned(),
            message,
        };
        let file = match by_entry(text) {
            Some(file) => file,
            None => toml::from_str(text).map_err(|err| {
                let at = err.span().map_or_else(String::new, |span| {
                    let line = text[..span.start].matches('\n').count() + 1;
                    format!(" (line {line})")
                });
                invalid(format!("{}{at}", err.message()))
            })?,
        };
        if file.version != VERSION {
            return Err(invalid(format!(
                "version {} is not supported (this vestige writes version {VERSION})",
                file.version
            )));
        }
        let mut entries = BTreeMap::new();
        for entry in file.findings {
            let count = entries
                .entry((entry.rule, entry.path, entry.matched, entry.line))
                .or_insert(0);
            *count = entry.count.saturating_add(*count);
        }
        Ok(Self { entries })
    }

    /// Writes the baseline over `target` (see [`target`]), whole or not at all.
    pub fn write(&self, target: &Target) -> Result<(), WriteError> {
        target.prepare(|out| self.write_to(out))?.commit()
    }

    /// Writes the baseline file's text to `out`, entry by entry.
    fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(HEADER.as_bytes())?;
        out.write_all(format!("version = {VERSION}\n").as_bytes())?;
        if self.entries.is_empty() {
            out.write_all(b"finding = []\n")?;
        }
        let entries: Vec<EntryOut> = self
            .entries
            .iter()
            .map(|((rule, path, matched, line), &count)| EntryOut {
                rule,
                path,
                matched,
                line,
                count,
            })
            .collect();
        for chunk in entries.chunks(WRITE_CHUNK) {
            let text = toml::to_string(&FileOut { findings: chunk })
                .expect("baseline entries always serialize");
            out.write_all(b"\n")?;
            out.write_all(text.as_bytes())?;
        }
        Ok(())
    }

    /// How many of `findings` (of the whole tree) the baseline tolerates: per key, the smaller
    /// of its count and the findings' count.
    pub fn remaining(&self, findings: &[Finding], rules: &[Rule]) -> usize {
        let found = Self::of(findings, rules);
        self.entries
            .iter()
            .map(|(key, &count)| count.min(found.entries.get(key).copied().unwrap_or(0)))
            .fold(0, usize::saturating_add)
    }

    /// Each key with the number of findings of it the baseline tolerates, in key order.
    pub fn entries(&self) -> impl Iterator<Item = (&Key, usize)> {
        self.entries.iter().map(|(key, &count)| (key, count))
    }

    /// Number of findings the baseline tolerates.
    pub fn len(&self) -> usize {
        self.entries
            .values()
            .fold(0, |sum, &n| sum.saturating_add(n))
    }

    /// Whether the baseline tolerates nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds `findings` to the baseline.
    pub fn add(&mut self, findings: &[Finding], rules: &[Rule]) {
        for finding in findings {
            *self.entries.entry(key(finding, rules)).or_insert(0) += 1;
        }
    }

    /// The baseline, to be applied to the findings of a run file by file.
    pub fn applying(self) -> Applying {
        Applying {
            left: self.entries,
            kept: BTreeMap::new(),
        }
    }
}

/// A baseline being applied to the findings of a run, a file or more at a time.
#[derive(Debug)]
pub struct Applying {
    /// What the baseline tolerates and no finding has used up yet.
    left: BTreeMap<Key, usize>,
    /// What the findings so far used up.
    kept: BTreeMap<Key, usize>,
}

impl Applying {
    /// Moves out of `findings` (sorted; the whole of each file they are of) those the baseline
    /// tolerates and returns them, in their order. Of the findings of one key, those
    /// `spend_first` picks use up the baseline's count first (with `--since`, those on unchanged
    /// lines, so that a new copy of a baselined line is the one reported); then the earlier ones.
    pub fn take(
        &mut self,
        findings: &mut Vec<Finding>,
        rules: &[Rule],
        spend_first: impl Fn(&Finding) -> bool,
    ) -> Vec<Finding> {
        let mut order: Vec<usize> = (0..findings.len()).collect();
        order.sort_by_key(|&i| !spend_first(&findings[i]));
        let mut hidden = vec![false; findings.len()];
        for i in order {
            let key = key(&findings[i], rules);
            if let Some(count) = self.left.get_mut(&key).filter(|count| **count > 0) {
                *count -= 1;
                *self.kept.entry(key).or_insert(0) += 1;
                hidden[i] = true;
            }
        }
        let mut tolerated = Vec::new();
        let all = std::mem::take(findings);
        findings.reserve(all.len());
        for (finding, hidden) in all.into_iter().zip(hidden) {
            if hidden {
                tolerated.push(finding);
            } else {
                findings.push(finding);
            }
        }
        tolerated
    }

    /// What is left once every finding was taken: the entries still matched by the code and
    /// those it no longer has. Entries of `unread` paths (not scanned this time) are kept, never
    /// counted as resolved.
    pub fn finish(self, unread: impl Fn(&str) -> bool) -> Applied {
        let mut kept = self.kept;
        let mut resolved = Vec::new();
        for ((rule, path, matched, line), count) in self.left {
            if count == 0 {
                continue;
            }
            if unread(&path) {
                let entry = kept.entry((rule, path, matched, line)).or_insert(0);
                *entry = count.saturating_add(*entry);
            } else {
                resolved.push(Resolved {
                    rule,
                    path,
                    matched,
                    count,
                });
            }
        }
        Applied {
            kept: Baseline { entries: kept },
            resolved,
        }
    }
}

/// Fails unless `path` is a regular file (or a link to one), which reading never blocks on.
fn regular(path: &Path) -> io::Result<()> {
    if std::fs::metadata(path)?.is_file() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ))
    }
}

/// The header of each entry's table, alone on its line as vestige writes it.
const ENTRY_HEADER: &str = "[[finding]]";

/// `text` read one `[[finding]]` table at a time: parsing the whole file as one TOML document
/// keeps every key and span of every entry in memory at once (2.9 GB for a million entries).
/// `None` when the pieces do not all parse, because the file is invalid or laid out otherwise
/// (an entry header inside a multi-line string leaves the piece before it unterminated); then
/// the file is parsed whole, which gives the answer or the error with its line.
fn by_entry(text: &str) -> Option<BaselineFile> {
    let starts = entry_starts(text);
    let head_end = starts.first().map_or(text.len(), |&(start, _)| start);
    let head: toml::Table = toml::from_str(&text[..head_end]).ok()?;
    if head.contains_key("finding") && !starts.is_empty() {
        return None;
    }
    let mut file: BaselineFile = head.try_into().ok()?;
    file.findings.reserve(starts.len());
    for (i, &(_, body_start)) in starts.iter().enumerate() {
        let body_end = starts.get(i + 1).map_or(text.len(), |&(next, _)| next);
        file.findings
            .push(toml::from_str(&text[body_start..body_end]).ok()?);
    }
    Some(file)
}

/// The byte ranges of the `[[finding]]` header lines of `text`, line terminators included.
fn entry_starts(text: &str) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == ENTRY_HEADER {
            starts.push((offset, offset + line.len()));
        }
        offset += line.len();
    }
    starts
}

/// Where each entry of the baseline file `text` is written: for each key, the 1-based line and
/// the byte offset of the first `[[finding]]` header that holds it, and the lines of that table
/// without trailing blank lines. Empty when the file is not laid out one `[[finding]]` table at a time, as vestige
/// writes it.
pub fn entry_tables(text: &str) -> BTreeMap<Key, (usize, usize, String)> {
    let starts = entry_starts(text);
    let Some(file) = by_entry(text) else {
        return BTreeMap::new();
    };
    let mut tables = BTreeMap::new();
    for (i, (entry, &(start, _))) in file.findings.into_iter().zip(&starts).enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |&(next, _)| next);
        let line = text[..start].matches('\n').count() + 1;
        let table = text[start..end].trim_end().replace("\r\n", "\n");
        tables
            .entry((entry.rule, entry.path, entry.matched, entry.line))
            .or_insert((line, start, table));
    }
    tables
}

/// The baseline key of `finding`.
fn key(finding: &Finding, rules: &[Rule]) -> Key {
    let line = match &finding.location {
        Location::Span(span) => span.snippet().text.lines().next().unwrap_or("").trim(),
        Location::File => "",
    };
    (
        rules[finding.rule].id.clone(),
        finding.path.to_string(),
        finding.matched().into_owned(),
        line.to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(n: usize) -> Baseline {
        let entries = (0..n)
            .map(|i| {
                let key = (
                    "legacy".to_owned(),
                    format!("app/F{i}.php"),
                    "Foo".to_owned(),
                    format!("new Foo(\"{i}\"); // 'x'"),
                );
                (key, i % 3 + 1)
            })
            .collect();
        Baseline { entries }
    }

    #[test]
    fn streamed_text_is_the_whole_file_serialized_at_once() {
        for n in [0, 1, WRITE_CHUNK, WRITE_CHUNK * 2 + 7] {
            let baseline = baseline(n);
            let whole = BaselineFile {
                version: VERSION,
                findings: baseline
                    .entries
                    .iter()
                    .map(|((rule, path, matched, line), &count)| Entry {
                        rule: rule.clone(),
                        path: path.clone(),
                        matched: matched.clone(),
                        line: line.clone(),
                        count,
                    })
                    .collect(),
            };
            let expected = format!("{HEADER}{}", toml::to_string(&whole).unwrap());
            let mut streamed = Vec::new();
            baseline.write_to(&mut streamed).unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                expected,
                "{n} entries"
            );
        }
    }

    #[test]
    fn only_empty_files_and_baselines_look_like_baselines() {
        assert!(looks_like_baseline(""));
        assert!(looks_like_baseline("\n# comment\n\nversion = 1\n"));
        assert!(looks_like_baseline("[[finding]]\nrule = \"x\"\n"));
        assert!(!looks_like_baseline("<?php\nversion = 1\n"));
        assert!(!looks_like_baseline("[[rule]]\nid = \"x\"\n"));
        assert!(!looks_like_baseline("versions = 2\n"));
    }
}

#[cfg(test)]
mod parse_tests {
    use super::{BaselineFile, by_entry, entry_tables};

    #[test]
    fn entry_tables_give_each_key_its_first_header_line_and_table() {
        let entry = |line: &str| {
            format!(
                "[[finding]]\r\nrule = \"r\"\r\npath = \"a\"\r\nmatch = \"X\"\r\nline = \"{line}\"\r\n\r\n"
            )
        };
        let head = "version = 1\r\n\r\n";
        let text = format!("{head}{}{}{}", entry("X 1"), entry("X 2"), entry("X 1"));
        let tables: Vec<(String, usize, usize, String)> = entry_tables(&text)
            .into_iter()
            .map(|(key, (line, offset, table))| (key.3, line, offset, table))
            .collect();
        let first = entry("X 1");
        assert_eq!(
            tables,
            [
                (
                    "X 1".into(),
                    3,
                    head.len(),
                    first.trim_end().replace("\r\n", "\n")
                ),
                (
                    "X 2".into(),
                    9,
                    head.len() + first.len(),
                    entry("X 2").trim_end().replace("\r\n", "\n")
                ),
            ]
        );
        let inline = "version = 1\nfinding = [{ rule = \"r\", path = \"a\", match = \"X\", line = \"X\" }]\n";
        assert!(entry_tables(inline).is_empty());
    }

    /// What reading `text` gives: entry by entry when that works, else whole.
    fn read(text: &str) -> String {
        let file = by_entry(text).or_else(|| toml::from_str::<BaselineFile>(text).ok());
        format!("{file:?}")
    }

    fn whole(text: &str) -> String {
        format!("{:?}", toml::from_str::<BaselineFile>(text).ok())
    }

    #[test]
    fn reading_entry_by_entry_gives_what_the_whole_file_says() {
        let entry =
            "[[finding]]\nrule = \"r\"\npath = \"a.php\"\nmatch = \"X\"\nline = 'X \"y\"'\n";
        let texts = [
            format!("# comment\nversion = 1\n\n{entry}count = 2\n\n{entry}"),
            format!("version = 1\r\n{}", entry.replace('\n', "\r\n")),
            "version = 1\n".to_owned(),
            format!(
                "version = 1\n[[finding]]\nrule = \"r\"\npath = \"a\"\nmatch = \"\"\"X\n[[finding]]\n\"\"\"\nline = \"X\"\n{entry}"
            ),
            "version = 1\nfinding = [{ rule = \"r\", path = \"a\", match = \"X\", line = \"X\" }]\n"
                .to_owned(),
            format!("version = 1\nfinding = []\n{entry}"),
            format!("version = 1\n{entry}version = 2\n"),
            format!("version = 1\n{entry}[other]\n"),
            format!("{entry}version = 1\n"),
        ];
        for text in &texts {
            assert_eq!(read(text), whole(text), "{text}");
        }
        assert!(by_entry(&texts[0]).is_some_and(|file| file.findings.len() == 2));
        assert!(whole(&texts[3]).contains("[[finding]]"));
        assert_eq!(whole(&texts[6]), "None");
    }
}
