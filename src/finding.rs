//! What a scan produces: one `Finding` per forbidden reference, carrying everything a report needs
//! (position, matched text, and the source lines when an output shows them), so that no later
//! stage touches the file again. Its `Location` is either a span of text (byte range, lines and
//! columns, the exact matched bytes), from which a fix or an editor range can be computed, or the
//! file itself. A run may hold hundreds of thousands of findings, so each is small: its path is
//! shared by the findings of its file, its needle with the rule set. The order findings are shown
//! in, and the sort that gets there cheaply, live here too.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

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
    /// Path relative to the project root, `/`-separated; one allocation for the file's findings.
    pub path: Arc<str>,
    /// Where in the file, or the file itself.
    pub location: Location,
    /// The token or pattern of the rule that matched, shared with the rule set.
    pub needle: Arc<str>,
    /// When the needle is a naming variant, the token it was made from.
    pub variant_of: Option<Arc<str>>,
    /// A word about this one finding beyond its rule's message, such as the rule id a marker
    /// probably meant.
    pub note: Option<Box<str>>,
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
            Location::File => Cow::Borrowed(&*self.path),
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
            (None, None) if *matched == *self.needle => format!("`{matched}`"),
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
    /// entry tolerates); the needle's text when they are the same (see [`share`]).
    pub matched: Arc<[u8]>,
    /// The source lines the match spans, when the run builds them (see [`Span::snippet`]).
    snippet: Option<Box<Snippet>>,
}

impl Span {
    /// The match at `bytes`, from `start` to `end`, of the `matched` bytes, with the source lines
    /// it spans when the run builds them.
    pub fn new(
        bytes: Range<usize>,
        start: Position,
        end: Position,
        matched: Arc<[u8]>,
        snippet: Option<Snippet>,
    ) -> Self {
        Self {
            bytes,
            start,
            end,
            matched,
            snippet: snippet.map(Box::new),
        }
    }

    /// Whether the run built the source lines the match spans.
    pub fn has_snippet(&self) -> bool {
        self.snippet.is_some()
    }

    /// The source lines the match spans. A scan builds them only when something shows them or
    /// keys on them (`Format::shows_source`, the baseline); asking a run that did not is a bug in
    /// vestige, so it fails loudly here rather than showing an empty line.
    pub fn snippet(&self) -> &Snippet {
        self.snippet
            .as_deref()
            .expect("the run builds snippets for every output and baseline that uses them")
    }
}

/// The `matched` bytes of a match of `needle`: the needle's own text, shared, when they are the
/// same, as they are for most matches; else a copy.
pub fn share(matched: &[u8], needle: &Arc<str>) -> Arc<[u8]> {
    if matched == needle.as_bytes() {
        Arc::clone(needle).into()
    } else {
        matched.into()
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
    a.path.cmp(&b.path).then_with(|| in_file(a, b, rule_id))
}

/// [`order`] for two findings of one file: all of it but the path.
fn in_file<'r>(a: &Finding, b: &Finding, rule_id: impl Fn(usize) -> &'r str) -> Ordering {
    let (start_a, start_b) = (a.location.start(), b.location.start());
    start_a
        .cmp(&start_b)
        .then_with(|| rule_id(a.rule).cmp(rule_id(b.rule)))
        .then_with(|| a.location.bytes().start.cmp(&b.location.bytes().start))
        .then_with(|| a.location.end().column.cmp(&b.location.end().column))
}

/// Sorts `items` into [`order`] of the finding `finding` gives of each. A scan hands out the
/// findings of one file together, so paths are compared once per run of one file rather than
/// once per comparison of two findings: the runs are put in path order, then each file's
/// findings are sorted apart (runs of one path that were apart are sorted as one).
pub fn sort<'r, T>(
    items: &mut [T],
    finding: impl Fn(&T) -> &Finding,
    rule_id: impl Fn(usize) -> &'r str,
) {
    let same_file = |a: &T, b: &T| finding(a).path == finding(b).path;
    let mut runs: Vec<Range<usize>> = Vec::new();
    for run in items.chunk_by(same_file) {
        let start = runs.last().map_or(0, |last| last.end);
        runs.push(start..start + run.len());
    }
    // One file's findings (as each walker thread sorts them) need no moving between files.
    if runs.len() > 1 {
        runs.sort_by(|a, b| {
            finding(&items[a.start])
                .path
                .cmp(&finding(&items[b.start]).path)
        });
        // Where each item goes, then each moved there by swaps along the cycles of that
        // permutation.
        let mut to = vec![0; items.len()];
        for (at, i) in runs.into_iter().flatten().enumerate() {
            to[i] = at;
        }
        for i in 0..items.len() {
            while to[i] != i {
                let j = to[i];
                items.swap(i, j);
                to.swap(i, j);
            }
        }
    }
    for file in items.chunk_by_mut(same_file) {
        file.sort_unstable_by(|a, b| in_file(finding(a), finding(b), &rule_id));
    }
}

/// `first` and `then`, each sorted into [`order`] of the finding `finding` gives of each, as one
/// sorted list; of two items in the same place, the one from `first` comes first.
pub fn merge<'r, T>(
    first: Vec<T>,
    then: Vec<T>,
    finding: impl Fn(&T) -> &Finding,
    rule_id: impl Fn(usize) -> &'r str,
) -> Vec<T> {
    if then.is_empty() {
        return first;
    }
    let mut merged = Vec::with_capacity(first.len() + then.len());
    let mut then = then.into_iter().peekable();
    for item in first {
        while let Some(earlier) =
            then.next_if(|t| order(finding(t), finding(&item), &rule_id) == Ordering::Less)
        {
            merged.push(earlier);
        }
        merged.push(item);
    }
    merged.extend(then);
    merged
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Finding, Location, Position, Span, merge, order, share, sort, visible};

    /// A finding of `Foo` by rule `rule` in `path` at `line`:`column`.
    fn at(path: &Arc<str>, line: usize, column: usize, rule: usize) -> Finding {
        let needle: Arc<str> = "Foo".into();
        let byte = line * 1000 + column;
        let (start, end) = (
            Position { line, column },
            Position {
                line,
                column: column + 3,
            },
        );
        let matched = share(b"Foo", &needle);
        Finding {
            rule,
            path: Arc::clone(path),
            location: Location::Span(Span::new(byte..byte + 3, start, end, matched, None)),
            needle,
            variant_of: None,
            note: None,
        }
    }

    /// The rule ids of `at`'s rules, not in index order.
    fn rule_id(rule: usize) -> &'static str {
        ["b", "a", "c"][rule]
    }

    #[test]
    fn sorting_file_by_file_gives_the_order_of_comparing_every_two_findings() {
        let paths: Vec<Arc<str>> = ["app/y.php", "app/x.php", "app-x.php", "app/x.php"]
            .map(Arc::from)
            .into();
        let mut findings = vec![
            at(&paths[0], 3, 1, 0),
            at(&paths[0], 1, 5, 2),
            at(&paths[1], 2, 1, 1),
            at(&paths[1], 2, 1, 0),
            at(&paths[1], 1, 9, 2),
            at(&paths[2], 1, 1, 0),
            at(&paths[0], 1, 1, 1),
            at(&paths[3], 1, 2, 0),
            at(&paths[3], 1, 1, 0),
        ];
        findings.push(Finding {
            location: Location::File,
            ..at(&paths[3], 1, 1, 2)
        });
        // A longer list in scrambled runs, some files split over several runs.
        let mut state = 7u64;
        for _ in 0..400 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let pick = (state >> 33) as usize;
            let path = &paths[pick % paths.len()];
            for _ in 0..pick % 4 {
                findings.push(at(path, pick % 7 + 1, pick % 5 + 1, pick % 3));
            }
        }
        let mut expected = findings.clone();
        expected.sort_by(|a, b| order(a, b, rule_id));
        sort(&mut findings, |f| f, rule_id);
        assert_eq!(findings, expected);
    }

    #[test]
    fn merging_two_sorted_lists_is_a_stable_sort_of_both() {
        let (x, y): (Arc<str>, Arc<str>) = ("x.php".into(), "y.php".into());
        let first = vec![(at(&x, 1, 1, 0), 'a'), (at(&y, 2, 1, 0), 'a')];
        let then = vec![
            (at(&x, 1, 1, 1), 'b'),
            (at(&x, 1, 1, 0), 'b'),
            (at(&y, 1, 1, 0), 'b'),
            (at(&y, 3, 1, 0), 'b'),
        ];
        let mut expected = [first.clone(), then.clone()].concat();
        expected.sort_by(|a, b| order(&a.0, &b.0, rule_id));
        let merged = merge(first, then, |(f, _)| f, rule_id);
        assert_eq!(merged, expected);
        assert_eq!(
            [merged[1].1, merged[2].1],
            ['a', 'b'],
            "of two in one place, the first list's comes first"
        );
    }

    #[test]
    fn a_match_equal_to_its_needle_shares_its_text() {
        let needle: Arc<str> = "Foo".into();
        assert_eq!(share(b"Foo", &needle).as_ptr(), needle.as_ptr());
        let other = share(b"FOO", &needle);
        assert_eq!(*other, *b"FOO");
        assert_ne!(other.as_ptr(), needle.as_ptr());
    }

    #[cfg(target_pointer_width = "64")]
    #[test]
    fn a_finding_stays_small() {
        assert!(
            size_of::<Finding>() <= 144,
            "{} bytes",
            size_of::<Finding>()
        );
    }

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
