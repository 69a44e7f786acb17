//! One file in, findings out: read the file, skip it if binary, run the matcher over the rules
//! whose path scope covers it, and turn byte offsets into lines, columns and, when the run shows
//! or keys on them, source snippets.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use crate::finding::{
    self, Finding, Location, Position, Snippet, Span, Suppressed, display, visible,
};
use crate::matcher::Hit;
use crate::ruleset::{BuiltIn, RuleSet};
use crate::suppress;
use crate::walk;

/// How many leading bytes are checked for a NUL to decide that a file is binary.
pub const BINARY_PROBE: usize = 8 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileOutcome {
    /// Read and searched; holds its size in bytes.
    Text(u64),
    /// Read, but holds a NUL byte in its first 8 KiB.
    Binary,
    /// No rule applies to its path, so it was not read.
    OutOfScope,
    /// Larger than `scan.max_filesize`; holds its size in bytes. Not read.
    TooLarge(u64),
    /// Not a regular file when opened (replaced since the walk saw it). Not read.
    NotAFile,
}

/// Scans files one after another, reusing its buffers.
#[derive(Debug)]
pub struct Scanner<'r> {
    rules: &'r RuleSet,
    snippets: bool,
    everywhere: bool,
    forbids: bool,
    active: Vec<bool>,
    buffer: Vec<u8>,
    filled: usize,
    hits: Vec<Hit>,
    suppressor: suppress::Suppressor,
    suppressed: Vec<Suppressed>,
}

impl<'r> Scanner<'r> {
    /// A scanner for `rules`; with `snippets`, each finding in a file's text gets the source
    /// lines it spans.
    pub fn new(rules: &'r RuleSet, snippets: bool) -> Self {
        Self {
            rules,
            snippets,
            everywhere: rules.rules.iter().all(|r| r.paths.is_everywhere()),
            forbids: rules.rules.iter().any(|r| !r.forbid.written.is_empty()),
            active: vec![true; rules.rules.len()],
            buffer: Vec::new(),
            filled: 0,
            hits: Vec::new(),
            suppressor: suppress::Suppressor::new(rules),
            suppressed: Vec::new(),
        }
    }

    /// The findings markers suppressed in the files scanned since the last call, in scan order.
    pub fn take_suppressed(&mut self) -> Vec<Suppressed> {
        std::mem::take(&mut self.suppressed)
    }

    /// The size above which files are skipped.
    pub fn max_filesize(&self) -> u64 {
        self.rules.scope.max_filesize
    }

    /// Scans the file at `path` under the project `root`, appending its findings to `out`. With
    /// `staged`, those are the file's contents (as the index holds them) and the file on disk
    /// is not read.
    pub fn scan(
        &mut self,
        path: &Path,
        root: &Path,
        staged: Option<&[u8]>,
        out: &mut Vec<Finding>,
    ) -> io::Result<FileOutcome> {
        let mut rel = RelPath::new(root, path);
        if self.forbids {
            self.forbidden(&mut rel, out);
        }
        if !self.everywhere {
            let rel = Path::new(rel.get());
            let mut any = false;
            for (active, rule) in self.active.iter_mut().zip(&self.rules.rules) {
                *active = rule.paths.applies(rel);
                any |= *active && rule.builtin.is_none();
            }
            if !any {
                return Ok(FileOutcome::OutOfScope);
            }
        }
        let max = self.rules.scope.max_filesize;
        if let Some(bytes) = staged {
            if bytes.len() as u64 > max {
                return Ok(FileOutcome::TooLarge(bytes.len() as u64));
            }
            self.buffer.clear();
            self.buffer.extend_from_slice(bytes);
            self.filled = bytes.len();
        } else {
            let mut file = open(path)?;
            let meta = file.metadata()?;
            if !meta.is_file() {
                return Ok(FileOutcome::NotAFile);
            }
            if meta.len() > max {
                return Ok(FileOutcome::TooLarge(meta.len()));
            }
            self.filled = read_to_end(&mut file, meta.len(), max, &mut self.buffer)?;
            if self.filled as u64 > max {
                return Ok(FileOutcome::TooLarge(self.filled as u64));
            }
        }
        Ok(self.scan_bytes(&mut rel, out))
    }

    /// Adds a finding for each rule whose `forbid_paths` match the file at `path` under the
    /// project `root`, without reading it.
    pub fn forbidden_at(&self, path: &Path, root: &Path, out: &mut Vec<Finding>) {
        self.forbidden(&mut RelPath::new(root, path), out);
    }

    /// Adds a finding for each rule whose `forbid_paths` match `rel`.
    fn forbidden(&self, rel: &mut RelPath<'_>, out: &mut Vec<Finding>) {
        for (index, rule) in self.rules.rules.iter().enumerate() {
            if let Some(glob) = rule.forbids(Path::new(rel.get())) {
                out.push(Finding {
                    rule: index,
                    path: rel.shared(),
                    location: Location::File,
                    needle: glob.into(),
                    variant_of: None,
                    note: None,
                });
            }
        }
    }

    /// Scans `self.buffer` as the contents of the file named by `rel`.
    fn scan_bytes(&mut self, rel: &mut RelPath<'_>, out: &mut Vec<Finding>) -> FileOutcome {
        let probe = &self.buffer[..self.filled.min(BINARY_PROBE)];
        if memchr::memchr(0, probe).is_some() {
            if let Some(text) = utf16_to_utf8(&self.buffer[..self.filled]) {
                self.filled = text.len();
                self.buffer = text;
            } else if !self.rules.scope.text_files.contains(rel.get()) {
                return FileOutcome::Binary;
            }
        }
        let haystack = &self.buffer[..self.filled];
        self.rules
            .matcher
            .find(haystack, &self.active, &mut self.hits);
        let markers = self.suppressor.markers(haystack);
        suppress::unmatch(&markers, &mut self.hits);
        if self.hits.is_empty() && markers.is_empty() {
            return FileOutcome::Text(haystack.len() as u64);
        }
        let first = out.len();
        let snippets = self.snippets;
        locate(haystack, &self.hits, self.rules, rel, snippets, out);
        if !markers.is_empty() {
            let mut findings = out.split_off(first);
            self.hits.clear();
            self.suppressor.apply(
                &markers,
                &mut findings,
                self.rules,
                &mut self.hits,
                &mut self.suppressed,
            );
            out.append(&mut findings);
            let own = out.len();
            locate(haystack, &self.hits, self.rules, rel, snippets, out);
            let unused = self.rules.builtin(BuiltIn::UnusedSuppression);
            for finding in out[own..].iter_mut().filter(|f| f.rule == unused) {
                finding.note = self
                    .suppressor
                    .note(&markers, finding)
                    .map(String::into_boxed_str);
            }
        }
        FileOutcome::Text(haystack.len() as u64)
    }
}

/// Opens `path` for reading without ever blocking: a FIFO swapped in after the walk would
/// otherwise wait for a writer for ever.
fn open(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    options.open(path)
}

/// Reads all of `file` into the front of `buffer` and returns how many bytes it got, stopping
/// early once there are more than `limit`. `len` is the size the file reported when opened. A
/// file whose size is not a whole number of pages is read in one `read` to that size, as a
/// regular file holds what it reports; one that reports 0 or a multiple of the page size
/// (`/proc` and `/sys` files, some FUSE and network file systems) is read until the end, since
/// such sizes can be made up. The buffer only ever grows, so its bytes are zeroed once.
/// bench/floor reads files the same way (its yardstick must make the same system calls): change
/// both together.
fn read_to_end(file: &mut File, len: u64, limit: u64, buffer: &mut Vec<u8>) -> io::Result<usize> {
    let len = usize::try_from(len).map_err(io::Error::other)?;
    let trusted = len % PAGE != 0;
    let mut filled = 0;
    while filled as u64 <= limit {
        if trusted && filled >= len {
            return Ok(filled);
        }
        let want = if trusted {
            len
        } else {
            // One byte past the reported size, so the read that finds the end is the second.
            (filled + READ_CHUNK).max(len + 1)
        };
        if buffer.len() < want {
            buffer.resize(want.max(buffer.len() * 2), 0);
        }
        let room = if trusted {
            &mut buffer[filled..len]
        } else {
            &mut buffer[filled..]
        };
        match file.read(room) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// The page size whose multiples (and 0) a file system reports when it does not know a size.
const PAGE: usize = 4096;

/// How much more room a read is given once a file has outgrown its reported size.
const READ_CHUNK: usize = 64 * 1024;

/// `bytes` transcoded to UTF-8 if they start with a UTF-16 byte order mark (a lone trailing
/// byte and unpaired surrogates become U+FFFD), so that UTF-16 files are searched like others.
/// Called only for bytes that hold a NUL, as UTF-16 with any ASCII text does: a UTF-8 file that
/// merely starts with the same two bytes is searched as it is.
fn utf16_to_utf8(bytes: &[u8]) -> Option<Vec<u8>> {
    let big_endian = match bytes {
        [0xFF, 0xFE, ..] => false,
        [0xFE, 0xFF, ..] => true,
        _ => return None,
    };
    let units = bytes[2..].chunks(2).map(|pair| match (pair, big_endian) {
        ([a, b], false) => u16::from_le_bytes([*a, *b]),
        ([a, b], true) => u16::from_be_bytes([*a, *b]),
        _ => 0xFFFD,
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    Some(text.into_bytes())
}

/// A file's path relative to the project root, worked out on first use and shared by the
/// file's findings.
struct RelPath<'p> {
    root: &'p Path,
    path: &'p Path,
    text: Option<Arc<str>>,
}

impl<'p> RelPath<'p> {
    fn new(root: &'p Path, path: &'p Path) -> Self {
        Self {
            root,
            path,
            text: None,
        }
    }

    fn get(&mut self) -> &str {
        self.shared_ref()
    }

    /// The path, shared.
    fn shared(&mut self) -> Arc<str> {
        Arc::clone(self.shared_ref())
    }

    fn shared_ref(&mut self) -> &Arc<str> {
        self.text
            .get_or_insert_with(|| walk::relative(self.root, self.path).into())
    }
}

/// Turns `hits`, sorted by start, into findings with lines, columns and, with `snippets`, source
/// snippets. Lines, columns and line ends are counted incrementally from the previous hit, so
/// many hits on one huge line cost one pass over it.
fn locate(
    haystack: &[u8],
    hits: &[Hit],
    rules: &RuleSet,
    rel: &mut RelPath<'_>,
    snippets: bool,
    out: &mut Vec<Finding>,
) {
    let body = if haystack.starts_with(BOM) {
        BOM.len()
    } else {
        0
    };
    let mut line = 1;
    let mut line_start = body;
    let mut counted_to = 0;
    // The character column of byte `anchor.0`, on the current line.
    let mut anchor = (body, 1);
    // No newline in `haystack[no_newline.0..no_newline.1]`, which ends at one or at the end: the
    // end of the line of every hit that ends in that range, found once for many hits on a line.
    let mut no_newline = (1, 0);
    for hit in hits {
        let gap = &haystack[counted_to..hit.start];
        if let Some(last) = memchr::memrchr(b'\n', gap) {
            line += memchr::memchr_iter(b'\n', &gap[..last]).count() + 1;
            line_start = counted_to + last + 1;
            anchor = (line_start, 1);
        }
        counted_to = hit.start;
        let start_of_line = line_start.min(hit.start);
        if anchor.0 > hit.start {
            anchor = (start_of_line, 1);
        }
        let column = anchor.1 + char_count(&haystack[anchor.0..hit.start]);
        anchor = (hit.start, column);
        let matched = &haystack[hit.start..hit.end];
        let (end_line, end_column) = match memchr::memrchr(b'\n', matched) {
            Some(last) => (
                line + memchr::memchr_iter(b'\n', matched).count(),
                char_count(&matched[last + 1..]) + 1,
            ),
            None => (line, column + char_count(matched)),
        };
        let snippet = snippets.then(|| {
            if !(no_newline.0..=no_newline.1).contains(&hit.end) {
                let end = memchr::memchr(b'\n', &haystack[hit.end..])
                    .map_or(haystack.len(), |i| hit.end + i);
                no_newline = (hit.end, end);
            }
            snippet(
                &haystack[start_of_line..hit.start],
                matched,
                &haystack[hit.end..no_newline.1],
                line,
            )
        });
        let rule = &rules.rules[hit.rule];
        let needle = rule.needles[hit.needle].shared();
        out.push(Finding {
            rule: hit.rule,
            path: rel.shared(),
            location: Location::Span(Span::new(
                hit.start..hit.end,
                Position { line, column },
                Position {
                    line: end_line,
                    column: end_column,
                },
                finding::share(matched, &needle),
                snippet,
            )),
            needle,
            variant_of: rule.token_of(hit.needle).map(|token| token.shared()),
            note: None,
        });
    }
}

/// How many characters of a long line a snippet shows on each side of the match.
const SNIPPET_CONTEXT: usize = 100;

/// The displayed lines around a match: `before` and `after` are the rest of its first and last
/// line, each cut to `SNIPPET_CONTEXT` characters with a `…` where cut; line terminators are
/// dropped, invalid bytes shown as U+FFFD and control characters made visible.
fn snippet(before: &[u8], matched: &[u8], after: &[u8], first_line: usize) -> Snippet {
    let mut text = String::new();
    let (shown, cut) = tail(before);
    if cut {
        text.push('…');
    }
    text.push_str(&visible(&shown));
    let start = text.len();
    let matched = display(matched).replace("\r\n", "\n");
    for (i, line) in matched.split('\n').enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&visible(line));
    }
    let end = text.len();
    let (shown, cut) = head(after.strip_suffix(b"\r").unwrap_or(after));
    text.push_str(&visible(&shown));
    if cut {
        text.push('…');
    }
    Snippet {
        text,
        first_line,
        span: start..end,
    }
}

/// The last `SNIPPET_CONTEXT` characters of `bytes` as text, and whether anything was cut.
fn tail(bytes: &[u8]) -> (String, bool) {
    let mut cut = bytes.len() > 4 * SNIPPET_CONTEXT;
    let mut text = display(&bytes[bytes.len().saturating_sub(4 * SNIPPET_CONTEXT)..]).into_owned();
    let at = if text.is_ascii() {
        text.len().checked_sub(SNIPPET_CONTEXT)
    } else {
        text.char_indices()
            .rev()
            .nth(SNIPPET_CONTEXT - 1)
            .map(|(at, _)| at)
    };
    if let Some(at) = at {
        cut |= at > 0;
        text.drain(..at);
    }
    (text, cut)
}

/// The first `SNIPPET_CONTEXT` characters of `bytes` as text, and whether anything was cut.
fn head(bytes: &[u8]) -> (String, bool) {
    let mut cut = bytes.len() > 4 * SNIPPET_CONTEXT;
    let mut text = display(&bytes[..bytes.len().min(4 * SNIPPET_CONTEXT)]).into_owned();
    let at = if text.is_ascii() {
        Some(SNIPPET_CONTEXT).filter(|&at| at < text.len())
    } else {
        text.char_indices().nth(SNIPPET_CONTEXT).map(|(at, _)| at)
    };
    if let Some(at) = at {
        cut = true;
        text.truncate(at);
    }
    (text, cut)
}

/// The number of characters in `bytes`, counting each invalid UTF-8 byte as one.
pub fn char_count(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|chunk| chunk.valid().chars().count() + chunk.invalid().len())
        .sum()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::ruleset::Needle;

    #[test]
    fn snippet_sides_keep_a_hundred_characters_ascii_or_not() {
        for len in [0, 1, 99, 100, 101, 399, 400, 401, 1000] {
            for unit in ["a", "é", "\u{FFFD}"] {
                let text = unit.repeat(len);
                let chars: Vec<char> = text.chars().collect();
                let keep = len.min(SNIPPET_CONTEXT);
                let (shown, cut) = tail(text.as_bytes());
                let window = len.min(4 * SNIPPET_CONTEXT / unit.len());
                let expected: String = chars[len - keep.min(window)..].iter().collect();
                assert_eq!(
                    (shown, cut),
                    (expected, len > keep),
                    "tail of {len} {unit:?}"
                );
                let (shown, cut) = head(text.as_bytes());
                let expected: String = chars[..keep.min(window)].iter().collect();
                assert_eq!(
                    (shown, cut),
                    (expected, len > keep),
                    "head of {len} {unit:?}"
                );
            }
        }
    }

    fn rules(toml: &str) -> RuleSet {
        crate::ruleset::from_toml(toml)
    }

    fn scan(rules: &RuleSet, bytes: &[u8]) -> (FileOutcome, Vec<Finding>) {
        scan_named(rules, "f.php", bytes)
    }

    fn scan_named(rules: &RuleSet, name: &str, bytes: &[u8]) -> (FileOutcome, Vec<Finding>) {
        scan_with(rules, name, bytes, true)
    }

    /// `scan_named`, building snippets or not.
    fn scan_with(
        rules: &RuleSet,
        name: &str,
        bytes: &[u8],
        snippets: bool,
    ) -> (FileOutcome, Vec<Finding>) {
        let mut scanner = Scanner::new(rules, snippets);
        scanner.buffer = bytes.to_vec();
        scanner.filled = bytes.len();
        let mut out = Vec::new();
        let path = Path::new("/").join(name);
        let mut rel = RelPath::new(Path::new("/"), &path);
        let scanned = scanner.scan_bytes(&mut rel, &mut out);
        (scanned, out)
    }

    fn foo() -> RuleSet {
        rules("[[rule]]\nid = \"foo\"\nmessage = \"m\"\ntokens = [\"Foo\"]\n")
    }

    /// Where in its file `finding` is.
    fn span(finding: &Finding) -> &Span {
        match &finding.location {
            Location::Span(span) => span,
            Location::File => panic!("a whole-file finding: {finding:?}"),
        }
    }

    /// (line, column, end_line, end_column, byte_offset) of each finding.
    fn positions(findings: &[Finding]) -> Vec<(usize, usize, usize, usize, usize)> {
        findings
            .iter()
            .map(|f| {
                let span = span(f);
                let (start, end) = (span.start, span.end);
                (
                    start.line,
                    start.column,
                    end.line,
                    end.column,
                    span.bytes.start,
                )
            })
            .collect()
    }

    #[test]
    fn a_span_holds_its_byte_range_and_the_exact_matched_bytes() {
        let set =
            rules("[[rule]]\nid = \"p\"\nmessage = \"m\"\npatterns = ['Foo(?-u:\\xFF)Bar']\n");
        let (_, found) = scan(&set, b"a Foo\xFFBar b");
        let span = span(&found[0]);
        assert_eq!(span.bytes, 2..9);
        assert_eq!(*span.matched, *b"Foo\xFFBar");
        assert_eq!(found[0].matched(), "Foo\u{FFFD}Bar");
        assert_eq!(positions(&found), [(1, 3, 1, 10, 2)]);
    }

    #[test]
    fn without_snippets_a_scan_finds_the_same_sharing_its_path_and_needles() {
        let set = rules(
            "[[rule]]\nid = \"a\"\nmessage = \"m\"\ntokens = [\"Foo\"]\ncase_sensitive = false\n",
        );
        let text = b"a Foo\nb foo FOO\n";
        let (_, with) = scan_with(&set, "f.php", text, true);
        let (_, without) = scan_with(&set, "f.php", text, false);
        assert_eq!(
            positions(&without),
            [(1, 3, 1, 6, 2), (2, 3, 2, 6, 8), (2, 7, 2, 10, 12)]
        );
        for (built, lean) in with.iter().zip(&without) {
            let span = span(built);
            let bare = Span::new(
                span.bytes.clone(),
                span.start,
                span.end,
                span.matched.clone(),
                None,
            );
            assert_eq!(
                Finding {
                    location: Location::Span(bare),
                    ..built.clone()
                },
                *lean
            );
        }
        let Needle::Token(token) = &set.rules[0].needles[0] else {
            panic!("the first needle is the token");
        };
        for finding in &without {
            assert!(Arc::ptr_eq(&finding.path, &without[0].path));
            assert!(Arc::ptr_eq(&finding.needle, token));
        }
        assert_eq!(span(&without[0]).matched.as_ptr(), token.as_ptr());
        assert_eq!(*span(&without[1]).matched, *b"foo");
    }

    #[test]
    fn a_file_outside_every_rule_of_the_rule_file_is_out_of_scope_whatever_its_markers() {
        let set = rules(
            "[[rule]]\nid = \"a\"\nmessage = \"m\"\ntokens = [\"Foo\"]\npaths = [\"app/\"]\n",
        );
        let mut scanner = Scanner::new(&set, true);
        let (root, mut out) = (Path::new("/"), Vec::new());
        let text = b"Foo // vestige-ignore: b";
        let outside = scanner.scan(Path::new("/lib/x.php"), root, Some(text), &mut out);
        assert_eq!(outside.unwrap(), FileOutcome::OutOfScope);
        assert!(out.is_empty());
        let inside = scanner.scan(Path::new("/app/x.php"), root, Some(text), &mut out);
        assert_eq!(inside.unwrap(), FileOutcome::Text(text.len() as u64));
        let ids: Vec<&str> = out.iter().map(|f| set.rules[f.rule].id.as_str()).collect();
        assert_eq!(ids, ["a", "unused-suppression"]);
    }

    #[test]
    fn a_forbidden_path_is_a_finding_about_the_whole_file() {
        let set = rules("[[rule]]\nid = \"gone\"\nmessage = \"m\"\nforbid_paths = [\"old/\"]\n");
        let mut out = Vec::new();
        let path = Path::new("/old/x.txt");
        Scanner::new(&set, true).forbidden(&mut RelPath::new(Path::new("/"), path), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].location, Location::File);
        assert!(out[0].is_forbidden_path());
        assert_eq!(out[0].matched(), "old/x.txt");
        assert_eq!(&*out[0].needle, "old/");
        assert_eq!(out[0].location.start(), Position::FILE);
        assert_eq!(out[0].location.bytes(), 0..0);
    }

    #[test]
    fn token_alone_in_a_file_without_final_newline() {
        let (scanned, found) = scan(&foo(), b"Foo");
        assert_eq!(scanned, FileOutcome::Text(3));
        assert_eq!(positions(&found), [(1, 1, 1, 4, 0)]);
        assert_eq!(span(&found[0]).snippet().text, "Foo");
        assert_eq!(span(&found[0]).snippet().span, 0..3);
    }

    #[test]
    fn crlf_lines_split_on_newline_and_drop_the_carriage_return() {
        let (_, found) = scan(&foo(), b"a\r\nx Foo\r\nFoo");
        assert_eq!(positions(&found), [(2, 3, 2, 6, 5), (3, 1, 3, 4, 10)]);
        assert_eq!(span(&found[0]).snippet().text, "x Foo");
    }

    #[test]
    fn a_lone_carriage_return_does_not_end_a_line() {
        let (_, found) = scan(&foo(), b"a\rFoo");
        assert_eq!(positions(&found), [(1, 3, 1, 6, 2)]);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let (_, found) = scan(&foo(), "// ä€𝄞 Foo".as_bytes());
        assert_eq!(positions(&found), [(1, 8, 1, 11, 13)]);
    }

    #[test]
    fn invalid_utf8_bytes_count_as_one_character_each_and_show_as_replacement() {
        let (_, found) = scan(&foo(), b"\xff\xe2\x82 Foo\xc3");
        assert_eq!(positions(&found), [(1, 5, 1, 8, 4)]);
        assert_eq!(
            span(&found[0]).snippet().text,
            "\u{FFFD}\u{FFFD}\u{FFFD} Foo\u{FFFD}"
        );
        assert_eq!(
            &span(&found[0]).snippet().text[span(&found[0]).snippet().span.clone()],
            "Foo"
        );
    }

    #[test]
    fn a_utf8_bom_is_not_counted() {
        let (_, found) = scan(&foo(), b"\xEF\xBB\xBFFoo Foo");
        assert_eq!(positions(&found), [(1, 1, 1, 4, 3), (1, 5, 1, 8, 7)]);
        assert_eq!(span(&found[0]).snippet().text, "Foo Foo");
    }

    #[test]
    fn a_long_line_is_cut_to_a_window_around_each_match() {
        let mut line = "é".repeat(5000);
        line.push_str("Foo ");
        line.push_str(&"x".repeat(5000));
        line.push_str(" Foo");
        let (_, found) = scan(&foo(), line.as_bytes());
        assert_eq!(
            positions(&found),
            [(1, 5001, 1, 5004, 10000), (1, 10006, 1, 10009, 15005)]
        );
        let first = span(&found[0]).snippet();
        assert_eq!(
            first.text.chars().count(),
            1 + SNIPPET_CONTEXT + 3 + SNIPPET_CONTEXT + 1
        );
        assert!(first.text.starts_with("…éé") && first.text.ends_with("xx…"));
        assert_eq!(&first.text[first.span.clone()], "Foo");
        let second = span(&found[1]).snippet();
        assert!(second.text.starts_with("…xx") && second.text.ends_with(" Foo"));
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let line = format!(
            "{} Foo {}",
            "a".repeat(SNIPPET_CONTEXT - 1),
            "b".repeat(SNIPPET_CONTEXT - 1)
        );
        let (_, found) = scan(&foo(), line.as_bytes());
        assert_eq!(span(&found[0]).snippet().text, line);
    }

    #[test]
    fn a_nul_byte_in_the_first_8_kib_marks_the_file_binary() {
        assert_eq!(scan_named(&foo(), "f.bin", b"Foo\0").0, FileOutcome::Binary);
        let mut late = vec![b' '; BINARY_PROBE];
        late.extend_from_slice(b"\0 Foo");
        assert_eq!(
            positions(&scan_named(&foo(), "f.bin", &late).1),
            [(1, 8195, 1, 8198, 8194)]
        );
    }

    #[test]
    fn a_nul_byte_never_hides_a_source_file() {
        for name in [
            "f.php",
            "views/x.blade.php",
            "a.vue",
            ".env",
            ".env.testing",
            "c.json",
        ] {
            let (scanned, found) = scan_named(&foo(), name, b"\0\nFoo\0");
            assert_eq!(scanned, FileOutcome::Text(6), "{name}");
            assert_eq!(positions(&found), [(2, 1, 2, 4, 2)], "{name}");
        }
        let custom = rules(
            "[scan]\ntext_files = [\"*.dat\", \"data/*.bin\"]\n\
             [[rule]]\nid = \"foo\"\nmessage = \"m\"\ntokens = [\"Foo\"]\n",
        );
        assert_eq!(scan_named(&custom, "x.dat", b"\0Foo").1.len(), 1);
        assert_eq!(scan_named(&custom, "data/x.bin", b"\0Foo").1.len(), 1);
        assert_eq!(
            scan_named(&custom, "other/x.bin", b"\0Foo").0,
            FileOutcome::Binary
        );
        assert_eq!(scan_named(&custom, "f.php", b"\0Foo").1.len(), 1);
    }

    #[test]
    fn utf16_files_with_a_byte_order_mark_are_searched_as_text() {
        let text = "<?php\nnew Foo();\n";
        let mut little = vec![0xFF, 0xFE];
        little.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut big = vec![0xFE, 0xFF];
        big.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        for bytes in [little, big] {
            let (scanned, found) = scan_named(&foo(), "f.sql", &bytes);
            assert_eq!(scanned, FileOutcome::Text(text.len() as u64));
            assert_eq!(positions(&found), [(2, 5, 2, 8, 10)]);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_that_reports_size_zero_is_read_to_its_end() {
        let status = Path::new("/proc/self/status");
        assert_eq!(std::fs::metadata(status).unwrap().len(), 0);
        let set = rules("[[rule]]\nid = \"p\"\nmessage = \"m\"\ntokens = [\"VmPeak\"]\n");
        let mut out = Vec::new();
        let scanned = Scanner::new(&set, true).scan(status, Path::new("/"), None, &mut out);
        assert!(matches!(scanned.unwrap(), FileOutcome::Text(n) if n > 0));
        assert_eq!(out.len(), 1);
        assert_eq!(&*out[0].path, "proc/self/status");
    }

    #[test]
    fn a_multi_line_pattern_match_spans_its_lines() {
        let set = rules("[[rule]]\nid = \"p\"\nmessage = \"m\"\npatterns = ['Foo\\s+Bar']\n");
        let (_, found) = scan(&set, b"x Foo\r\n  Bar y\nz");
        assert_eq!(positions(&found), [(1, 3, 2, 6, 2)]);
        let snippet = span(&found[0]).snippet();
        assert_eq!(snippet.text, "x Foo\n  Bar y");
        assert_eq!(&snippet.text[snippet.span.clone()], "Foo\n  Bar");
        assert_eq!(*span(&found[0]).matched, *b"Foo\r\n  Bar");
    }

    #[test]
    fn regex_anchors_work_per_line_and_dot_stops_at_newline() {
        let set = rules("[[rule]]\nid = \"p\"\nmessage = \"m\"\npatterns = ['^use .*Run$']\n");
        let (_, found) = scan(&set, b"use A\\Run\r\nuse B\\Run;\nuse C\\\nRun");
        assert_eq!(positions(&found), [(1, 1, 1, 10, 0)]);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_swapped_in_after_the_walk_is_not_read_and_does_not_block() {
        let dir = tempfile::TempDir::new().unwrap();
        let fifo = dir.path().join("pipe.php");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let (done, result) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let set = foo();
            let mut out = Vec::new();
            let scanned = Scanner::new(&set, true).scan(&fifo, Path::new("/"), None, &mut out);
            done.send(scanned.map_err(|e| e.kind())).unwrap();
        });
        let scanned = result.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(
            scanned.expect("the scan blocked on a FIFO"),
            Ok(FileOutcome::NotAFile)
        );
    }

    #[test]
    fn a_vanished_file_is_an_error_and_a_large_one_is_not_read() {
        let dir = tempfile::TempDir::new().unwrap();
        let set = rules(
            "[scan]\nmax_filesize = 3\n[[rule]]\nid = \"f\"\nmessage = \"m\"\ntokens = [\"Foo\"]\n",
        );
        let mut scanner = Scanner::new(&set, true);
        let mut out = Vec::new();
        let gone = scanner.scan(&dir.path().join("gone.php"), dir.path(), None, &mut out);
        assert_eq!(gone.unwrap_err().kind(), io::ErrorKind::NotFound);
        std::fs::write(dir.path().join("big.php"), "Foo Foo").unwrap();
        let big = scanner.scan(&dir.path().join("big.php"), dir.path(), None, &mut out);
        assert_eq!(big.unwrap(), FileOutcome::TooLarge(7));
        std::fs::write(dir.path().join("ok.php"), "Foo").unwrap();
        let ok = scanner.scan(&dir.path().join("ok.php"), dir.path(), None, &mut out);
        assert_eq!(ok.unwrap(), FileOutcome::Text(3));
        assert_eq!(out.len(), 1);
        assert_eq!(&*out[0].path, "ok.php");
    }

    #[test]
    fn a_short_file_after_a_long_one_sees_only_its_own_bytes() {
        let dir = tempfile::TempDir::new().unwrap();
        let set = foo();
        let mut scanner = Scanner::new(&set, true);
        let mut out = Vec::new();
        std::fs::write(dir.path().join("long.php"), "x\n\n\nFoo\nFoo\n").unwrap();
        std::fs::write(dir.path().join("short.php"), "y\n").unwrap();
        let long = scanner.scan(&dir.path().join("long.php"), dir.path(), None, &mut out);
        assert_eq!(long.unwrap(), FileOutcome::Text(12));
        let short = scanner.scan(&dir.path().join("short.php"), dir.path(), None, &mut out);
        assert_eq!(short.unwrap(), FileOutcome::Text(2));
        let paths: Vec<&str> = out.iter().map(|f| &*f.path).collect();
        assert_eq!(paths, ["long.php", "long.php"]);
    }
}
