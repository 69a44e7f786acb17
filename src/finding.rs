//! What a scan produces: one `Finding` per forbidden reference, carrying everything a report needs
//! (position, matched text, the source line), so that no later stage touches the file again. Its
//! `Location` is either a span of text (byte range, lines and columns, the exact matched bytes),
//! from which a fix or an editor range can be computed, or the file itself.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How serious a finding is; only `error` fails the run.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the run.
    #[default]
    Error,
    /// Reported, does not fail the run.
    Warning,
    /// Informational.
    Note,
}

impl Severity {
    /// The lowercase name used in the rule file and in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One forbidden reference in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Index of the rule in the compiled rule set.
    pub rule: usize,
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    /// Where in the file, or the file itself.
    pub location: Location,
    /// The token or pattern of the rule that matched.
    pub needle: String,
    /// When the needle is a naming variant, the token it was made from.
    pub variant_of: Option<String>,
    /// A word about this one finding beyond its rule's message, such as the rule id a marker
    /// probably meant.
    pub note: Option<String>,
}

impl Finding {
    /// Whether the finding is a file that a rule's `forbid_paths` forbids, rather than text in
    /// a file.
    pub fn is_forbidden_path(&self) -> bool {
        matches!(self.location, Location::File)
    }

    /// The matched text as the formats show it, each invalid UTF-8 byte as U+FFFD; for a
    /// forbidden file, its path.
    pub fn matched(&self) -> Cow<'_, str> {
        match &self.location {
            Location::Span(span) => display(&span.matched),
            Location::File => Cow::Borrowed(&self.path),
        }
    }

    /// What matched, in a few words, for the formats that have one message per finding:
    /// `` `ListInventorySyncRuns` ``, with the finding's note, or else the token it is a variant
    /// of or the needle it matched when that differs, or the `forbid_paths` pattern of a
    /// forbidden file.
    pub fn subject(&self) -> String {
        if self.is_forbidden_path() {
            return format!("file forbidden by `{}`", self.needle);
        }
        let matched = self.matched();
        match (&self.note, &self.variant_of) {
            (Some(note), _) => format!("`{matched}` ({note})"),
            (None, Some(token)) => format!("`{matched}` (a variant of `{token}`)"),
            (None, None) if matched == self.needle => format!("`{matched}`"),
            (None, None) => format!("`{matched}` (matches `{}`)", self.needle),
        }
    }
}

/// Where a finding is: matched text in its file, or the file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Text in the file.
    Span(Span),
    /// The whole file: one that a rule's `forbid_paths` forbids.
    File,
}

impl Location {
    /// The position of the first matched character; for the whole file, `Position::FILE`.
    pub fn start(&self) -> Position {
        match self {
            Self::Span(span) => span.start,
            Self::File => Position::FILE,
        }
    }

    /// The position just past the match; for the whole file, `Position::FILE`.
    pub fn end(&self) -> Position {
        match self {
            Self::Span(span) => span.end,
            Self::File => Position::FILE,
        }
    }

    /// The byte range of the match; for the whole file, the empty range at its start.
    pub fn bytes(&self) -> Range<usize> {
        match self {
            Self::Span(span) => span.bytes.clone(),
            Self::File => 0..0,
        }
    }
}

/// A 1-based line and column in a file; columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Position {
    /// Where the formats that need a line and column place a finding about a whole file.
    pub const FILE: Self = Self { line: 1, column: 1 };
}

/// Matched text in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The byte range of the match in the file as searched (a UTF-16 file is searched as UTF-8).
    pub bytes: Range<usize>,
    /// The first matched character.
    pub start: Position,
    /// Just past the last matched character: its line, and the column after it.
    pub end: Position,
    /// The matched bytes, exactly as in the file (for a baseline entry that grew, the text the
    /// entry tolerates).
    pub matched: Vec<u8>,
    /// The source lines the match spans.
    pub snippet: Snippet,
}

/// A finding that is not reported as one: a marker in the code or the baseline suppressed it.
/// Only SARIF shows these (as suppressed results); every other format only counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// What suppressed it.
    pub by: Suppression,
}

/// What suppressed a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppression {
    /// A `vestige-ignore` marker in the code, with the reason it gives after `--`, if any.
    Marker(Option<String>),
    /// The baseline tolerates it.
    Baseline,
}

/// The source lines around a finding, as displayed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The lines, joined by `\n`, without line terminators.
    pub text: String,
    /// 1-based line number of the first line of `text`.
    pub first_line: usize,
    /// Byte range of the match within `text`.
    pub span: Range<usize>,
}

/// `bytes` as text, each invalid UTF-8 byte shown as one U+FFFD.
pub fn display(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(std::iter::repeat_n('\u{FFFD}', chunk.invalid().len()));
    }
    Cow::Owned(out)
}

/// `text` safe to print on a terminal: every control character but tab is replaced by one
/// visible character (C0 and DEL by their Unicode control pictures, C1 by U+FFFD), so that
/// a crafted file name or line cannot drive the terminal and columns stay aligned.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\t') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\t' => c,
                '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
                '\u{7f}' => '\u{2421}',
                c if c.is_control() => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// The order of findings in every format and command: path (byte order), start (line, then
/// column), the id `rule_id` gives for the rule, then byte offset and end column.
pub fn order<'r>(a: &Finding, b: &Finding, rule_id: impl Fn(usize) -> &'r str) -> Ordering {
    let (start_a, start_b) = (a.location.start(), b.location.start());
    a.path
        .cmp(&b.path)
        .then(start_a.cmp(&start_b))
        .then_with(|| rule_id(a.rule).cmp(rule_id(b.rule)))
        .then_with(|| a.location.bytes().start.cmp(&b.location.bytes().start))
        .then_with(|| a.location.end().column.cmp(&b.location.end().column))
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn control_characters_become_visible_one_for_one() {
        assert_eq!(visible("plain\ttext"), "plain\ttext");
        assert_eq!(visible("a\u{1b}[31mred"), "a\u{241b}[31mred");
        assert_eq!(visible("cr\rlf\n"), "cr\u{240d}lf\u{240a}");
        assert_eq!(visible("del\u{7f} csi\u{9b}"), "del\u{2421} csi\u{FFFD}");
        let hostile = "x\u{1b}]0;title\u{7}y";
        assert_eq!(visible(hostile).chars().count(), hostile.chars().count());
    }
}
