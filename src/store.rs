//! The findings of a run between the scan and the output, packed file by file. A run may find
//! hundreds of thousands of references; as `Finding`s (about 150 bytes each, more with source
//! lines) they would be most of its memory. Packed, a finding is a few bytes: positions as
//! variable-length differences from the finding before, its needle and variant by their number
//! in the rule set, its path once per file, its matched text only where it differs from the
//! needle by more than ASCII case. Files are packed one after another into blocks of a fixed
//! size, so nothing is copied as the store grows. Each file is unpacked into `Finding`s only when
//! a stage or a format reaches it, so the output streams file by file, in path order.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::finding::{self, Finding, Location, Position, Snippet, Span};
use crate::ruleset::RuleSet;

/// The texts findings name (needles and the tokens they are variants of), each by a number: a
/// packed finding names its rule set's texts by number, any other text by its bytes.
#[derive(Debug, Default)]
pub struct Texts {
    list: Vec<Arc<str>>,
    /// The number of each text of `list`, by the address of its shared allocation.
    numbers: FxHashMap<usize, usize>,
}

impl Texts {
    /// The needles of `rules`, numbered.
    pub fn of(rules: &RuleSet) -> Self {
        let mut texts = Self::default();
        for needle in rules.rules.iter().flat_map(|rule| &rule.needles) {
            let text = needle.shared();
            texts.numbers.entry(address(&text)).or_insert_with(|| {
                texts.list.push(Arc::clone(&text));
                texts.list.len() - 1
            });
        }
        texts
    }

    /// Packs the findings of one file (in order) into `out`, cleared first: the path, the number
    /// of findings, then each finding's fields.
    pub fn pack(&self, findings: &[Finding], out: &mut Vec<u8>) {
        out.clear();
        if let Some(first) = findings.first() {
            pack(findings, &first.path, self, out);
        }
    }

    /// The number of `text`, if it is one of these texts (the same allocation, not only the same
    /// characters).
    fn number(&self, text: &Arc<str>) -> Option<usize> {
        self.numbers.get(&address(text)).copied()
    }
}

/// The address of `text`'s shared allocation, which names it while it lives.
fn address(text: &Arc<str>) -> usize {
    Arc::as_ptr(text).cast::<u8>() as usize
}

/// How many bytes of packed findings a block holds before the next is begun: blocks are
/// never grown past their first size, so the store never holds a block and its copy at once.
const BLOCK: usize = 1 << 20;

/// The findings of a run, packed file by file, in path order once [`Findings::sort`]ed.
#[derive(Debug, Default)]
pub struct Findings {
    texts: Arc<Texts>,
    /// Packed files, one after another; a file never spans two blocks.
    blocks: Vec<Vec<u8>>,
    /// Where each file starts: its block and the offset in it.
    files: Vec<(u32, u32)>,
    /// The number of findings of each rule, up to the last rule with any.
    per_rule: Vec<usize>,
}

impl Findings {
    /// No findings yet, of a rule set whose needles are `texts`.
    pub fn new(texts: Arc<Texts>) -> Self {
        Self {
            texts,
            ..Self::default()
        }
    }

    /// The numbered texts of the findings packed here.
    pub fn texts(&self) -> &Arc<Texts> {
        &self.texts
    }

    /// Adds the findings of one file, in [`finding::order`]; `scratch` is reused between calls.
    pub fn add_file(&mut self, findings: &[Finding], scratch: &mut Vec<u8>) {
        self.texts.pack(findings, scratch);
        self.add_packed(scratch, findings);
    }

    /// Adds the findings of one file, `packed` by [`Texts::pack`] of this store's texts.
    pub fn add_packed(&mut self, packed: &[u8], findings: &[Finding]) {
        if findings.is_empty() {
            return;
        }
        let fits = self
            .blocks
            .last()
            .is_some_and(|block| block.capacity() - block.len() >= packed.len());
        if !fits {
            self.blocks
                .push(Vec::with_capacity(BLOCK.max(packed.len())));
        }
        let index = self.blocks.len() - 1;
        let block = &mut self.blocks[index];
        let at = u32::try_from(block.len()).expect("a block is under 4 GiB");
        block.extend_from_slice(packed);
        let index = u32::try_from(index).expect("fewer than 2^32 blocks");
        self.files.push((index, at));
        for finding in findings {
            if self.per_rule.len() <= finding.rule {
                self.per_rule.resize(finding.rule + 1, 0);
            }
            self.per_rule[finding.rule] += 1;
        }
    }

    /// Adds `other`'s files, in any order until the next [`Findings::sort`].
    pub fn append(&mut self, other: Self) {
        if other.is_empty() {
            return;
        }
        if !Arc::ptr_eq(&self.texts, &other.texts) {
            let mut scratch = Vec::new();
            for file in other.files() {
                self.add_file(&file, &mut scratch);
            }
            return;
        }
        let shift = u32::try_from(self.blocks.len()).expect("fewer than 2^32 blocks");
        self.files
            .extend(other.files.iter().map(|&(block, at)| (block + shift, at)));
        self.blocks.extend(other.blocks);
        if self.per_rule.len() < other.per_rule.len() {
            self.per_rule.resize(other.per_rule.len(), 0);
        }
        for (sum, n) in self.per_rule.iter_mut().zip(other.per_rule) {
            *sum += n;
        }
    }

    /// Puts the files in path order (byte order); the findings of a file that was added in
    /// more than one part are put together in their order.
    pub fn sort<'r>(&mut self, rule_id: impl Fn(usize) -> &'r str) {
        let mut files = std::mem::take(&mut self.files);
        files.sort_by(|&a, &b| self.path_at(a).cmp(self.path_at(b)));
        if files
            .windows(2)
            .all(|w| self.path_at(w[0]) != self.path_at(w[1]))
        {
            self.files = files;
            return;
        }
        let mut sorted = Self::new(Arc::clone(&self.texts));
        let mut scratch = Vec::new();
        for parts in files.chunk_by(|&a, &b| self.path_at(a) == self.path_at(b)) {
            let mut findings: Vec<Finding> = parts.iter().flat_map(|&at| self.unpack(at)).collect();
            finding::sort(&mut findings, |f| f, &rule_id);
            sorted.add_file(&findings, &mut scratch);
        }
        *self = sorted;
    }

    /// The number of findings.
    pub fn len(&self) -> usize {
        self.per_rule.iter().sum()
    }

    /// Whether there is no finding.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The number of findings of rule `rule`.
    pub fn of_rule(&self, rule: usize) -> usize {
        self.per_rule.get(rule).copied().unwrap_or(0)
    }

    /// The number of files with findings.
    pub fn files_len(&self) -> usize {
        self.files.len()
    }

    /// The findings of each file, unpacked one file at a time.
    pub fn files(&self) -> impl Iterator<Item = Vec<Finding>> + '_ {
        self.files.iter().map(|&at| self.unpack(at))
    }

    /// Each path with findings here or in `extra` (in path order, as `path` names each), in path
    /// order: the findings here of that path, unpacked (none when only `extra` has it), and those
    /// of `extra`.
    pub fn files_with<'s, 'e: 's, T>(
        &'s self,
        mut extra: &'e [T],
        path: impl Fn(&T) -> &str + 's,
    ) -> impl Iterator<Item = (Vec<Finding>, &'e [T])> + 's {
        let mut files = self.files.iter().peekable();
        std::iter::from_fn(move || {
            let here = files.peek().map(|&&at| self.path_at(at));
            let next = match (here, extra.first().map(|t| path(t).as_bytes())) {
                (None, None) => return None,
                (Some(here), Some(there)) if there < here => there,
                (Some(here), _) => here,
                (None, Some(there)) => there,
            };
            let findings = match here {
                Some(here) if here == next => self.unpack(*files.next().expect("peeked")),
                _ => Vec::new(),
            };
            let same = extra
                .iter()
                .take_while(|t| path(t).as_bytes() == next)
                .count();
            let (of_path, rest) = extra.split_at(same);
            extra = rest;
            Some((findings, of_path))
        })
    }

    /// Every finding, unpacked one file at a time.
    pub fn iter(&self) -> impl Iterator<Item = Finding> + '_ {
        self.files().flatten()
    }

    /// Every finding, unpacked.
    pub fn to_vec(&self) -> Vec<Finding> {
        let mut all = Vec::with_capacity(self.len());
        all.extend(self.iter());
        all
    }

    /// The packed file at `at`.
    fn reader(&self, (block, offset): (u32, u32)) -> Reader<'_> {
        Reader {
            bytes: &self.blocks[block as usize],
            at: offset as usize,
        }
    }

    /// The path of the packed file at `at`.
    fn path_at(&self, at: (u32, u32)) -> &[u8] {
        self.reader(at).bytes()
    }

    /// The findings of the packed file at `at`.
    fn unpack(&self, at: (u32, u32)) -> Vec<Finding> {
        unpack(&mut self.reader(at), &self.texts)
    }
}

/// Which optional fields a packed finding has: the first byte of each.
mod flag {
    /// Text in the file, rather than the file itself.
    pub const SPAN: u8 = 1;
    /// The matched bytes are the needle's.
    pub const NEEDLE: u8 = 1 << 1;
    /// The matched bytes are the needle's but for the case of some letters.
    pub const RECASED: u8 = 1 << 2;
    /// A variant of a token.
    pub const VARIANT: u8 = 1 << 3;
    /// A note.
    pub const NOTE: u8 = 1 << 4;
    /// Source lines.
    pub const SNIPPET: u8 = 1 << 5;
    /// The needle is written out, not one of the numbered texts.
    pub const NEEDLE_TEXT: u8 = 1 << 6;
    /// The token the needle is a variant of is written out.
    pub const VARIANT_TEXT: u8 = 1 << 7;
}

/// Packs the findings of the file at `path` (in order) into `out`: the path, the number of
/// findings, then each finding's fields.
fn pack(findings: &[Finding], path: &str, texts: &Texts, out: &mut Vec<u8>) {
    put_bytes(out, path.as_bytes());
    put(out, findings.len());
    let (mut last_byte, mut last_line) = (0, 0);
    for finding in findings {
        debug_assert_eq!(&*finding.path, path, "one file's findings");
        let needle = finding.needle.as_bytes();
        let needle_number = texts.number(&finding.needle);
        let variant_number = finding.variant_of.as_ref().and_then(|t| texts.number(t));
        let mut flags = 0;
        if let Location::Span(span) = &finding.location {
            flags |= flag::SPAN;
            if *span.matched == *needle {
                flags |= flag::NEEDLE;
            } else if span.matched.len() == needle.len()
                && span.matched.eq_ignore_ascii_case(needle)
            {
                flags |= flag::RECASED;
            }
            if span.has_snippet() {
                flags |= flag::SNIPPET;
            }
        }
        if needle_number.is_none() {
            flags |= flag::NEEDLE_TEXT;
        }
        if finding.variant_of.is_some() {
            flags |= flag::VARIANT;
            if variant_number.is_none() {
                flags |= flag::VARIANT_TEXT;
            }
        }
        if finding.note.is_some() {
            flags |= flag::NOTE;
        }
        out.push(flags);
        put(out, finding.rule);
        match needle_number {
            Some(n) => put(out, n),
            None => put_bytes(out, needle),
        }
        match (variant_number, &finding.variant_of) {
            (Some(n), _) => put(out, n),
            (None, Some(token)) => put_bytes(out, token.as_bytes()),
            (None, None) => {}
        }
        if let Location::Span(span) = &finding.location {
            put_signed(out, span.bytes.start, last_byte);
            put_signed(out, span.bytes.end, span.bytes.start);
            put_signed(out, span.start.line, last_line);
            put(out, span.start.column);
            put_signed(out, span.end.line, span.start.line);
            put(out, span.end.column);
            (last_byte, last_line) = (span.bytes.start, span.start.line);
            if flags & flag::RECASED != 0 {
                put_case(out, &span.matched, needle);
            } else if flags & flag::NEEDLE == 0 {
                put_bytes(out, &span.matched);
            }
            if flags & flag::SNIPPET != 0 {
                let snippet = span.snippet();
                put(out, snippet.first_line);
                put(out, snippet.span.start);
                put(out, snippet.span.end);
                put_bytes(out, snippet.text.as_bytes());
            }
        }
        if let Some(note) = &finding.note {
            put_bytes(out, note.as_bytes());
        }
    }
}

/// The findings of the file `input` is at, as [`pack`] wrote them.
fn unpack(input: &mut Reader<'_>, texts: &Texts) -> Vec<Finding> {
    let path: Arc<str> = input.text().into();
    let len = input.number();
    let mut findings = Vec::with_capacity(len);
    let (mut last_byte, mut last_line) = (0, 0);
    for _ in 0..len {
        let flags = input.byte();
        let rule = input.number();
        let needle = input.shared(flags & flag::NEEDLE_TEXT != 0, texts);
        let variant_of = (flags & flag::VARIANT != 0)
            .then(|| input.shared(flags & flag::VARIANT_TEXT != 0, texts));
        let location = if flags & flag::SPAN != 0 {
            let start_byte = input.signed(last_byte);
            let end_byte = input.signed(start_byte);
            let line = input.signed(last_line);
            let column = input.number();
            let end_line = input.signed(line);
            let end_column = input.number();
            (last_byte, last_line) = (start_byte, line);
            let matched: Arc<[u8]> = if flags & flag::NEEDLE != 0 {
                Arc::clone(&needle).into()
            } else if flags & flag::RECASED != 0 {
                input.case(needle.as_bytes()).into()
            } else {
                input.bytes().into()
            };
            let snippet = (flags & flag::SNIPPET != 0).then(|| {
                let first_line = input.number();
                let span = input.number()..input.number();
                let text = input.text().to_owned();
                Snippet {
                    text,
                    first_line,
                    span,
                }
            });
            Location::Span(Span::new(
                start_byte..end_byte,
                Position { line, column },
                Position {
                    line: end_line,
                    column: end_column,
                },
                matched,
                snippet,
            ))
        } else {
            Location::File
        };
        let note = (flags & flag::NOTE != 0).then(|| input.text().into());
        findings.push(Finding {
            rule,
            path: Arc::clone(&path),
            location,
            needle,
            variant_of,
            note,
        });
    }
    findings
}

/// Writes `n` in LEB128: seven bits a byte, low bits first, the high bit set on all but the last.
fn put(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Writes `n` as its difference from `base`, zigzag-encoded (the sign in the lowest bit).
fn put_signed(out: &mut Vec<u8>, n: usize, base: usize) {
    let zigzag = if n >= base {
        (n - base) << 1
    } else {
        ((base - n) << 1) - 1
    };
    put(out, zigzag);
}

/// Writes `bytes`, its length first.
fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Writes which bytes of `matched` differ from `needle`'s (equal but for ASCII case), one bit each.
fn put_case(out: &mut Vec<u8>, matched: &[u8], needle: &[u8]) {
    for (m, n) in matched.chunks(8).zip(needle.chunks(8)) {
        let bits = m
            .iter()
            .zip(n)
            .enumerate()
            .fold(0u8, |bits, (i, (a, b))| bits | (u8::from(a != b) << i));
        out.push(bits);
    }
}

/// Reads what [`pack`] wrote.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        let byte = self.bytes[self.at];
        self.at += 1;
        byte
    }

    fn number(&mut self) -> usize {
        let (mut n, mut shift) = (0, 0);
        loop {
            let byte = self.byte();
            n |= usize::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    fn signed(&mut self, base: usize) -> usize {
        let zigzag = self.number();
        if zigzag & 1 == 0 {
            base + (zigzag >> 1)
        } else {
            base - ((zigzag + 1) >> 1)
        }
    }

    fn bytes(&mut self) -> &'a [u8] {
        let len = self.number();
        let bytes = &self.bytes[self.at..self.at + len];
        self.at += len;
        bytes
    }

    /// Text [`pack`] wrote from a `str`.
    fn text(&mut self) -> &'a str {
        std::str::from_utf8(self.bytes()).expect("packed from a str")
    }

    /// A needle or token: one of `texts` by its number, or, when `written`, its text.
    fn shared(&mut self, written: bool, texts: &Texts) -> Arc<str> {
        if written {
            self.text().into()
        } else {
            Arc::clone(&texts.list[self.number()])
        }
    }

    /// `needle` with the case of the bytes [`put_case`] marked swapped.
    fn case(&mut self, needle: &[u8]) -> Vec<u8> {
        let mut matched = needle.to_vec();
        for chunk in matched.chunks_mut(8) {
            let bits = self.byte();
            for (i, byte) in chunk.iter_mut().enumerate() {
                if bits & (1 << i) != 0 {
                    *byte = swap_case(*byte);
                }
            }
        }
        matched
    }
}

/// `byte` in the other ASCII case.
fn swap_case(byte: u8) -> u8 {
    if byte.is_ascii_alphabetic() {
        byte ^ 0x20
    } else {
        byte
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::{Findings, Texts};
    use crate::finding::{self, Finding, Location, Position, Snippet, Span};
    use crate::ruleset::RuleSet;

    /// Two rules, the first with naming variants.
    fn rules() -> RuleSet {
        crate::ruleset::from_toml(
            "[[rule]]\nid = \"b\"\nmessage = \"m\"\ntokens = [\"PiggyBank\"]\nvariants = true\n\
             [[rule]]\nid = \"a\"\nmessage = \"m\"\ntokens = [\"Foo\", \"Bar\"]\n",
        )
    }

    /// What a finding is made of, drawn by proptest: path, rule, needle (or a text of its own),
    /// place, how the matched text relates to the needle, snippet, note.
    type Drawn = (
        usize,
        usize,
        usize,
        (usize, usize, usize, usize),
        u8,
        bool,
        Option<String>,
    );

    fn drawn() -> impl Strategy<Value = Drawn> {
        (
            0..4usize,
            0..2usize,
            0..64usize,
            (
                0..usize::MAX / 2,
                1..1_000_000usize,
                1..10_000usize,
                0..3usize,
            ),
            0..5u8,
            any::<bool>(),
            proptest::option::of("[a-zé\\-]{0,12}"),
        )
    }

    /// The finding `drawn` describes, of `rules`.
    fn finding(rules: &RuleSet, drawn: Drawn) -> Finding {
        let (path, rule, needle, (byte, line, column, lines), matched, snippet, note) = drawn;
        let paths = ["app/A.php", "app/A/B.php", "app/A-B.php", "routes/web.php"];
        let of = &rules.rules[rule];
        let (needle, variant_of) = if needle >= of.needles.len() {
            (Arc::from(format!("Inline{needle}")), None)
        } else {
            let variant_of = of.token_of(needle).map(|t| t.shared());
            (of.needles[needle].shared(), variant_of)
        };
        let location = if matched == 4 {
            Location::File
        } else {
            let bytes = match matched {
                0 => needle.as_bytes().to_vec(),
                1 => needle.to_ascii_uppercase().into_bytes(),
                2 => needle.to_ascii_lowercase().into_bytes(),
                _ => b"other \xff bytes".to_vec(),
            };
            // A span that ends before it starts is packed as it is, not corrected.
            let end = Position {
                line: (line + lines).saturating_sub(usize::from(lines == 2) * 3),
                column: column + bytes.len(),
            };
            let snippet = snippet.then(|| Snippet {
                text: format!("  {needle}();"),
                first_line: line,
                span: 2..2 + needle.len(),
            });
            let span = if lines == 2 {
                byte..byte / 2
            } else {
                byte..byte + bytes.len()
            };
            let start = Position { line, column };
            Location::Span(Span::new(span, start, end, bytes.into(), snippet))
        };
        Finding {
            rule,
            path: paths[path].into(),
            location,
            needle,
            variant_of,
            note: note.map(Into::into),
        }
    }

    /// `findings`, in [`finding::order`], packed with `texts`.
    fn packed(findings: &[Finding], texts: Arc<Texts>) -> Findings {
        let mut packed = Findings::new(texts);
        let mut scratch = Vec::new();
        for file in findings.chunk_by(|a, b| a.path == b.path) {
            packed.add_file(file, &mut scratch);
        }
        packed
    }

    fn sorted(rules: &RuleSet, mut findings: Vec<Finding>) -> Vec<Finding> {
        finding::sort(&mut findings, |f| f, |r| &rules.rules[r].id);
        findings
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn findings_unpack_as_they_were_packed(all in proptest::collection::vec(drawn(), 0..60)) {
            let rules = rules();
            let texts = Arc::new(Texts::of(&rules));
            let all = sorted(&rules, all.into_iter().map(|d| finding(&rules, d)).collect());
            let packed = packed(&all, Arc::clone(&texts));
            prop_assert_eq!(packed.len(), all.len());
            prop_assert_eq!(
                packed.files_len(),
                all.chunk_by(|a, b| a.path == b.path).count()
            );
            for rule in 0..3 {
                prop_assert_eq!(packed.of_rule(rule), all.iter().filter(|f| f.rule == rule).count());
            }
            let unpacked = packed.to_vec();
            prop_assert_eq!(&unpacked, &all);
            for (f, g) in unpacked.iter().zip(&all) {
                prop_assert_eq!(Arc::ptr_eq(&f.needle, &g.needle), texts.number(&g.needle).is_some());
            }
        }

        #[test]
        fn files_added_in_pieces_and_any_order_sort_into_the_order_of_findings(
            all in proptest::collection::vec(drawn(), 0..60),
            cuts in proptest::collection::vec(any::<bool>(), 60),
        ) {
            let rules = rules();
            let texts = Arc::new(Texts::of(&rules));
            let all: Vec<Finding> = all.into_iter().map(|d| finding(&rules, d)).collect();
            let (apart, all_but) = all.split_at(all.len() / 4);
            let mut pieces = Findings::new(Arc::clone(&texts));
            let mut scratch = Vec::new();
            let mut piece = Vec::new();
            for (finding, cut) in all_but.iter().zip(&cuts) {
                if *cut || piece.first().is_some_and(|f: &Finding| f.path != finding.path) {
                    pieces.add_file(&sorted(&rules, std::mem::take(&mut piece)), &mut scratch);
                }
                piece.push(finding.clone());
            }
            pieces.add_file(&sorted(&rules, piece), &mut scratch);
            let apart = sorted(&rules, apart.to_vec());
            pieces.append(packed(&apart, Arc::default()));
            pieces.sort(|r| &rules.rules[r].id);
            // Findings in the same place keep no particular order among them.
            let canonical = |mut findings: Vec<Finding>| {
                findings.sort_by_cached_key(|f| format!("{f:?}"));
                findings
            };
            let unpacked = pieces.to_vec();
            prop_assert_eq!(canonical(unpacked.clone()), canonical(all.clone()));
            let rule_id = |r: usize| rules.rules[r].id.as_str();
            prop_assert!(unpacked.windows(2).all(|w| finding::order(&w[0], &w[1], rule_id).is_le()));
            prop_assert_eq!(pieces.len(), all.len());
        }
    }

    #[test]
    fn stores_with_other_texts_append_by_their_findings() {
        let rules = rules();
        let texts = Arc::new(Texts::of(&rules));
        let draw = |path, rule, needle, line| {
            (path, rule, needle, (line * 10, line, 1, 0), 0, false, None)
        };
        let first = finding(&rules, draw(0, 0, 0, 1));
        let second = finding(&rules, draw(1, 1, 1, 2));
        let mut scratch = Vec::new();
        let mut store = Findings::new(Arc::clone(&texts));
        store.add_file(std::slice::from_ref(&first), &mut scratch);
        let mut other = Findings::default();
        other.add_file(std::slice::from_ref(&second), &mut scratch);
        store.append(other);
        store.sort(|r| &rules.rules[r].id);
        assert_eq!(store.to_vec(), vec![first, second]);
        assert_eq!((store.of_rule(0), store.of_rule(1)), (1, 1));
    }

    #[test]
    fn files_with_extras_yield_every_path_once_in_order() {
        let rules = rules();
        let draw = |path, line| (path, 1, 0, (line * 10, line, 1, 0), 0, false, None);
        let all = sorted(
            &rules,
            vec![
                finding(&rules, draw(0, 1)),
                finding(&rules, draw(0, 2)),
                finding(&rules, draw(3, 1)),
            ],
        );
        let store = packed(&all, Arc::new(Texts::of(&rules)));
        let extra = ["app/A-B.php", "app/A.php", "app/A.php", "zz.php"];
        let seen: Vec<(usize, Vec<&str>)> = store
            .files_with(&extra, |t| t)
            .map(|(findings, of_path)| (findings.len(), of_path.to_vec()))
            .collect();
        assert_eq!(
            seen,
            [
                (0, vec!["app/A-B.php"]),
                (2, vec!["app/A.php", "app/A.php"]),
                (1, vec![]),
                (0, vec!["zz.php"]),
            ]
        );
    }

    #[test]
    fn a_packed_finding_takes_a_few_bytes() {
        let rules = rules();
        let texts = Texts::of(&rules);
        let file: Vec<Finding> = (1..=1000)
            .map(|line| {
                let drawn = (
                    0,
                    1,
                    0,
                    (line * 40 + 7, line, 9, 0),
                    (line % 2) as u8,
                    false,
                    None,
                );
                finding(&rules, drawn)
            })
            .collect();
        let mut packed = Vec::new();
        texts.pack(&file, &mut packed);
        assert!(
            packed.len() < 12 * file.len(),
            "{} bytes for 1000 findings",
            packed.len()
        );
    }
}
