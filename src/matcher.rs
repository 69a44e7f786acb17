//! The matching engine. All tokens of all rules are searched together, so a file is read and
//! searched once whatever the number of rules and tokens: one Aho-Corasick automaton (two, for a
//! set just too large for one packed prefilter), and, for
//! large sets of identifier tokens, one hash table of identifiers. Each rule's regexes run beside
//! them. The engine sees bytes and rule numbers only: it knows nothing of files, lines or output.

use std::cell::RefCell;

use aho_corasick::{AhoCorasick, Input, MatchKind};
use regex::bytes::Regex;
use rustc_hash::{FxHashMap, FxHashSet};

/// A literal token of one rule.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    /// Index of the owning rule.
    pub rule: usize,
    /// The caller's number for this token within its rule, passed through to `Hit::needle`.
    pub needle: usize,
    /// The token's bytes; never empty.
    pub token: String,
    /// Where the token may start and end.
    pub bounds: Bounds,
    /// Whether case must match exactly (otherwise ASCII case is folded).
    pub case_sensitive: bool,
}

/// Where a token may start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bounds {
    /// Anywhere (`match = "substring"`).
    Anywhere,
    /// Between non-word bytes (`match = "word"`).
    Word,
    /// On identifier-part boundaries (`match = "part"`).
    Part,
}

impl Bounds {
    /// Whether `haystack[start..end]` starts and ends where these bounds allow.
    pub fn admit(self, haystack: &[u8], start: usize, end: usize) -> bool {
        match self {
            Self::Anywhere => true,
            Self::Word => is_word_bounded(haystack, start, end),
            Self::Part => is_part_boundary(haystack, start) && is_part_boundary(haystack, end),
        }
    }
}

/// A regular expression of one rule.
#[derive(Debug, Clone)]
pub struct RegexSpec {
    /// Index of the owning rule.
    pub rule: usize,
    /// The caller's number for this pattern within its rule, passed through to `Hit::needle`.
    pub needle: usize,
    /// The compiled expression.
    pub regex: Regex,
}

/// One match of one rule: a byte range of the haystack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// First matched byte.
    pub start: usize,
    /// One past the last matched byte.
    pub end: usize,
    /// Index of the rule.
    pub rule: usize,
    /// The number of the token or pattern that matched, as its spec gave it.
    pub needle: usize,
}

/// Who uses one distinct token string, and how.
#[derive(Debug, Clone, Copy)]
struct Owner {
    rule: usize,
    needle: usize,
    bounds: Bounds,
    case_sensitive: bool,
}

/// From this many distinct identifier tokens on, they are looked up by identifier run instead of
/// going through the automaton, whose prefilters lose their edge on large sets.
const WORD_TABLE_MIN_TOKENS: usize = 20;

/// The most tokens for which aho-corasick builds its packed (Teddy) prefilter.
const PACKED_MAX_PATTERNS: usize = 64;

/// The most tokens split over two automatons of half as many each, rather than one automaton
/// without its packed prefilter, or the part table. Random sets of part tokens of real code on
/// the small real tree, instructions against the part table: two packed searches of 35 to 40
/// tokens each cost 15-17% less when case-sensitive and 1-3% less when not; of 48 each, 5% less
/// and 6% more.
const SPLIT_MAX_PATTERNS: usize = 80;

/// Identifier tokens longer than this always go through the automaton.
const WORD_TABLE_MAX_LEN: usize = 255;

/// All tokens and regexes of a rule set, ready to search any haystack.
#[derive(Debug)]
pub struct Matcher {
    /// None, one, or two of a set split for their packed prefilters (`split_for_packed`).
    automatons: Vec<TokenAutomaton>,
    words: Option<WordTable>,
    parts: Option<PartTable>,
    regexes: Vec<RegexSpec>,
}

impl Matcher {
    /// Builds the engine: identical tokens of several rules share one entry. How each token is
    /// found depends on the set: from `WORD_TABLE_MIN_TOKENS` distinct word-mode identifier
    /// tokens on, those go to a word table; from as many part-mode tokens made of identifier
    /// bytes and `-`, those go to a part table, unless the automatons would hold no more than
    /// `SPLIT_MAX_PATTERNS` tokens with them; everything else goes to the automatons.
    pub fn new(
        tokens: Vec<TokenSpec>,
        regexes: Vec<RegexSpec>,
    ) -> Result<Self, aho_corasick::BuildError> {
        let fits = |t: &TokenSpec, bounds: Bounds, byte: fn(u8) -> bool| {
            t.bounds == bounds && t.token.len() <= WORD_TABLE_MAX_LEN && t.token.bytes().all(byte)
        };
        let is_word = |t: &TokenSpec| fits(t, Bounds::Word, is_word_byte);
        let is_part = |t: &TokenSpec| fits(t, Bounds::Part, is_compound_byte);
        let enough = |pick: &dyn Fn(&TokenSpec) -> bool| {
            let distinct: FxHashSet<&str> = tokens
                .iter()
                .filter(|t| pick(t))
                .map(|t| t.token.as_str())
                .collect();
            distinct.len() >= WORD_TABLE_MIN_TOKENS
        };
        let use_words = enough(&is_word);
        // Part tokens stay in the automatons while one or two hold few enough tokens for their
        // packed (Teddy) prefilters, which cost less than the part table's classification of
        // every byte.
        let use_parts = enough(&is_part) && {
            let rest: FxHashSet<&str> = tokens
                .iter()
                .filter(|t| !(use_words && is_word(t)))
                .map(|t| t.token.as_str())
                .collect();
            rest.len() > SPLIT_MAX_PATTERNS
        };
        let (mut words, mut parts, mut automaton) = (Vec::new(), Vec::new(), Vec::new());
        for token in tokens {
            if use_words && is_word(&token) {
                words.push(token);
            } else if use_parts && is_part(&token) {
                parts.push(token);
            } else {
                automaton.push(token);
            }
        }
        Ok(Self {
            automatons: split_for_packed(automaton)
                .into_iter()
                .filter_map(|tokens| TokenAutomaton::new(tokens).transpose())
                .collect::<Result<_, _>>()?,
            words: Lexicon::new(words).map(|lexicon| WordTable { lexicon }),
            parts: PartTable::new(parts),
            regexes,
        })
    }

    /// Fills `out` with every hit in `haystack` of the rules for which `active[rule]` is true,
    /// sorted by position, with one hit per rule and span.
    pub fn find(&self, haystack: &[u8], active: &[bool], out: &mut Vec<Hit>) {
        out.clear();
        TokenAutomaton::find_all(&self.automatons, haystack, active, out);
        if let Some(words) = &self.words {
            words.find(haystack, active, out);
        }
        if let Some(parts) = &self.parts {
            parts.find(haystack, active, out);
        }
        if !out.is_empty() {
            keep_longest_leftmost(out);
            out.retain(|hit| hit.end != 0);
        }
        for spec in &self.regexes {
            if !active[spec.rule] {
                continue;
            }
            out.extend(
                spec.regex
                    .find_iter(haystack)
                    .filter(|m| !m.is_empty())
                    .map(|m| Hit {
                        start: m.start(),
                        end: m.end(),
                        rule: spec.rule,
                        needle: spec.needle,
                    }),
            );
        }
        out.sort_unstable_by_key(|h| (h.start, h.end, h.rule, h.needle));
        out.dedup_by_key(|h| (h.start, h.end, h.rule));
    }
}

/// Tokens found with one Aho-Corasick automaton. A leftmost-longest search (fast: it runs the
/// automaton's literal prefilters) finds the next position where any token starts; the other
/// tokens starting there are the found token's prefixes, known in advance, so every candidate
/// is seen without an overlapping search.
#[derive(Debug)]
struct TokenAutomaton {
    automaton: AhoCorasick,
    folds_case: bool,
    /// The distinct token strings, indexed by automaton pattern id.
    tokens: Vec<Box<[u8]>>,
    /// The users of each distinct token string, indexed by automaton pattern id.
    owners: Vec<Vec<Owner>>,
    /// For each token, the other tokens that match wherever it matches at the same start:
    /// its prefixes (and, when case is folded, its case variants).
    prefixes: Vec<Vec<usize>>,
}

impl TokenAutomaton {
    fn new(tokens: Vec<TokenSpec>) -> Result<Option<Self>, aho_corasick::BuildError> {
        if tokens.is_empty() {
            return Ok(None);
        }
        let folds_case = tokens.iter().any(|t| !t.case_sensitive);
        let mut index = FxHashMap::default();
        let mut distinct: Vec<Box<[u8]>> = Vec::new();
        let mut owners: Vec<Vec<Owner>> = Vec::new();
        for spec in tokens {
            let id = *index.entry(spec.token.clone()).or_insert_with(|| {
                distinct.push(spec.token.as_bytes().into());
                owners.push(Vec::new());
                distinct.len() - 1
            });
            owners[id].push(Owner {
                rule: spec.rule,
                needle: spec.needle,
                bounds: spec.bounds,
                case_sensitive: spec.case_sensitive,
            });
        }
        let fold = |bytes: &[u8]| {
            if folds_case {
                bytes.to_ascii_lowercase()
            } else {
                bytes.to_vec()
            }
        };
        let mut by_key: FxHashMap<Vec<u8>, Vec<usize>> = FxHashMap::default();
        for (id, token) in distinct.iter().enumerate() {
            by_key.entry(fold(token)).or_default().push(id);
        }
        let prefixes = distinct
            .iter()
            .enumerate()
            .map(|(id, token)| {
                let key = fold(token);
                (1..=key.len())
                    .filter_map(|n| by_key.get(&key[..n]))
                    .flatten()
                    .copied()
                    .filter(|&other| other != id)
                    .collect()
            })
            .collect();
        // Folded tokens searched in a folded haystack, rather than an automaton that folds case:
        // that one has no prefilter (aho-corasick builds none for ASCII case insensitivity).
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(distinct.iter().map(|token| fold(token)))?;
        Ok(Some(Self {
            automaton,
            folds_case,
            tokens: distinct,
            owners,
            prefixes,
        }))
    }

    /// Appends every occurrence of the tokens of `automatons` that passes its owner's case and
    /// boundary checks. The haystack is lower-cased once for all the automatons that fold case.
    fn find_all(automatons: &[Self], haystack: &[u8], active: &[bool], out: &mut Vec<Hit>) {
        if !automatons.iter().any(|a| a.folds_case) {
            for automaton in automatons {
                automaton.find_in(haystack, haystack, active, out);
            }
            return;
        }
        FOLDED.with_borrow_mut(|folded| {
            folded.clear();
            folded.extend(haystack.iter().map(u8::to_ascii_lowercase));
            for automaton in automatons {
                let searched = if automaton.folds_case {
                    &folded[..]
                } else {
                    haystack
                };
                automaton.find_in(haystack, searched, active, out);
            }
        });
    }

    /// `find`, with the automaton run over `searched`: the haystack, or its ASCII lower case.
    fn find_in(&self, haystack: &[u8], searched: &[u8], active: &[bool], out: &mut Vec<Hit>) {
        let mut at = 0;
        while let Some(m) = self
            .automaton
            .find(Input::new(searched).range(at..searched.len()))
        {
            let longest = m.pattern().as_usize();
            let start = m.start();
            for &id in std::iter::once(&longest).chain(&self.prefixes[longest]) {
                let end = start + self.tokens[id].len();
                for owner in &self.owners[id] {
                    if !active[owner.rule]
                        || (owner.case_sensitive
                            && self.folds_case
                            && haystack[start..end] != *self.tokens[id])
                        || !owner.bounds.admit(haystack, start, end)
                    {
                        continue;
                    }
                    out.push(Hit {
                        start,
                        end,
                        rule: owner.rule,
                        needle: owner.needle,
                    });
                }
            }
            at = start + 1;
        }
    }
}

/// The automatons' tokens, in two sets of about half each when they are too many for one packed
/// (Teddy) prefilter but no more than `SPLIT_MAX_PATTERNS`: two packed searches cost less than
/// one automaton without. Tokens equal but for ASCII case stay in one set, where they are each
/// other's prefixes; the first set takes whole groups of them while they fit in half.
fn split_for_packed(tokens: Vec<TokenSpec>) -> Vec<Vec<TokenSpec>> {
    let mut groups: FxHashMap<String, FxHashSet<&str>> = FxHashMap::default();
    for spec in &tokens {
        groups
            .entry(spec.token.to_ascii_lowercase())
            .or_default()
            .insert(&spec.token);
    }
    let distinct: usize = groups.values().map(FxHashSet::len).sum();
    if distinct <= PACKED_MAX_PATTERNS || distinct > SPLIT_MAX_PATTERNS {
        return vec![tokens];
    }
    let mut first: FxHashSet<String> = FxHashSet::default();
    let mut held = 0;
    for spec in &tokens {
        let key = spec.token.to_ascii_lowercase();
        let size = groups[&key].len();
        if !first.contains(&key) && held + size <= distinct.div_ceil(2) {
            held += size;
            first.insert(key);
        }
    }
    let (one, two) = tokens
        .into_iter()
        .partition(|spec| first.contains(&spec.token.to_ascii_lowercase()));
    vec![one, two]
}

thread_local! {
    /// The ASCII lower case of the haystack, for an automaton whose tokens fold case.
    static FOLDED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Tokens looked up by their bytes, with cheap filters in front of the hash tables: a token of
/// that length must exist, and the bit of its sketch must be set. Shared by the word and part
/// tables, which differ only in the slices of the haystack they look up.
#[derive(Debug)]
struct Lexicon {
    exact: FxHashMap<Box<[u8]>, Vec<(usize, usize)>>,
    /// Keys in ASCII lower case, for case-insensitive rules.
    folded: FxHashMap<Box<[u8]>, Vec<(usize, usize)>>,
    /// `lengths[n]`: whether some token is `n` bytes long.
    lengths: Vec<bool>,
    /// A one-hash Bloom filter over the tokens' sketches, a power of two bits long.
    sketches: Box<[u64]>,
    /// The number of bits of `sketches`, less one: the mask that picks a bit.
    sketch_mask: usize,
    shortest: usize,
    longest: usize,
}

/// Bits in the sketch filter per token, so that few runs without a token pass it (about one in
/// a hundred): 32 KiB of filter for 4,096 tokens, at least 4 KiB, at most 1 MiB.
const SKETCH_BITS_PER_TOKEN: usize = 64;

/// Which bytes are word bytes, `[A-Za-z0-9_]`.
static WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

/// A cheap hash of a run's length and its first and last eight bytes, ASCII case folded (for
/// word bytes and `-`, setting bit 5 folds case), for the filter: 24 bits, masked to its size.
/// A run shorter than eight bytes is its zero-padded word, head and tail alike.
#[inline(always)]
fn sketch(run: &[u8]) -> usize {
    let (head, tail) = if run.len() >= 8 {
        let head = u64::from_le_bytes(run[..8].try_into().expect("8 bytes"));
        let tail = u64::from_le_bytes(run[run.len() - 8..].try_into().expect("8 bytes"));
        (head, tail)
    } else {
        let word = short_word(run);
        (word, word)
    };
    mix(head, tail, run.len())
}

/// `sketch(&haystack[start..end])`, read from the haystack around the run without a branch on
/// its length (run lengths are too varied for a branch to be predicted).
#[inline(always)]
fn sketch_at(haystack: &[u8], start: usize, end: usize) -> usize {
    let (Some(from_start), Some(to_end)) = (
        haystack.get(start..start + 8),
        end.checked_sub(8).and_then(|at| haystack.get(at..end)),
    ) else {
        return sketch(&haystack[start..end]);
    };
    let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
    sketch_around(word(from_start), word(to_end), end - start)
}

/// The sketch of a run of `len` bytes from the eight bytes from its start and the eight bytes
/// up to its end, whatever stands beside it: the first masked to the run, the last shifted to it.
#[inline(always)]
fn sketch_around(from_start: u64, to_end: u64, len: usize) -> usize {
    let cut = 8 * (8 - len.min(8)) as u32;
    mix(from_start & (u64::MAX >> cut), to_end >> cut, len)
}

/// The sketch of a run of `len` bytes from its head and tail words.
#[inline(always)]
fn mix(head: u64, tail: u64, len: usize) -> usize {
    let fold = 0x2020_2020_2020_2020;
    let mixed = (head | fold) ^ (tail | fold).rotate_left(29) ^ len as u64;
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize
}

/// The bytes of `run` (fewer than eight) as a little-endian word padded with zeros, read in
/// overlapping pieces rather than copied byte by byte.
#[inline(always)]
fn short_word(run: &[u8]) -> u64 {
    let len = run.len();
    if len >= 4 {
        let low = u32::from_le_bytes(run[..4].try_into().expect("4 bytes"));
        let high = u32::from_le_bytes(run[len - 4..].try_into().expect("4 bytes"));
        u64::from(low) | u64::from(high) << (8 * (len - 4))
    } else if len > 0 {
        let byte = |i: usize| u64::from(run[i]) << (8 * i);
        byte(0) | byte(len / 2) | byte(len - 1)
    } else {
        0
    }
}

impl Lexicon {
    fn new(tokens: Vec<TokenSpec>) -> Option<Self> {
        let shortest = tokens.iter().map(|t| t.token.len()).min()?;
        let longest = tokens.iter().map(|t| t.token.len()).max()?;
        let bits = (tokens.len() * SKETCH_BITS_PER_TOKEN)
            .next_power_of_two()
            .clamp(1 << 15, 1 << 23);
        let mut table = Self {
            exact: FxHashMap::default(),
            folded: FxHashMap::default(),
            lengths: vec![false; longest + 1],
            sketches: vec![0; bits / 64].into_boxed_slice(),
            sketch_mask: bits - 1,
            shortest,
            longest,
        };
        for spec in tokens {
            table.lengths[spec.token.len()] = true;
            set_bit(
                &mut table.sketches,
                sketch(spec.token.as_bytes()) & table.sketch_mask,
            );
            let (map, key) = if spec.case_sensitive {
                (&mut table.exact, spec.token.into_bytes())
            } else {
                (
                    &mut table.folded,
                    spec.token.to_ascii_lowercase().into_bytes(),
                )
            };
            map.entry(key.into_boxed_slice())
                .or_default()
                .push((spec.rule, spec.needle));
        }
        Some(table)
    }

    /// Whether some token could equal `haystack[start..end]`: the length and sketch filters.
    #[inline(always)]
    fn may_hold(&self, haystack: &[u8], start: usize, end: usize) -> bool {
        self.known_length(end - start) && self.sketched(haystack, start, end)
    }

    /// Whether some token is `len` bytes long.
    #[inline(always)]
    fn known_length(&self, len: usize) -> bool {
        self.lengths.get(len).copied().unwrap_or(false)
    }

    /// Whether the sketch filter lets `haystack[start..end]` through: `may_hold` without the
    /// length filter, for slices whose length is already known to be a token's.
    #[inline(always)]
    fn sketched(&self, haystack: &[u8], start: usize, end: usize) -> bool {
        self.passes(sketch_at(haystack, start, end))
    }

    /// Whether the sketch filter has the bit of `sketch`.
    #[inline(always)]
    fn passes(&self, sketch: usize) -> bool {
        bit(&self.sketches, sketch & self.sketch_mask)
    }

    /// Appends a hit for each active owner of the token equal to `run`, found at `start`. Called
    /// only for runs that pass `may_hold`, checked inline by the caller: most do not.
    #[inline(never)]
    fn lookup(
        &self,
        run: &[u8],
        start: usize,
        active: &[bool],
        out: &mut Vec<Hit>,
        lowered: &mut [u8; WORD_TABLE_MAX_LEN],
    ) {
        let end = start + run.len();
        let mut push = |owners: &Vec<(usize, usize)>| {
            for &(rule, needle) in owners {
                if active[rule] {
                    out.push(Hit {
                        start,
                        end,
                        rule,
                        needle,
                    });
                }
            }
        };
        if let Some(owners) = self.exact.get(run) {
            push(owners);
        }
        if !self.folded.is_empty() {
            let lowered = &mut lowered[..run.len()];
            lowered.copy_from_slice(run);
            lowered.make_ascii_lowercase();
            if let Some(owners) = self.folded.get(&*lowered) {
                push(owners);
            }
        }
    }
}

/// Word-mode tokens made only of word bytes. Such a token can only match a whole identifier run
/// (a maximal run of `[A-Za-z0-9_]`), so the haystack's runs are looked up in the lexicon.
#[derive(Debug)]
struct WordTable {
    lexicon: Lexicon,
}

impl WordTable {
    /// Appends a hit for every identifier run that equals a token of an active rule.
    fn find(&self, haystack: &[u8], active: &[bool], out: &mut Vec<Hit>) {
        let mut lowered = [0u8; WORD_TABLE_MAX_LEN];
        let lexicon = &self.lexicon;
        // A run shorter than a shortest token of over 64 bytes is left to the length filter.
        let shortest = lexicon.shortest.min(64);
        for_each_run::<false>(haystack, shortest, |start, end, head, tail| {
            let len = end - start;
            if lexicon.known_length(len) && lexicon.passes(sketch_around(head, tail, len)) {
                let run = &haystack[start..end];
                lexicon.lookup(run, start, active, out, &mut lowered);
            }
        });
    }
}

/// Part-mode tokens made only of word bytes and `-`. Such a token can only match inside one
/// compound run (a maximal run of `[A-Za-z0-9_-]`), from one part boundary of it to another, so
/// each run's boundaries are found and the slices between them are looked up in the lexicon.
/// A boundary where no token's first four bytes (all of a shorter token; case folded) stand is
/// passed over at once: most parts of real code start no token. Where some may start, only the
/// slices as long as a token with those first bytes (by their hash) are looked at. From
/// `OCTET_MIN_TOKENS` tokens on, the tokens of eight bytes or more are keyed by their first
/// eight bytes instead: real code's parts share the first four bytes of that many real
/// identifiers (`dele`, `acco`, `Curr`) too often for the filter's branch to be predicted.
#[derive(Debug)]
struct PartTable {
    lexicon: Lexicon,
    /// The tokens of four bytes or more (four to seven, with `octets`), by their first four.
    quads: Heads,
    /// The tokens of eight bytes or more, by their first eight, for sets of `OCTET_MIN_TOKENS`
    /// tokens or more.
    octets: Option<Heads>,
    /// Bit `triple(head)` set for each token of three bytes, if any is.
    triples: Option<Box<StartBits>>,
    /// Bit `pair(head)` set for each token of two bytes, if any is.
    pairs: Option<Box<StartBits>>,
    /// Whether some token is one byte long (it has no second byte to filter on).
    single: bool,
    /// The classes of the tokens' first bytes (`Openers`), case folded for case-insensitive
    /// tokens: a part boundary before a byte of no such class starts no token.
    openers: u8,
}

/// The lengths of tokens by the hash (`fold_hash`) of their first bytes: a filter of the
/// hashes' top `START_BITS`, and the lengths of the tokens whose hashes share their top
/// `SPAN_BITS`.
#[derive(Debug)]
struct Heads {
    /// Bit `hash >> (64 - START_BITS)` set for each token's hash.
    bits: Box<StartBits>,
    /// `spans[hash >> (64 - SPAN_BITS)]`: the lengths of the tokens whose hashes start so, as
    /// `Spans`.
    spans: Box<[u64; 1 << SPAN_BITS]>,
}

/// The fewest tokens for which the part table keys the long ones by eight bytes. Measured on real
/// code (bench/measured-by-hand.md, fifth pass): the second lookup costs 7% more time at 100
/// tokens, as much as it saves at 200, and saves 10% at 300 and 21% at 1,000.
const OCTET_MIN_TOKENS: usize = 200;

impl Heads {
    fn new() -> Self {
        Self {
            bits: no_start_bits(),
            spans: Box::new([0; 1 << SPAN_BITS]),
        }
    }

    /// Adds a token `len` bytes long whose first bytes hash to `hash`.
    fn add(&mut self, hash: u64, len: usize) {
        set_bit(&mut self.bits[..], (hash >> (64 - START_BITS)) as usize);
        self.spans[(hash >> (64 - SPAN_BITS)) as usize] |= Spans::of(len);
    }

    /// The lengths (`Spans`) of the tokens whose first bytes may hash to `hash` (none unless
    /// `present`).
    #[inline(always)]
    fn spans(&self, hash: u64, present: bool) -> u64 {
        if present && bit(&self.bits[..], (hash >> (64 - START_BITS)) as usize) {
            self.spans[(hash >> (64 - SPAN_BITS)) as usize]
        } else {
            0
        }
    }
}

/// Sets of token lengths as bit masks: bit `n` for a length of `n` bytes (`n < LONG`), bit
/// `LONG` for any length from `LONG` on.
struct Spans;

impl Spans {
    /// The first length that has no bit of its own.
    const LONG: usize = 63;

    /// The bit of a token `len` bytes long.
    fn of(len: usize) -> u64 {
        1 << len.min(Self::LONG)
    }
}

/// Classes of bytes that can start a part, as bits: `PartMasks::classify` keeps only the boundaries
/// before a byte of one of the given classes as places where a token may start.
struct Openers;

impl Openers {
    const UPPER: u8 = 1;
    const LOWER: u8 = 2;
    const DIGIT: u8 = 4;
    /// `_` and `-`.
    const JOINER: u8 = 8;

    /// The classes a token starting with `first` opens with: both cases of a letter when the
    /// token is case-insensitive.
    fn of(first: u8, case_sensitive: bool) -> u8 {
        let letter = if case_sensitive {
            0
        } else {
            Self::UPPER | Self::LOWER
        };
        match first {
            b'A'..=b'Z' => Self::UPPER | letter,
            b'a'..=b'z' => Self::LOWER | letter,
            b'0'..=b'9' => Self::DIGIT,
            _ => Self::JOINER,
        }
    }
}

/// Bits in each start filter: a token's first bytes, case folded, hashed to one of them.
const START_BITS: u32 = 16;

/// A start filter: `1 << START_BITS` bits.
type StartBits = [u64; (1 << START_BITS) / 64];

/// A start filter with no bit set.
fn no_start_bits() -> Box<StartBits> {
    Box::new([0; (1 << START_BITS) / 64])
}

/// Entries of the part table's token lengths by start (`Heads::spans`), indexed by the top
/// bits of their tokens' `fold_hash`: after the filter has passed, few tokens share an entry.
const SPAN_BITS: u32 = 12;

/// A hash of a token's first bytes, `head` (little-endian, zeros past them), for the start
/// filters: its top bits are the key. Setting bit 5 folds ASCII case and keeps the compound
/// bytes apart, all a filter needs.
fn fold_hash(head: u64) -> u64 {
    (head | 0x2020_2020_2020_2020).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The `fold_hash` of the first four bytes of `head`, for the four-byte filter.
fn quad(head: u64) -> u64 {
    fold_hash(head & 0xFFFF_FFFF)
}

/// The bit of the three-byte filter for a token of the first three bytes of `head`.
fn triple(head: u64) -> usize {
    (fold_hash(head & 0x00FF_FFFF) >> (64 - START_BITS)) as usize
}

/// The bit of the two-byte filter for a token of the first two bytes of `head`, case folded as
/// in `fold_hash`: one bit per folded pair.
fn pair(head: u64) -> usize {
    (head & 0xFFFF | 0x2020) as usize
}

/// The first eight bytes of `bytes` as a little-endian word padded with zeros, and how many
/// bytes it holds.
fn head(bytes: &[u8]) -> (u64, usize) {
    match bytes.first_chunk::<8>() {
        Some(eight) => (u64::from_le_bytes(*eight), 8),
        None => {
            let mut eight = [0u8; 8];
            eight[..bytes.len()].copy_from_slice(bytes);
            (u64::from_le_bytes(eight), bytes.len())
        }
    }
}

/// Whether bit `at` of `bits` is set.
fn bit(bits: &[u64], at: usize) -> bool {
    bits[at / 64] & (1 << (at % 64)) != 0
}

/// Sets bit `at` of `bits`.
fn set_bit(bits: &mut [u64], at: usize) {
    bits[at / 64] |= 1 << (at % 64);
}

impl PartTable {
    fn new(tokens: Vec<TokenSpec>) -> Option<Self> {
        let mut octets = (tokens.len() >= OCTET_MIN_TOKENS).then(Heads::new);
        let mut quads = Heads::new();
        let (mut triples, mut pairs) = (None, None);
        let mut single = false;
        let mut openers = 0;
        for token in &tokens {
            openers |= Openers::of(token.token.as_bytes()[0], token.case_sensitive);
            let len = token.token.len();
            match (head(token.token.as_bytes()), &mut octets) {
                ((head, 8), Some(octets)) => octets.add(fold_hash(head), len),
                ((head, 4..), _) => quads.add(quad(head), len),
                ((head, 3), _) => {
                    set_bit(
                        &mut triples.get_or_insert_with(no_start_bits)[..],
                        triple(head),
                    );
                }
                ((head, 2), _) => {
                    set_bit(&mut pairs.get_or_insert_with(no_start_bits)[..], pair(head));
                }
                _ => single = true,
            }
        }
        Some(Self {
            lexicon: Lexicon::new(tokens)?,
            quads,
            octets,
            triples,
            pairs,
            single,
            openers,
        })
    }

    /// The lengths (`Spans`) of the tokens that may start with the bytes `rest`: none for most.
    #[inline(always)]
    fn spans(&self, rest: &[u8]) -> u64 {
        let (eight, len) = head(rest);
        let filter = |bits: &Option<Box<StartBits>>, key: usize, len: usize| {
            u64::from(bits.as_ref().is_some_and(|b| bit(&b[..], key))) << len
        };
        let mut spans = u64::from(self.single) << 1 | self.quads.spans(quad(eight), len >= 4);
        if let Some(octets) = &self.octets {
            spans |= octets.spans(fold_hash(eight), len == 8);
        }
        if len >= 3 {
            spans |= filter(&self.triples, triple(eight), 3);
        }
        if len >= 2 {
            spans |= filter(&self.pairs, pair(eight), 2);
        }
        spans
    }

    /// Appends a hit for every slice between two part boundaries that equals a token of an
    /// active rule. The haystack is classified 64 bytes at a time into bit masks of compound
    /// bytes and of part boundaries; at each boundary before a byte that some token starts
    /// with (by class), the lengths of the tokens that may start there pick the boundaries
    /// after it, in the same run, whose slices are looked up.
    fn find(&self, haystack: &[u8], active: &[bool], out: &mut Vec<Hit>) {
        let mut lowered = [0u8; WORD_TABLE_MAX_LEN];
        let lexicon = &self.lexicon;
        PART_MASKS.with_borrow_mut(|masks| {
            masks.classify(haystack, self.openers);
            let PartMasks {
                bounds,
                compound,
                starts,
            } = &*masks;
            for (block, &mask) in starts.iter().enumerate() {
                let mut starts = mask;
                while starts != 0 {
                    let from = block * 64 + starts.trailing_zeros() as usize;
                    starts &= starts - 1;
                    let spans = self.spans(&haystack[from..]);
                    if spans == 0 {
                        continue;
                    }
                    // Bit `i` of each window: position `from + i`. The run holds the compound
                    // bytes from `from` on, so a slice may end at `from + run` at most.
                    let run = (!window(compound, from)).trailing_zeros() as usize;
                    let within = u64::MAX >> (Spans::LONG - run.min(Spans::LONG));
                    let mut ends = window(bounds, from) & spans & within & !Spans::of(Spans::LONG);
                    while ends != 0 {
                        let to = from + ends.trailing_zeros() as usize;
                        ends &= ends - 1;
                        if lexicon.sketched(haystack, from, to) {
                            lexicon.lookup(&haystack[from..to], from, active, out, &mut lowered);
                        }
                    }
                    if spans & Spans::of(Spans::LONG) != 0 && run >= Spans::LONG {
                        let last = (from + lexicon.longest).min(haystack.len());
                        let end = ones_from(compound, from + 1, last).min(last);
                        for_each_bit(bounds, from + Spans::LONG, end, |to| {
                            if lexicon.may_hold(haystack, from, to) {
                                lexicon.lookup(
                                    &haystack[from..to],
                                    from,
                                    active,
                                    out,
                                    &mut lowered,
                                );
                            }
                        });
                    }
                }
            }
        });
    }
}

/// Bits `at..at + 64` of `masks`, which has a word past the one of bit `at`: bit `i` of the
/// result is bit `at + i`.
#[inline(always)]
fn window(masks: &[u64], at: usize) -> u64 {
    let (block, shift) = (at / 64, at % 64);
    masks[block] >> shift | (masks[block + 1] << 1) << (63 - shift)
}

/// The first position from `at` on (up to `limit`) whose bit in `masks` is clear, or `limit`.
fn ones_from(masks: &[u64], at: usize, limit: usize) -> usize {
    let mut block = at / 64;
    let mut word = !masks.get(block).copied().unwrap_or(0) & (u64::MAX << (at % 64));
    while word == 0 {
        block += 1;
        if block * 64 >= limit {
            return limit;
        }
        word = !masks.get(block).copied().unwrap_or(0);
    }
    block * 64 + word.trailing_zeros() as usize
}

/// Calls `f(at)` for each position `at` in `from..=to` whose bit in `masks` is set, in order.
fn for_each_bit(masks: &[u64], from: usize, to: usize, mut f: impl FnMut(usize)) {
    if from > to {
        return;
    }
    for block in from / 64..=to / 64 {
        let mut word = masks.get(block).copied().unwrap_or(0);
        if block == from / 64 {
            word &= u64::MAX << (from % 64);
        }
        if block == to / 64 {
            word &= u64::MAX >> (63 - to % 64);
        }
        while word != 0 {
            f(block * 64 + word.trailing_zeros() as usize);
            word &= word - 1;
        }
    }
}

thread_local! {
    /// The part table's masks of the haystack, kept between files for their buffers.
    static PART_MASKS: RefCell<PartMasks> = RefCell::default();
}

/// Bit masks of a haystack for the part table, 64 positions a word (bit `at % 64` of word
/// `at / 64`): `starts` one word more than the haystack needs, the others two (the last is
/// zero), so that a 64-bit window from any position up to the length can be read.
#[derive(Default)]
struct PartMasks {
    /// Part boundaries: bit `at` set for a boundary between bytes `at - 1` and `at`, for `at` up
    /// to the length.
    bounds: Vec<u64>,
    /// Compound bytes, `[A-Za-z0-9_-]`.
    compound: Vec<u64>,
    /// The boundaries before a byte of one of the classes asked for (`Openers`).
    starts: Vec<u64>,
}

impl PartMasks {
    /// Fills the masks with the part boundaries and compound bytes of `haystack`, and the
    /// boundaries before a byte of the classes `openers`, classified without a branch per
    /// byte.
    fn classify(&mut self, haystack: &[u8], openers: u8) {
        let blocks = haystack.len() / 64 + 1;
        let classes = |block: usize| class_masks(&padded_block(haystack, block));
        let Self {
            bounds,
            compound,
            starts,
        } = self;
        for mask in [&mut *bounds, &mut *compound, &mut *starts] {
            mask.clear();
            mask.reserve(blocks + 1);
        }
        let wanted = |class: u8| 0u64.wrapping_sub(u64::from(openers & class != 0));
        let [mut upper, mut lower, mut alnum, mut comp] = classes(0);
        let (mut prev_upper, mut prev_alnum) = (0u64, 0u64);
        for block in 0..blocks {
            let [next_upper, next_lower, next_alnum, next_comp] = classes(block + 1);
            let before_alnum = alnum << 1 | prev_alnum >> 63;
            let before_upper = upper << 1 | prev_upper >> 63;
            let after_lower = lower >> 1 | next_lower << 63;
            let bound = !(before_alnum & alnum)
                | (upper & !before_upper)
                | (upper & before_upper & after_lower);
            let letter = upper | lower;
            let opening = (upper & wanted(Openers::UPPER))
                | (lower & wanted(Openers::LOWER))
                | (alnum & !letter & wanted(Openers::DIGIT))
                | (comp & !alnum & wanted(Openers::JOINER));
            bounds.push(bound);
            compound.push(comp);
            starts.push(bound & opening);
            (prev_upper, prev_alnum) = (upper, alnum);
            [upper, lower, alnum, comp] = [next_upper, next_lower, next_alnum, next_comp];
        }
        bounds.push(0);
        compound.push(0);
    }
}

/// Calls `f(start, end, head, tail)` for every maximal run of word bytes (and `-` too when
/// `DASH`) in `haystack` at least `shortest` bytes long (1 to 64: a mask sees no further),
/// where `head` is the eight bytes from `start` and `tail` the eight bytes up to `end`
/// (little-endian; bytes past either end of the haystack are zero). The haystack is classified
/// 64 bytes at a time into bit masks, from which the starts of long enough runs fall out without
/// a branch per byte; the words are read from a copy of the blocks around the run, where no read
/// can fall outside.
fn for_each_run<const DASH: bool>(
    haystack: &[u8],
    shortest: usize,
    mut f: impl FnMut(usize, usize, u64, u64),
) {
    debug_assert!((1..=64).contains(&shortest), "shortest {shortest}");
    // The previous, current and next blocks.
    let mut window = [0u8; 192];
    window[128..].copy_from_slice(&padded_block(haystack, 0));
    let mut current = 0u64;
    let mut next = word_mask::<DASH>(&padded_block(haystack, 0));
    for block in 0..haystack.len().div_ceil(64) {
        window.copy_within(64.., 0);
        let incoming = padded_block(haystack, block + 1);
        window[128..].copy_from_slice(&incoming);
        let previous = current;
        (current, next) = (next, word_mask::<DASH>(&incoming));
        let starts = current & !((current << 1) | (previous >> 63));
        let both = u128::from(current) | (u128::from(next) << 64);
        let long = all_set_from(both, shortest);
        let mut candidates = starts & long as u64;
        // Where each run ends: in this block, else in the next (selected without a branch).
        let in_next = 64 + (!next).trailing_zeros() as usize;
        while candidates != 0 {
            let bit = candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            let start = block * 64 + bit;
            let here = !current >> bit << bit;
            let to = if here == 0 {
                in_next
            } else {
                here.trailing_zeros() as usize
            };
            if to < 128 {
                let word =
                    |at: usize| u64::from_le_bytes(window[at..at + 8].try_into().expect("8 bytes"));
                f(start, block * 64 + to, word(64 + bit), word(56 + to));
            } else {
                // The run goes on past the next block: it is at least 64 bytes long.
                let byte = if DASH { is_compound_byte } else { is_word_byte };
                let from = block * 64 + 128;
                let end = haystack[from.min(haystack.len())..]
                    .iter()
                    .position(|&b| !byte(b))
                    .map_or(haystack.len(), |i| from + i);
                let word = |at: usize| {
                    u64::from_le_bytes(haystack[at..at + 8].try_into().expect("8 bytes"))
                };
                f(start, end, word(start), word(end - 8));
            }
        }
    }
}

/// The 64-byte block `block` of `haystack`, padded with zeros past its end (a zero byte is in no
/// class). A full block is copied too: the copy is a few vector moves.
#[inline(always)]
fn padded_block(haystack: &[u8], block: usize) -> [u8; 64] {
    let rest = haystack.get(block * 64..).unwrap_or_default();
    match rest.first_chunk::<64>() {
        Some(full) => *full,
        None => {
            let mut padded = [0u8; 64];
            padded[..rest.len()].copy_from_slice(rest);
            padded
        }
    }
}

#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
use sse2::{class_masks, word_mask};

#[cfg(not(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
)))]
use portable::{class_masks, word_mask};

/// Byte classification with SSE2 (baseline on x86_64): 16 bytes compared at once, and each
/// comparison's lanes gathered into a bit mask by one `movemask`.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
mod sse2 {
    use safe_arch::{
        add_i8_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, cmp_lt_mask_i8_m128i,
        load_unaligned_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i,
    };

    /// All ones in the lanes of `v` that lie in `low..low + count` as unsigned bytes: shifted
    /// so that `low` becomes `i8::MIN`, one signed comparison tests the range.
    #[inline(always)]
    fn in_range(v: m128i, low: u8, count: u8) -> m128i {
        let shifted = add_i8_m128i(v, set_splat_i8_m128i(0x80u8.wrapping_sub(low) as i8));
        cmp_lt_mask_i8_m128i(
            shifted,
            set_splat_i8_m128i(i8::MIN.wrapping_add(count as i8)),
        )
    }

    /// All ones in the lanes of `v` equal to `byte`.
    #[inline(always)]
    fn equal(v: m128i, byte: u8) -> m128i {
        cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(byte as i8))
    }

    /// Bit `i` of the result set when lane `i` of `v` is all ones, at bits `16 * part` on.
    #[inline(always)]
    fn gather(v: m128i, part: usize) -> u64 {
        u64::from(move_mask_i8_m128i(v) as u16) << (16 * part)
    }

    /// The 16-byte part `part` of `bytes`.
    #[inline(always)]
    fn load(bytes: &[u8; 64], part: usize) -> m128i {
        let mut lanes = [0u8; 16];
        lanes.copy_from_slice(&bytes[16 * part..16 * part + 16]);
        load_unaligned_m128i(&lanes)
    }

    /// Bit `i` set when `bytes[i]` is a word byte (or `-`, when `DASH`).
    #[inline(always)]
    pub(super) fn word_mask<const DASH: bool>(bytes: &[u8; 64]) -> u64 {
        let mut mask = 0;
        for part in 0..4 {
            let v = load(bytes, part);
            let letter = in_range(bitor_m128i(v, set_splat_i8_m128i(0x20)), b'a', 26);
            let mut word = bitor_m128i(bitor_m128i(letter, in_range(v, b'0', 10)), equal(v, b'_'));
            if DASH {
                word = bitor_m128i(word, equal(v, b'-'));
            }
            mask |= gather(word, part);
        }
        mask
    }

    /// Bit masks of the upper-case letters, lower-case letters, letters and digits, and compound
    /// bytes (`[A-Za-z0-9_-]`) among 64 bytes.
    #[inline(always)]
    pub(super) fn class_masks(bytes: &[u8; 64]) -> [u64; 4] {
        let [mut upper, mut lower, mut digit, mut joiner] = [0u64; 4];
        for part in 0..4 {
            let v = load(bytes, part);
            upper |= gather(in_range(v, b'A', 26), part);
            lower |= gather(in_range(v, b'a', 26), part);
            digit |= gather(in_range(v, b'0', 10), part);
            joiner |= gather(bitor_m128i(equal(v, b'_'), equal(v, b'-')), part);
        }
        let alnum = upper | lower | digit;
        [upper, lower, alnum, alnum | joiner]
    }
}

/// Byte classification in plain Rust, for targets without SSE2 (and, in tests, the reference the
/// SSE2 code is checked against): the flags are computed so that the compiler vectorizes them,
/// then each 8 are packed into a byte by one multiply.
#[cfg(any(
    test,
    not(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))
))]
mod portable {
    /// Bit `i` set when `bytes[i]` is a word byte (or `-`, when `DASH`).
    pub(super) fn word_mask<const DASH: bool>(bytes: &[u8; 64]) -> u64 {
        let mut flags = [0u8; 64];
        for (flag, &b) in flags.iter_mut().zip(bytes) {
            let digit = b.wrapping_sub(b'0') < 10;
            let letter = (b | 0x20).wrapping_sub(b'a') < 26;
            *flag = u8::from(digit | letter | (b == b'_') | (DASH & (b == b'-')));
        }
        pack(&flags)
    }

    /// Bit masks of the upper-case letters, lower-case letters, letters and digits, and compound
    /// bytes (`[A-Za-z0-9_-]`) among 64 bytes.
    pub(super) fn class_masks(bytes: &[u8; 64]) -> [u64; 4] {
        let mut flags = [[0u8; 64]; 4];
        for (i, &b) in bytes.iter().enumerate() {
            let upper = b.wrapping_sub(b'A') < 26;
            let lower = b.wrapping_sub(b'a') < 26;
            let alnum = upper | lower | (b.wrapping_sub(b'0') < 10);
            flags[0][i] = u8::from(upper);
            flags[1][i] = u8::from(lower);
            flags[2][i] = u8::from(alnum);
            flags[3][i] = u8::from(alnum | (b == b'_') | (b == b'-'));
        }
        flags.map(|lanes| pack(&lanes))
    }

    /// Bit `i` set when `flags[i]` is 1 (flags are 0 or 1).
    fn pack(flags: &[u8; 64]) -> u64 {
        let mut mask = 0;
        for (i, eight) in flags.chunks_exact(8).enumerate() {
            let eight = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
            mask |= (eight.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * i);
        }
        mask
    }
}

/// Bit `i` set when bits `i .. i + len` of `mask` are all set (`1 <= len <= 64`).
fn all_set_from(mask: u128, len: usize) -> u128 {
    let mut runs = mask;
    let mut covered = 1;
    while covered < len {
        let step = covered.min(len - covered);
        runs &= runs >> step;
        covered += step;
    }
    runs
}

/// Per rule, left to right: keeps the longest candidate at each position and skips the candidates
/// that start inside it. Discarded candidates are marked with `end == 0`.
fn keep_longest_leftmost(candidates: &mut [Hit]) {
    candidates.sort_unstable_by(|a, b| {
        (a.rule, a.start, b.end, a.needle).cmp(&(b.rule, b.start, a.end, b.needle))
    });
    let mut rule = usize::MAX;
    let mut resume = 0;
    for hit in candidates {
        if hit.rule != rule {
            rule = hit.rule;
            resume = 0;
        }
        if hit.start >= resume {
            resume = hit.end;
        } else {
            hit.end = 0;
        }
    }
}

/// Whether a byte can be part of an identifier: `[A-Za-z0-9_]`.
pub fn is_word_byte(byte: u8) -> bool {
    WORD[usize::from(byte)]
}

/// Whether a byte can be part of a compound name, snake, camel or kebab: `[A-Za-z0-9_-]`.
fn is_compound_byte(byte: u8) -> bool {
    is_word_byte(byte) || byte == b'-'
}

/// Whether an identifier splits into parts at byte `at` of `haystack`: the ends of the haystack
/// and of identifiers, `_`, `-` and any other non-alphanumeric byte, a lower-case letter or
/// digit followed by an upper-case letter, and an upper-case letter followed by one that starts
/// a capitalised word (`HTTP|Client`).
pub fn is_part_boundary(haystack: &[u8], at: usize) -> bool {
    let (Some(&before), Some(&after)) = (
        at.checked_sub(1).and_then(|i| haystack.get(i)),
        haystack.get(at),
    ) else {
        return true;
    };
    if !before.is_ascii_alphanumeric() || !after.is_ascii_alphanumeric() {
        return true;
    }
    after.is_ascii_uppercase()
        && (!before.is_ascii_uppercase()
            || haystack
                .get(at + 1)
                .is_some_and(|next| next.is_ascii_lowercase()))
}

/// Whether `haystack[start..end]` has no word byte on either side.
fn is_word_bounded(haystack: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| haystack[i]);
    let after = haystack.get(end).copied();
    !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn token(rule: usize, needle: usize, token: &str) -> TokenSpec {
        TokenSpec {
            rule,
            needle,
            token: token.to_owned(),
            bounds: Bounds::Word,
            case_sensitive: true,
        }
    }

    fn regex(rule: usize, needle: usize, pattern: &str) -> RegexSpec {
        RegexSpec {
            rule,
            needle,
            regex: Regex::new(pattern).unwrap(),
        }
    }

    /// Hits of `specs` on `text` with rules `active`, as (start, end, rule, needle). The engines
    /// run: the automaton alone; with enough filler identifiers to use the word table, or the
    /// part table (with its four-byte start filter only, and with enough fillers for the
    /// eight-byte one too); and split over two automatons, the specs' first token in the first
    /// with fillers and the rest in the second. They must agree.
    fn hits_with(
        specs: &[TokenSpec],
        regexes: &[RegexSpec],
        text: &str,
        active: &[bool],
    ) -> Vec<(usize, usize, usize, usize)> {
        let run = |m: &Matcher| {
            let mut out = Vec::new();
            m.find(text.as_bytes(), active, &mut out);
            out.iter()
                .map(|h| (h.start, h.end, h.rule, h.needle))
                .collect::<Vec<_>>()
        };
        let plain = Matcher::new(specs.to_vec(), regexes.to_vec()).unwrap();
        let expected = run(&plain);
        let fillers = |bounds: Bounds, range: std::ops::Range<usize>| {
            range.map(move |i| TokenSpec {
                bounds,
                ..token(0, 1000 + i, &format!("Zq{i}Filler"))
            })
        };
        for (bounds, count) in [
            (Bounds::Word, SPLIT_MAX_PATTERNS + 1),
            (Bounds::Part, SPLIT_MAX_PATTERNS + 1),
            (Bounds::Part, OCTET_MIN_TOKENS),
        ] {
            let padded = Matcher::new(
                specs
                    .iter()
                    .cloned()
                    .chain(fillers(bounds, 0..count))
                    .collect(),
                regexes.to_vec(),
            );
            let padded = padded.unwrap();
            let table = match (bounds, &padded.parts) {
                (Bounds::Part, Some(parts)) => {
                    parts.octets.is_some() == (count >= OCTET_MIN_TOKENS)
                }
                (Bounds::Part, None) => false,
                _ => padded.words.is_some(),
            };
            assert!(table, "{count} {bounds:?} fillers make their table");
            assert_eq!(
                run(&padded),
                expected,
                "{bounds:?} table disagrees on {text:?}"
            );
        }
        let distinct: FxHashSet<&str> = specs.iter().map(|s| s.token.as_str()).collect();
        let (before, after) = (SPLIT_MAX_PATTERNS / 2 - 1, SPLIT_MAX_PATTERNS / 2 + 1);
        let split = fillers(Bounds::Anywhere, 0..before)
            .chain(specs.iter().cloned())
            .chain(fillers(Bounds::Anywhere, 100..100 + after - distinct.len()))
            .collect();
        let split = Matcher::new(split, regexes.to_vec()).unwrap();
        assert_eq!(split.automatons.len(), 2, "fillers split the automaton");
        assert_eq!(run(&split), expected, "two automatons disagree on {text:?}");
        expected
    }

    fn spans(specs: &[TokenSpec], text: &str, rules: usize) -> Vec<(usize, usize, usize)> {
        hits_with(specs, &[], text, &vec![true; rules])
            .into_iter()
            .map(|(s, e, r, _)| (s, e, r))
            .collect()
    }

    fn words(tokens: &[&str]) -> Vec<TokenSpec> {
        tokens
            .iter()
            .enumerate()
            .map(|(i, t)| token(0, i, t))
            .collect()
    }

    #[test]
    fn word_mode_requires_non_word_neighbours() {
        let m = words(&["InventorySyncRun"]);
        assert_eq!(
            spans(&m, r"use App\Models\InventorySyncRun;", 1),
            [(15, 31, 0)]
        );
        assert_eq!(spans(&m, "InventorySyncRun::query()", 1), [(0, 16, 0)]);
        assert_eq!(spans(&m, "«InventorySyncRun»", 1), [(2, 18, 0)]);
        assert!(spans(&m, "new InventorySyncRunner()", 1).is_empty());
        assert!(spans(&m, "$legacyInventorySyncRun = 1;", 1).is_empty());
        assert!(spans(&m, "_InventorySyncRun", 1).is_empty());
        assert!(spans(&m, "InventorySyncRun9", 1).is_empty());
    }

    #[test]
    fn token_at_the_very_start_and_end_of_the_haystack() {
        let m = words(&["Foo"]);
        assert_eq!(spans(&m, "Foo", 1), [(0, 3, 0)]);
        assert_eq!(spans(&m, "Foo x Foo", 1), [(0, 3, 0), (6, 9, 0)]);
        assert!(spans(&m, "Fo", 1).is_empty());
        assert!(spans(&m, "", 1).is_empty());
    }

    #[test]
    fn tokens_of_different_lengths_are_all_found() {
        let m = words(&["ab", "abcdef", "xyz"]);
        assert_eq!(
            spans(&m, "abcdef ab abc xyz abcdefg ab", 1),
            [(0, 6, 0), (7, 9, 0), (14, 17, 0), (26, 28, 0)]
        );
    }

    #[test]
    fn word_table_tokens_longer_than_a_block_match_only_runs_of_their_length() {
        // Enough tokens for the word table, all longer than the 64 bytes its run filter sees.
        let tokens: Vec<String> = (70..90).map(|n| "x".repeat(n)).collect();
        let specs = words(&tokens.iter().map(String::as_str).collect::<Vec<_>>());
        let matcher = Matcher::new(specs, Vec::new()).unwrap();
        assert!(matcher.words.is_some() && matcher.automatons.is_empty());
        let runs: Vec<String> = (60..100).map(|n| "x".repeat(n)).collect();
        let mut expected = Vec::new();
        let mut at = 0;
        for run in &runs {
            if (70..90).contains(&run.len()) {
                expected.push((at, at + run.len()));
            }
            at += run.len() + 1;
        }
        let mut hits = Vec::new();
        matcher.find(runs.join(" ").as_bytes(), &[true], &mut hits);
        let found: Vec<_> = hits.iter().map(|h| (h.start, h.end)).collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn longest_token_wins_and_falls_back_when_its_boundary_fails() {
        let m = words(&["Foo", "Foo::bar"]);
        assert_eq!(spans(&m, "Foo::bar()", 1), [(0, 8, 0)]);
        assert_eq!(spans(&m, "Foo::barX", 1), [(0, 3, 0)]);
    }

    #[test]
    fn scan_resumes_after_the_reported_token() {
        let mut specs = vec![token(0, 0, "a-b"), token(0, 1, "b-c")];
        specs.iter_mut().for_each(|s| s.bounds = Bounds::Anywhere);
        assert_eq!(spans(&specs, "a-b-c", 1), [(0, 3, 0)]);
    }

    #[test]
    fn substring_mode_ignores_neighbours() {
        let mut spec = token(0, 0, "SyncRun");
        spec.bounds = Bounds::Anywhere;
        assert_eq!(spans(&[spec], "InventorySyncRunner", 1), [(9, 16, 0)]);
    }

    /// Part-mode hits of `tokens` (one rule, case-sensitive) in `text`, as matched strings.
    fn parts<'t>(tokens: &[&str], text: &'t str) -> Vec<&'t str> {
        let specs: Vec<TokenSpec> = tokens
            .iter()
            .enumerate()
            .map(|(needle, t)| TokenSpec {
                bounds: Bounds::Part,
                ..token(0, needle, t)
            })
            .collect();
        spans(&specs, text, 1)
            .into_iter()
            .map(|(start, end, _)| &text[start..end])
            .collect()
    }

    #[test]
    fn part_mode_matches_identifier_parts() {
        let run = ["InventorySyncRun", "InventorySyncRuns"];
        for text in [
            "InventorySyncRunResource",
            "ListInventorySyncRuns",
            "$legacyInventorySyncRun",
            "createInventorySyncRun()",
            "XInventorySyncRun",
            "v2InventorySyncRun",
        ] {
            assert_eq!(parts(&run, text).len(), 1, "{text}");
        }
        for text in [
            "InventorySyncRunner",
            "inventorySyncRun",
            "InventorySyncRuns2",
        ] {
            assert_eq!(parts(&run, text), Vec::<&str>::new(), "{text}");
        }
        assert_eq!(
            parts(
                &["inventory_sync_run"],
                "inventory_sync_run_id inventory_sync_running"
            ),
            ["inventory_sync_run"]
        );
        assert_eq!(parts(&["piggy-bank"], "fa-piggy-bank"), ["piggy-bank"]);
        assert_eq!(parts(&["Run"], "Reruns"), Vec::<&str>::new());
        assert_eq!(parts(&["Client", "HTTP"], "HTTPClient"), ["HTTP", "Client"]);
        assert_eq!(parts(&["TTP"], "HTTPClient"), Vec::<&str>::new());
    }

    #[test]
    fn part_tokens_of_one_to_four_bytes_pass_the_start_filters() {
        assert_eq!(
            parts(&["id", "Run", "x"], "user_id idRun xid x_y RUN"),
            ["id", "id", "Run", "x"]
        );
        assert_eq!(
            parts(
                &["id", "Run", "Runs", "user"],
                "user_id idRun Runs RUN useR ids"
            ),
            ["user", "id", "id", "Run", "Runs"]
        );
        assert_eq!(parts(&["id"], "i"), Vec::<&str>::new());
        assert_eq!(parts(&["Run"], "Ru"), Vec::<&str>::new());
    }

    #[test]
    fn part_tokens_sharing_their_first_bytes_are_found_at_each_of_their_lengths() {
        // `_` after `_` is a part boundary: every prefix of `Legacy___...` ends on one, so
        // each token below (one per rule) is found at the start of the long run, whose
        // lengths sit on both sides of the last length with a bit of its own in `Spans`.
        let lengths = [6, 7, 9, 61, 62, 63, 64, 65, 100, 127];
        let specs: Vec<TokenSpec> = lengths
            .iter()
            .enumerate()
            .map(|(rule, &len)| TokenSpec {
                bounds: Bounds::Part,
                ..token(rule, rule, &format!("Legacy{}", "_".repeat(len - 6)))
            })
            .collect();
        for offset in [0, 1, 30, 63, 64, 65, 100, 127, 128] {
            let text = format!("{}Legacy{}", " ".repeat(offset), "_".repeat(140));
            let expected: Vec<(usize, usize, usize)> = lengths
                .iter()
                .enumerate()
                .map(|(rule, &len)| (offset, offset + len, rule))
                .collect();
            assert_eq!(spans(&specs, &text, lengths.len()), expected, "at {offset}");
        }
        // A run of 62 bytes holds no token longer than 62 bytes.
        let text = format!("Legacy{} Legacy_", "_".repeat(56));
        assert_eq!(
            spans(&specs, &text, lengths.len()),
            [
                (0, 6, 0),
                (0, 7, 1),
                (0, 9, 2),
                (0, 61, 3),
                (0, 62, 4),
                (63, 69, 0),
                (63, 70, 1)
            ]
        );
    }

    #[test]
    fn part_tokens_start_at_boundaries_before_any_class_of_byte() {
        let spec = |needle: usize, text: &str, case_sensitive: bool| TokenSpec {
            bounds: Bounds::Part,
            case_sensitive,
            ..token(0, needle, text)
        };
        let specs = [
            spec(0, "-webkit", true),
            spec(1, "_id", true),
            spec(2, "2fa", true),
            spec(3, "lower", false),
            spec(4, "upper", true),
        ];
        let text = "x-webkit-box user_id x 2fa myLower myUpper upper";
        let found: Vec<&str> = spans(&specs, text, 1)
            .into_iter()
            .map(|(start, end, _)| &text[start..end])
            .collect();
        assert_eq!(found, ["-webkit", "_id", "2fa", "Lower", "upper"]);
        // Only lower-case openers besides: the case-insensitive token opens upper case too.
        let fillers =
            (0..=SPLIT_MAX_PATTERNS).map(|i| spec(1000 + i, &format!("zq{i}filler"), true));
        let table = Matcher::new(specs.into_iter().chain(fillers).collect(), Vec::new()).unwrap();
        assert!(table.parts.is_some());
        let mut hits = Vec::new();
        table.find(text.as_bytes(), &[true], &mut hits);
        let found: Vec<&str> = hits.iter().map(|h| &text[h.start..h.end]).collect();
        assert_eq!(found, ["-webkit", "_id", "2fa", "Lower", "upper"]);
    }

    #[test]
    fn part_tokens_leave_the_automaton_only_past_its_packed_limit() {
        let specs = |n: usize, bounds: Bounds| -> Vec<TokenSpec> {
            (0..n)
                .map(|i| TokenSpec {
                    bounds,
                    ..token(0, i, &format!("{bounds:?}{i}Name"))
                })
                .collect()
        };
        let parts = |specs: Vec<TokenSpec>| Matcher::new(specs, Vec::new()).unwrap().parts;
        assert!(parts(specs(SPLIT_MAX_PATTERNS, Bounds::Part)).is_none());
        assert!(parts(specs(SPLIT_MAX_PATTERNS + 1, Bounds::Part)).is_some());
        let mut mixed = specs(WORD_TABLE_MIN_TOKENS, Bounds::Part);
        mixed.extend(specs(SPLIT_MAX_PATTERNS, Bounds::Word));
        assert!(
            parts(mixed.clone()).is_none(),
            "word tokens go to their table"
        );
        mixed.extend(specs(SPLIT_MAX_PATTERNS + 1, Bounds::Anywhere));
        assert!(
            parts(mixed).is_some(),
            "substring tokens stay in the automaton"
        );
    }

    #[test]
    fn automaton_tokens_split_in_two_between_the_packed_and_split_limits() {
        let sizes = |n: usize| -> Vec<usize> {
            let specs = (0..n).map(|i| token(0, i, &format!("T{i}"))).collect();
            split_for_packed(specs).iter().map(Vec::len).collect()
        };
        assert_eq!(sizes(PACKED_MAX_PATTERNS), [PACKED_MAX_PATTERNS]);
        assert_eq!(sizes(PACKED_MAX_PATTERNS + 1), [33, 32]);
        let half = SPLIT_MAX_PATTERNS / 2;
        assert_eq!(sizes(SPLIT_MAX_PATTERNS), [half, half]);
        assert_eq!(sizes(SPLIT_MAX_PATTERNS + 1), [SPLIT_MAX_PATTERNS + 1]);
        // 35 pairs of case variants: 70 distinct tokens, each pair in one set.
        let mut specs = Vec::new();
        for i in 0..35 {
            let spec = |rule: usize, token: String, case_sensitive: bool| TokenSpec {
                rule,
                needle: 2 * i + rule,
                token,
                bounds: Bounds::Anywhere,
                case_sensitive,
            };
            specs.push(spec(0, format!("Legacy{i}"), true));
            specs.push(spec(1, format!("legacy{i}"), false));
        }
        let sets = split_for_packed(specs.clone());
        assert_eq!(sets.iter().map(Vec::len).collect::<Vec<_>>(), [34, 36]);
        for spec in &sets[1] {
            let key = spec.token.to_ascii_lowercase();
            assert!(!sets[0].iter().any(|s| s.token.to_ascii_lowercase() == key));
        }
        let matcher = Matcher::new(specs, Vec::new()).unwrap();
        assert_eq!(matcher.automatons.len(), 2);
        let text = "LEGACY30 legacy30 Legacy30 Legacy3";
        let mut hits = Vec::new();
        matcher.find(text.as_bytes(), &[true, true], &mut hits);
        let found: Vec<(usize, usize, usize)> =
            hits.iter().map(|h| (h.start, h.rule, h.needle)).collect();
        assert_eq!(
            found,
            [
                (0, 1, 61),
                (9, 1, 61),
                (18, 0, 60),
                (18, 1, 61),
                (27, 0, 6),
                (27, 1, 7)
            ]
        );
    }

    #[test]
    fn part_boundaries_follow_the_case_of_the_text() {
        let cases = [
            ("fooBar", vec![0, 3, 6]),
            ("HTTPClient", vec![0, 4, 10]),
            ("v2Run", vec![0, 2, 5]),
            ("Run2", vec![0, 4]),
            ("snake_case-kebab", vec![0, 5, 6, 10, 11, 16]),
            ("ABC", vec![0, 3]),
            ("é", vec![0, 1, 2]),
        ];
        for (text, expected) in cases {
            let found: Vec<usize> = (0..=text.len())
                .filter(|&at| is_part_boundary(text.as_bytes(), at))
                .collect();
            assert_eq!(found, expected, "{text}");
        }
    }

    #[test]
    fn part_masks_agree_with_is_part_boundary_and_the_compound_bytes() {
        let alphabet = b"aZ9_-B q";
        let mut texts: Vec<Vec<u8>> = (0..alphabet.len().pow(5))
            .map(|n| {
                (0..5)
                    .map(|k| alphabet[n / alphabet.len().pow(k) % alphabet.len()])
                    .collect()
            })
            .collect();
        for len in [63, 64, 65, 127, 128, 130] {
            let long = b"getHTTPClient_v2Run-ABCdef9Xy ".iter().cycle().take(len);
            texts.push(long.copied().collect());
        }
        for text in texts {
            let mut masks = PartMasks::default();
            masks.classify(&text, 0);
            let PartMasks {
                bounds, compound, ..
            } = masks;
            for at in 0..=text.len() {
                let bit = bounds[at / 64] >> (at % 64) & 1 == 1;
                assert_eq!(bit, is_part_boundary(&text, at), "{text:?} at {at}");
            }
            for (at, &b) in text.iter().enumerate() {
                let bit = compound[at / 64] >> (at % 64) & 1 == 1;
                assert_eq!(bit, is_compound_byte(b), "{text:?} at {at}");
            }
        }
    }

    #[test]
    fn case_folding_is_per_rule() {
        let mut folded = token(1, 0, "legacy_runs");
        folded.case_sensitive = false;
        assert_eq!(
            spans(
                &[token(0, 0, "legacy_runs"), folded],
                "LEGACY_RUNS legacy_runs Legacy_Runs",
                2
            ),
            [(0, 11, 1), (12, 23, 0), (12, 23, 1), (24, 35, 1)]
        );
    }

    #[test]
    fn two_rules_on_the_same_text_give_two_hits() {
        let specs = [token(0, 0, "Foo"), token(1, 0, "Foo")];
        assert_eq!(spans(&specs, "Foo", 2), [(0, 3, 0), (0, 3, 1)]);
    }

    #[test]
    fn inactive_rules_report_nothing() {
        let specs = [token(0, 0, "Foo"), token(1, 0, "Foo")];
        assert_eq!(
            hits_with(&specs, &[], "Foo", &[false, true]),
            [(0, 3, 1, 0)]
        );
    }

    #[test]
    fn a_token_and_a_pattern_on_the_same_span_give_one_hit() {
        let hits = hits_with(
            &[token(0, 0, "Foo")],
            &[regex(0, 1, r"\bFoo\b")],
            "Foo Foo",
            &[true],
        );
        assert_eq!(hits, [(0, 3, 0, 0), (4, 7, 0, 0)]);
    }

    #[test]
    fn empty_regex_matches_are_dropped() {
        let hits = hits_with(&[], &[regex(0, 0, "x*")], "a xx b", &[true]);
        assert_eq!(hits, [(2, 4, 0, 0)]);
    }

    #[test]
    fn crlf_and_multibyte_text_match_on_bytes() {
        let m = words(&["Run"]);
        assert_eq!(spans(&m, "ä Run\r\nRun", 1), [(3, 6, 0), (8, 11, 0)]);
    }

    #[test]
    fn tokens_are_found_at_every_offset_across_block_boundaries() {
        let m = words(&["Foo", "LegacyRun"]);
        for offset in 0..200 {
            for (tok, len) in [("Foo", 3), ("LegacyRun", 9)] {
                let text = format!("{}{tok}", " ".repeat(offset));
                assert_eq!(
                    spans(&m, &text, 1),
                    [(offset, offset + len, 0)],
                    "at {offset}"
                );
                let glued = format!("{}{tok}x", "y".repeat(offset));
                assert!(spans(&m, &glued, 1).is_empty(), "glued at {offset}");
            }
        }
    }

    #[test]
    fn identifier_runs_longer_than_two_blocks_are_read_to_their_end() {
        let m = words(&["Foo", "LegacyRun"]);
        for len in [63, 64, 65, 127, 128, 129, 300] {
            let text = format!("{} Foo", "a".repeat(len));
            assert_eq!(
                spans(&m, &text, 1),
                [(len + 1, len + 4, 0)],
                "after a {len}-byte run"
            );
            let text = format!("{}Foo Foo", "a".repeat(len));
            assert_eq!(
                spans(&m, &text, 1),
                [(len + 4, len + 7, 0)],
                "glued to a {len}-byte run"
            );
        }
    }

    #[test]
    fn word_mask_flags_exactly_the_word_bytes_and_with_dash_the_compound_bytes() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        for chunk in bytes.chunks(64) {
            let chunk: &[u8; 64] = chunk.try_into().unwrap();
            let (words, compounds) = (word_mask::<false>(chunk), word_mask::<true>(chunk));
            for (i, &b) in chunk.iter().enumerate() {
                let expected = b.is_ascii_alphanumeric() || b == b'_';
                assert_eq!(words >> i & 1 == 1, expected, "byte {b:#04x}");
                assert_eq!(
                    compounds >> i & 1 == 1,
                    expected || b == b'-',
                    "byte {b:#04x}"
                );
            }
        }
    }

    #[test]
    fn short_word_is_the_zero_padded_run() {
        let bytes = b"abcdefgh";
        for len in 0..8 {
            let mut padded = [0u8; 8];
            padded[..len].copy_from_slice(&bytes[..len]);
            assert_eq!(
                short_word(&bytes[..len]),
                u64::from_le_bytes(padded),
                "{len}"
            );
        }
    }

    #[test]
    fn sketch_at_is_the_sketch_of_the_run_wherever_it_stands() {
        let text = b"getPiggyBank_x-1 HTTPClient\tz__9Qq-AbCdEfGhIjKlMnOp";
        for len in 0..=text.len() {
            let haystack = &text[..len];
            for start in 0..len {
                for end in start + 1..=len {
                    assert_eq!(
                        sketch_at(haystack, start, end),
                        sketch(&haystack[start..end]),
                        "{start}..{end} of {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn all_set_from_marks_starts_of_long_enough_runs() {
        let mask: u128 = 0b0111_1011_0000_1111_1111;
        for len in 1..=10 {
            let got = all_set_from(mask, len);
            for i in 0..128 {
                let expected = (i..i + len).all(|j| j < 128 && mask >> j & 1 == 1);
                assert_eq!(got >> i & 1 == 1, expected, "len {len}, bit {i}");
            }
        }
    }

    /// Runs of word bytes (or compound bytes, when `DASH`) at least `shortest` long, one byte at
    /// a time: what `for_each_run` must find.
    fn runs_by_bytes<const DASH: bool>(haystack: &[u8], shortest: usize) -> Vec<(usize, usize)> {
        let byte = if DASH { is_compound_byte } else { is_word_byte };
        let mut runs = Vec::new();
        let mut at = 0;
        while at < haystack.len() {
            let len = haystack[at..].iter().take_while(|&&b| byte(b)).count();
            if len >= shortest.max(1) {
                runs.push((at, at + len));
            }
            at += len.max(1);
        }
        runs
    }

    /// Bytes for the classification properties: mostly the bytes whose class edges matter
    /// (letters at both ends of each case, digits, `_`, `-`, their neighbours), some of any value.
    fn class_bytes() -> impl Strategy<Value = u8> {
        prop_oneof![
            3 => prop::sample::select(b"@AZ[`az{/09:_-^.Bq \x80\xff".to_vec()),
            1 => any::<u8>(),
        ]
    }

    proptest! {
        // A failure is reported with its minimal input; no regression file is written.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn masks_agree_with_the_byte_predicates_on_arbitrary_bytes(
            haystack in prop::collection::vec(
                prop_oneof![
                    6 => class_bytes().prop_map(|b| vec![b]),
                    1 => (60usize..200).prop_map(|n| vec![b'q'; n]),
                ],
                0..80,
            )
            .prop_map(|pieces| pieces.concat()),
            shortest in 1usize..=64,
            openers in 0u8..16,
        ) {
            let mut masks = PartMasks::default();
            masks.classify(&haystack, openers);
            let PartMasks { bounds, compound, starts } = masks;
            prop_assert_eq!(starts.len(), haystack.len() / 64 + 1);
            prop_assert_eq!(bounds.len(), starts.len() + 1);
            prop_assert_eq!(compound.len(), bounds.len());
            prop_assert_eq!((bounds[starts.len()], compound[starts.len()]), (0, 0));
            for at in 0..=haystack.len() {
                let bit = bounds[at / 64] >> (at % 64) & 1 == 1;
                prop_assert_eq!(bit, is_part_boundary(&haystack, at), "boundary at {}", at);
                let opens = haystack.get(at).is_some_and(|&b| {
                    is_compound_byte(b) && Openers::of(b, true) & openers != 0
                });
                let bit = starts[at / 64] >> (at % 64) & 1 == 1;
                prop_assert_eq!(bit, is_part_boundary(&haystack, at) && opens, "start at {}", at);
            }
            for at in 0..=haystack.len() {
                for i in 0..64 {
                    let bit = |masks: &[u64]| masks[(at + i) / 64] >> ((at + i) % 64) & 1;
                    prop_assert_eq!(window(&bounds, at) >> i & 1, bit(&bounds), "bounds window at {} + {}", at, i);
                    prop_assert_eq!(window(&compound, at) >> i & 1, bit(&compound), "compound window at {} + {}", at, i);
                }
            }
            for at in 0..compound.len() * 64 {
                let bit = compound[at / 64] >> (at % 64) & 1 == 1;
                let expected = haystack.get(at).is_some_and(|&b| is_compound_byte(b));
                prop_assert_eq!(bit, expected, "compound byte at {}", at);
            }
            for block in 0..=haystack.len().div_ceil(64) {
                let padded = padded_block(&haystack, block);
                let masks = [word_mask::<false>(&padded), word_mask::<true>(&padded)];
                for (dash, mask) in [(false, masks[0]), (true, masks[1])] {
                    for i in 0..64 {
                        let expected = haystack.get(block * 64 + i).is_some_and(|&b| {
                            is_word_byte(b) || (dash && b == b'-')
                        });
                        prop_assert_eq!(mask >> i & 1 == 1, expected, "block {} byte {}", block, i);
                    }
                }
            }
            // The eight bytes from `at` (which may be before the haystack), zero outside it.
            let word_at = |at: isize| {
                let byte = |i: isize| usize::try_from(at + i).ok().and_then(|at| haystack.get(at));
                (0..8).fold(0u64, |word, i| word | u64::from(*byte(i).unwrap_or(&0)) << (8 * i))
            };
            for dash in [false, true] {
                let mut found = Vec::new();
                let mut record = |start: usize, end: usize, head: u64, tail: u64| {
                    found.push((start, end, head, tail, sketch_around(head, tail, end - start)));
                };
                if dash {
                    for_each_run::<true>(&haystack, shortest, &mut record);
                } else {
                    for_each_run::<false>(&haystack, shortest, &mut record);
                }
                let runs = if dash {
                    runs_by_bytes::<true>(&haystack, shortest)
                } else {
                    runs_by_bytes::<false>(&haystack, shortest)
                };
                let expected: Vec<_> = runs
                    .into_iter()
                    .map(|(start, end)| {
                        let (head, tail) = (word_at(start as isize), word_at(end as isize - 8));
                        (start, end, head, tail, sketch(&haystack[start..end]))
                    })
                    .collect();
                prop_assert_eq!(found, expected, "dash {}", dash);
            }
        }

        #[test]
        fn portable_masks_equal_the_masks_in_use(
            bytes in prop::collection::vec(class_bytes(), 64),
        ) {
            let bytes: &[u8; 64] = bytes.as_slice().try_into().unwrap();
            prop_assert_eq!(word_mask::<false>(bytes), portable::word_mask::<false>(bytes));
            prop_assert_eq!(word_mask::<true>(bytes), portable::word_mask::<true>(bytes));
            prop_assert_eq!(class_masks(bytes), portable::class_masks(bytes));
        }
    }
}
