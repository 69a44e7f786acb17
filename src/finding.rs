//! What a scan produces: one `Finding` per forbidden reference, carrying everything a report needs
//! (position, matched text, the source line), so that no later stage touches the file again.

use std::borrow::Cow;
use std::fmt;

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
    /// 1-based line of the first matched byte.
    pub line: usize,
    /// 1-based column, in characters, of the first matched byte.
    pub column: usize,
    /// 1-based line of the last matched byte.
    pub end_line: usize,
    /// 1-based column, in characters, just past the match (exclusive).
    pub end_column: usize,
    /// 0-based byte offset of the match in the file.
    pub byte_offset: usize,
    /// The matched text, invalid UTF-8 shown as U+FFFD.
    pub matched: String,
    /// The token or pattern of the rule that matched.
    pub needle: String,
    /// When the needle is a naming variant, the token it was made from.
    pub variant_of: Option<String>,
    /// The source lines the match spans.
    pub snippet: Snippet,
    /// A word about this one finding beyond its rule's message, such as the rule id a marker
    /// probably meant.
    pub note: Option<String>,
}

impl Finding {
    /// Whether the finding is a file that a rule's `forbid_paths` forbids, rather than text in
    /// a file: it has no source text.
    pub fn is_forbidden_path(&self) -> bool {
        self.snippet.text.is_empty()
    }

    /// What matched, in a few words, for the formats that have one message per finding:
    /// `` `ListInventorySyncRuns` ``, with the finding's note, or else the token it is a variant
    /// of or the needle it matched when that differs, or the `forbid_paths` pattern of a
    /// forbidden file.
    pub fn subject(&self) -> String {
        if self.is_forbidden_path() {
            return format!("file forbidden by `{}`", self.needle);
        }
        match (&self.note, &self.variant_of) {
            (Some(note), _) => format!("`{}` ({note})", self.matched),
            (None, Some(token)) => format!("`{}` (a variant of `{token}`)", self.matched),
            (None, None) if self.matched == self.needle => format!("`{}`", self.matched),
            (None, None) => format!("`{}` (matches `{}`)", self.matched, self.needle),
        }
    }
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
    pub span: std::ops::Range<usize>,
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
