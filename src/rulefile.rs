//! The rule file: finding it, reading it, and deserializing it into plain structs that mirror the
//! TOML. Nothing here knows what a rule means; `ruleset` compiles these structs once all is known, and
//! every mistake, from either step, is reported as a diagnostic that points into the file.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::IntoDeserializer;
use toml::Spanned;
use toml::de::{DeArray, DeString, DeTable, DeValue};

use crate::finding::Severity;

/// The JSON Schema of the rule file, generated from the types the loader reads it into.
pub fn schema() -> String {
    serde_json::to_string_pretty(&schemars::schema_for!(RawRuleFile)).expect("a schema serializes")
}

/// The file names looked for, in this order, in the current directory and each ancestor.
pub const FILE_NAMES: [&str; 2] = ["vestige.toml", ".vestige.toml"];

/// The whole rule file, as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vestige rule file (vestige.toml)")]
pub struct RawRuleFile {
    /// What to scan.
    #[serde(default)]
    pub scan: RawScan,
    /// The rules, in file order.
    #[serde(default)]
    #[schemars(with = "Vec<RawRule>")]
    pub rule: Vec<Spanned<RawRule>>,
    /// The baseline of tolerated findings.
    #[serde(default)]
    pub baseline: RawBaseline,
    /// How `vestige-ignore` markers in the code are checked.
    #[serde(default)]
    pub suppressions: RawSuppressions,
    /// The mistakes found while reading the parts that could not be read (wrong types, unknown
    /// keys), reported together with those compiling the rest finds.
    #[serde(skip)]
    #[schemars(skip)]
    pub errors: Vec<RuleFileError>,
}

/// The `[suppressions]` table.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSuppressions {
    /// Whether a marker without a `-- reason` is an error.
    #[serde(default)]
    pub require_reason: bool,
}

/// The `[baseline]` table.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBaseline {
    /// The baseline file, relative to the project root.
    pub file: Option<String>,
}

/// The `[scan]` table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RawScan {
    /// Directories to scan, relative to the project root.
    #[schemars(with = "Vec<String>")]
    pub roots: Vec<Spanned<String>>,
    /// Gitignore-style patterns, relative to the project root, of paths never scanned.
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// Whether .gitignore, .ignore and .git/info/exclude are honoured.
    pub gitignore: bool,
    /// Whether dot-files and dot-directories are scanned.
    pub hidden: bool,
    /// Whether symbolic links are followed (loops are detected and skipped).
    pub follow_symlinks: bool,
    /// Files larger than this many bytes are skipped with a note.
    pub max_filesize: u64,
    /// Globs of files scanned as text even with NUL bytes, in addition to the built-in list of
    /// source and text files; a glob without `/` matches the file name, one with `/` the path
    /// relative to the project root.
    #[schemars(with = "Vec<String>")]
    pub text_files: Vec<Spanned<String>>,
}

/// The default `scan.max_filesize`: 100 MiB.
pub const DEFAULT_MAX_FILESIZE: u64 = 100 * 1024 * 1024;

/// The files always scanned as text, to which `scan.text_files` adds: the source and text files
/// a removal is about, scanned even when a stray NUL byte would make another file binary.
pub const TEXT_FILES: &[&str] = &[
    "*.php",
    "*.phtml",
    "*.inc",
    "*.stub",
    "*.twig",
    "*.js",
    "*.mjs",
    "*.cjs",
    "*.jsx",
    "*.ts",
    "*.mts",
    "*.cts",
    "*.tsx",
    "*.vue",
    "*.svelte",
    "*.json",
    "*.yaml",
    "*.yml",
    "*.neon",
    "*.sql",
    "*.css",
    "*.scss",
    "*.sass",
    "*.less",
    "*.html",
    "*.htm",
    "*.xml",
    "*.dist",
    "*.md",
    "*.markdown",
    "*.txt",
    "*.csv",
    "*.toml",
    "*.ini",
    "*.conf",
    "*.env",
    ".env",
    ".env.*",
    "*.sh",
];

impl Default for RawScan {
    fn default() -> Self {
        Self {
            roots: vec![Spanned::new(0..0, ".".to_owned())],
            exclude: Vec::new(),
            gitignore: true,
            hidden: false,
            follow_symlinks: false,
            max_filesize: DEFAULT_MAX_FILESIZE,
            text_files: Vec::new(),
        }
    }
}

/// One `[[rule]]` table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// Unique identifier, shown as the diagnostic's code.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// What is wrong.
    pub message: String,
    /// What to do instead.
    #[serde(default)]
    pub help: Option<String>,
    /// How serious a finding is.
    #[serde(default)]
    pub severity: Severity,
    /// Literal tokens.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub tokens: Vec<Spanned<String>>,
    /// Regular expressions, used as written.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub patterns: Vec<Spanned<String>>,
    /// How tokens must be delimited.
    #[serde(default, rename = "match")]
    pub match_mode: MatchMode,
    /// Whether tokens and patterns match case-sensitively.
    #[serde(default = "yes")]
    pub case_sensitive: bool,
    /// Gitignore-style patterns of the only paths the rule applies to.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    /// Gitignore-style patterns of paths the rule does not apply to.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// Whether `vestige-ignore` markers may suppress the rule's findings.
    #[serde(default = "yes")]
    pub suppressible: bool,
    /// Until this day the rule reports warnings; from it on, its own severity.
    #[serde(default)]
    #[schemars(with = "Option<String>", extend("format" = "date"))]
    pub warn_until: Option<Spanned<toml::value::Datetime>>,
    /// Gitignore-style patterns of paths that must not exist: each file that matches is a finding.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub forbid_paths: Vec<Spanned<String>>,
    /// Naming variants of the tokens to match too: `true`, or a list of variant names.
    #[serde(default)]
    #[schemars(with = "Option<VariantsSchema>")]
    pub variants: Option<Spanned<toml::Value>>,
}

fn yes() -> bool {
    true
}

/// The shape of a rule's `variants`, for the JSON Schema only: the loader reads the value
/// itself, to point at a wrong entry.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum VariantsSchema {
    /// `true` for every kind, `false` for none.
    All(bool),
    /// The kinds wanted.
    Kinds(Vec<crate::variants::Variant>),
}

/// How a token must be delimited to count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Neither neighbour byte may be `[A-Za-z0-9_]`.
    #[default]
    Word,
    /// Starts and ends on an identifier-part boundary: `_`, `-`, a lower-case letter or digit
    /// before an upper-case one, the last capital of an acronym before a capitalised word, or
    /// the end of an identifier.
    Part,
    /// Anywhere.
    Substring,
}

/// A rule file read from disk together with its text, for diagnostics.
#[derive(Debug)]
pub struct RuleFile {
    /// Where the file was read from, absolute.
    pub path: PathBuf,
    /// The path shown in diagnostics: relative to the current directory when inside it.
    pub name: String,
    /// The file's text.
    pub source: Arc<String>,
}

/// A table (or a `[[rule]]`, an array of one table) that failed to deserialize, taken apart into
/// one copy per key holding that key alone, so that each wrong key gives its own error: serde
/// stops at the first. A rule's required `id` and `message` are kept in every copy (as
/// placeholders when they are the wrong ones), so that only the key itself can fail.
fn key_by_key<'i>(piece: &Spanned<DeValue<'i>>) -> Vec<(String, Spanned<DeValue<'i>>)> {
    let (table, rule) = match piece.get_ref() {
        DeValue::Table(table) => (table, false),
        DeValue::Array(one) => match one.first().map(Spanned::get_ref) {
            Some(DeValue::Table(table)) => (table, true),
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let placeholder = |text: &'static str| Spanned::new(0..0, DeValue::String(text.into()));
    let required = table
        .iter()
        .filter(|(key, _)| rule && ["id", "message"].contains(&key.get_ref().as_ref()));
    let mut only_required = DeTable::new();
    for (key, value) in required {
        only_required.insert(key.clone(), value.clone());
    }
    let mut copies: Vec<(String, Spanned<DeValue<'i>>)> = Vec::new();
    if rule {
        // A missing `id` or `message` is only said once the other keys are read.
        let mut one = DeArray::new();
        one.push(Spanned::new(piece.span(), DeValue::Table(only_required)));
        copies.push((
            String::new(),
            Spanned::new(piece.span(), DeValue::Array(one)),
        ));
    }
    copies.extend(table.iter().map(|(key, value)| {
        let mut alone = DeTable::new();
        if rule {
            for (required, text) in [("id", "x"), ("message", "m")] {
                alone.insert(Spanned::new(0..0, required.into()), placeholder(text));
            }
        }
        alone.insert(key.clone(), value.clone());
        let alone = DeValue::Table(alone);
        let alone = match rule {
            true => {
                let mut one = DeArray::new();
                one.push(Spanned::new(piece.span(), alone));
                Spanned::new(piece.span(), DeValue::Array(one))
            }
            false => Spanned::new(piece.span(), alone),
        };
        (key.get_ref().to_string(), alone)
    }));
    copies
}

/// A `[[rule]]` (an array of one table) without the keys `wrong`, if it still has its own `id`
/// and `message`.
fn without<'i>(piece: &Spanned<DeValue<'i>>, wrong: &[String]) -> Option<Spanned<DeValue<'i>>> {
    let DeValue::Array(one) = piece.get_ref() else {
        return None;
    };
    let Some(DeValue::Table(table)) = one.first().map(Spanned::get_ref) else {
        return None;
    };
    // Without its own id and message, or with wrong needles (it would seem to have none), the
    // rest of the rule would only draw mistakes that are not there.
    let needed = ["id", "message"];
    let needles = ["tokens", "patterns", "forbid_paths"];
    let missing = |n: &&str| !table.keys().any(|k| k.get_ref() == *n);
    let is_wrong = |n: &&str| wrong.iter().any(|w| w == n);
    let kept = |n: &&str| !missing(n) && !is_wrong(n);
    if needed.iter().any(|n| !kept(n)) || needles.iter().any(is_wrong) || !needles.iter().any(kept)
    {
        return None;
    }
    let mut rest = DeTable::new();
    for (key, value) in table.iter() {
        if !wrong.iter().any(|w| w == key.get_ref()) {
            rest.insert(key.clone(), value.clone());
        }
    }
    let mut array = DeArray::new();
    array.push(Spanned::new(piece.span(), DeValue::Table(rest)));
    Some(Spanned::new(piece.span(), DeValue::Array(array)))
}

/// An empty TOML table, the value that gives every key its default.
fn empty_table() -> Spanned<DeValue<'static>> {
    Spanned::new(0..0, DeValue::Table(DeTable::new()))
}

impl RuleFile {
    /// Reads the rule file at the absolute `path`, named relative to `cwd` in diagnostics.
    pub fn read(path: &Path, cwd: &Path) -> miette::Result<Self> {
        let name = path.strip_prefix(cwd).unwrap_or(path).display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|err| miette::miette!("cannot read rule file {name}: {err}"))?;
        Ok(Self {
            path: path.to_owned(),
            name,
            source: Arc::new(text),
        })
    }

    /// Deserializes the file, turning any TOML or schema error into a diagnostic.
    pub fn parse(&self) -> miette::Result<RawRuleFile> {
        let document = DeTable::parse(&self.source).map_err(|err| self.toml_error(&err))?;
        let span = document.span();
        let table = document.into_inner();
        let part = |key: &Spanned<DeString<'_>>, value: Spanned<DeValue<'_>>| {
            let mut piece = DeTable::new();
            piece.insert(key.clone(), value);
            RawRuleFile::deserialize(Spanned::new(span.clone(), piece).into_deserializer())
        };
        let mut config = part(&Spanned::new(0..0, "scan".into()), empty_table())
            .map_err(|err| self.toml_error(&err))?;
        let mut errors = Vec::new();
        // Each table, and each [[rule]], is read on its own, so that one wrong type does not hide
        // the mistakes after it: every one is reported in one run.
        for (key, value) in table {
            let pieces: Vec<Spanned<DeValue<'_>>> = match value.get_ref() {
                DeValue::Array(rules) if key.get_ref() == "rule" => rules
                    .iter()
                    .map(|rule| {
                        let mut one = DeArray::new();
                        one.push(rule.clone());
                        Spanned::new(rule.span(), DeValue::Array(one))
                    })
                    .collect(),
                _ => vec![value],
            };
            for piece in pieces {
                match part(&key, piece.clone()) {
                    Ok(read) => match key.get_ref().as_ref() {
                        "scan" => config.scan = read.scan,
                        "baseline" => config.baseline = read.baseline,
                        "suppressions" => config.suppressions = read.suppressions,
                        _ => config.rule.extend(read.rule),
                    },
                    Err(err) => {
                        let mut found = vec![self.toml_error(&err)];
                        let mut wrong = Vec::new();
                        for (name, one) in key_by_key(&piece) {
                            if let Err(err) = part(&key, one) {
                                found.push(self.toml_error(&err));
                                wrong.push(name);
                            }
                        }
                        // The rest of a rule is still compiled, so that its other mistakes (a
                        // bad glob, say) are reported in the same run; nothing is scanned.
                        if let Some(rest) = without(&piece, &wrong) {
                            if let Ok(read) = part(&key, rest) {
                                config.rule.extend(read.rule);
                            }
                        }
                        found.sort_by_key(|e| (e.span.offset(), e.message.clone()));
                        found.dedup_by(|a, b| a.span == b.span && a.message == b.message);
                        errors.extend(found);
                    }
                }
            }
        }
        config.errors = errors;
        Ok(config)
    }

    /// A TOML or type error of the rule file as a diagnostic at its span.
    fn toml_error(&self, err: &toml::de::Error) -> RuleFileError {
        let span = err.span().unwrap_or(0..0);
        let message = plain_words(err.message().trim_end());
        let help = suggestion(&message);
        self.error(span, message, "here", help)
    }

    /// A diagnostic pointing at `span` of this file; control characters in its texts (which may
    /// quote the file's values) are made visible.
    pub fn error(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> RuleFileError {
        let shown = |text: String| crate::text::diagnostic_text(&text);
        RuleFileError {
            message: shown(message.into()),
            src: Source {
                name: self.name.clone(),
                text: Arc::clone(&self.source),
                lines: None,
            },
            span: span.into(),
            label: shown(label.into()),
            help: help.map(shown),
        }
    }
}

/// A mistake in the rule file, shown with the offending span.
#[derive(Debug, Clone, Diagnostic, thiserror::Error)]
#[error("{message}")]
pub struct RuleFileError {
    message: String,
    #[source_code]
    src: Source,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
    #[help]
    help: Option<String>,
}

/// Where each line of a text starts, to find the line of an offset without reading the text
/// from its start.
#[derive(Debug)]
pub struct LineIndex(Vec<usize>);

impl LineIndex {
    /// The index of `text`'s lines.
    pub fn new(text: &str) -> Self {
        let starts = memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1);
        Self(std::iter::once(0).chain(starts).collect())
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// The rule file as a diagnostic's source code. With a line index, the lines around a span are
/// found without reading the file from its start, so that drawing many diagnostics of one big
/// file costs time in proportion to what is drawn.
#[derive(Debug, Clone)]
struct Source {
    name: String,
    text: Arc<String>,
    lines: Option<Arc<LineIndex>>,
}

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (start, first_line) = match &self.lines {
            Some(lines) => {
                let line = (lines.line_of(span.offset()) - 1).saturating_sub(before);
                (lines.0[line], line)
            }
            None => (0, 0),
        };
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = self.text[start..].read_span(&local, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first_line,
            inner.column(),
            inner.line_count() + first_line,
        )))
    }
}

/// Every mistake found in one rule file.
#[derive(Debug, Diagnostic, thiserror::Error)]
#[error("{name} has {} errors", errors.len())]
pub struct RuleFileErrors {
    name: String,
    #[related]
    errors: Vec<RuleFileError>,
}

impl RuleFileErrors {
    /// The mistakes, in file order.
    pub fn errors(&self) -> &[RuleFileError] {
        &self.errors
    }

    /// Turns a non-empty list of mistakes into one report, in file order: the mistake itself
    /// when there is one.
    pub fn report(file: &RuleFile, mut errors: Vec<RuleFileError>) -> miette::Report {
        errors.sort_by_key(|e| e.span.offset());
        let lines = Arc::new(LineIndex::new(&file.source));
        for error in &mut errors {
            error.src.lines = Some(Arc::clone(&lines));
        }
        if errors.len() == 1 {
            miette::Report::new(errors.remove(0))
        } else {
            miette::Report::new(Self {
                name: file.name.clone(),
                errors,
            })
        }
    }
}

/// The rule file to use: `explicit` if given, else the first one found from `start` upwards.
pub fn locate(explicit: Option<&Path>, start: &Path) -> miette::Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.to_owned());
    }
    for dir in start.ancestors() {
        for name in FILE_NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(miette::miette!(
        help = "run `vestige init` to write a commented starter vestige.toml here, or pass \
                --config FILE",
        "no rule file found: looked for {} in {} and every directory above it",
        FILE_NAMES.join(" and "),
        start.display()
    ))
}

/// serde's words for TOML's things: arrays, not sequences; tables, not Rust structs.
fn plain_words(message: &str) -> String {
    message
        .replace("a sequence", "an array")
        .replace("struct RawScan", "the [scan] table")
        .replace("struct RawRuleFile", "a rule file")
        .replace("struct RawRule", "a [[rule]] table")
}

/// Help for a serde error: the nearest expected word for "unknown field/variant `x`, expected
/// ...", or how to write what was missing or misshapen.
fn suggestion(message: &str) -> Option<String> {
    if message.starts_with("missing field") {
        return Some("every [[rule]] needs `id`, `message`, and `tokens` or `patterns`".to_owned());
    }
    if message.starts_with("invalid type: map, expected an array") {
        return Some("rules are an array of tables: write each one as `[[rule]]`".to_owned());
    }
    if let Some(quoted) = message
        .strip_prefix("invalid type: string \"")
        .and_then(|rest| rest.strip_suffix("\", expected a TOML datetime"))
    {
        return Some(format!(
            "a TOML date has no quotes: write `warn_until = {quoted}`"
        ));
    }
    let words = backticked(message);
    let (unknown, expected) = words.split_first()?;
    if !(message.starts_with("unknown field") || message.starts_with("unknown variant")) {
        return None;
    }
    match did_you_mean(unknown, expected.iter().copied()) {
        Some(best) => Some(format!("did you mean `{best}`?")),
        None if !expected.is_empty() => Some(format!("expected one of: {}", expected.join(", "))),
        None => None,
    }
}

/// The words between backticks in `text`, in order.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The candidate closest to `word`, if one is close enough to be a likely misspelling.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|&(d, c)| d <= (c.chars().count().max(3) / 3))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

impl fmt::Display for MatchMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Word => "word",
            Self::Part => "part",
            Self::Substring => "substring",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_indexed_source_reads_the_same_lines_as_the_whole_text() {
        let text = "a = 1\r\n\n[[rule]]\nid = \"x\"\r\nmessage = \"m\"\ntokens = [\"\"]\nz";
        let lines = Arc::new(LineIndex::new(text));
        let source = |lines| Source {
            name: "v.toml".into(),
            text: Arc::new(text.to_owned()),
            lines,
        };
        let (plain, indexed) = (source(None), source(Some(lines)));
        for offset in 0..text.len() {
            for len in [0, 1, 3] {
                let span = SourceSpan::new(offset.into(), len.min(text.len() - offset));
                for context in [0, 1, 2] {
                    let a = plain.read_span(&span, context, context).unwrap();
                    let b = indexed.read_span(&span, context, context).unwrap();
                    // Without context, miette only reads the line and column (for the header).
                    let facts = |c: &dyn SpanContents<'_>| match context {
                        0 => (Vec::new(), SourceSpan::from(0..0), c.line(), c.column(), 0),
                        _ => (
                            c.data().to_vec(),
                            *c.span(),
                            c.line(),
                            c.column(),
                            c.line_count(),
                        ),
                    };
                    assert_eq!(facts(&*a), facts(&*b), "{span:?} {context}");
                }
            }
        }
    }

    #[test]
    fn did_you_mean_only_suggests_close_words() {
        let keys = ["id", "message", "tokens", "patterns"];
        assert_eq!(did_you_mean("tokns", keys), Some("tokens"));
        assert_eq!(did_you_mean("mesage", keys), Some("message"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(
            did_you_mean("tökens", keys),
            Some("tokens"),
            "one character, two bytes"
        );
    }

    #[test]
    fn suggestion_reads_serde_messages() {
        assert_eq!(
            suggestion("unknown field `tokns`, expected one of `id`, `tokens`").as_deref(),
            Some("did you mean `tokens`?")
        );
        assert_eq!(
            suggestion("unknown variant `fatal`, expected one of `error`, `warning`, `note`")
                .as_deref(),
            Some("expected one of: error, warning, note")
        );
        assert_eq!(
            suggestion("invalid type: integer `1`, expected a string"),
            None
        );
    }
}
