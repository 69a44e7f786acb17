//! Compiles the raw rule file into what the walker and the scanner need: the scan scope, one
//! matcher for all tokens and patterns, and each rule's path scope. All validation that needs more
//! than TOML types (unique ids, empty tokens, regex and glob syntax, roots) happens here, and every
//! mistake points at its span in the rule file.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use regex::bytes::RegexBuilder;
use toml::Spanned;

use crate::day::Day;
use crate::finding::Severity;
use crate::matcher::{Bounds, Hit, Matcher, RegexSpec, TokenSpec};
use crate::own::OwnFiles;
use crate::rulefile::{
    LineIndex, MatchMode, RawRule, RawRuleFile, RuleFile, RuleFileError, RuleFileErrors, TEXT_FILES,
};
use crate::variants::{self, Variant};

/// Everything a scan needs, compiled from one rule file.
#[derive(Debug)]
pub struct RuleSet {
    /// The rules of the rule file in file order, then vestige's built-in ones (one per
    /// [`BuiltIn`], in its order); `Finding::rule` indexes this.
    pub rules: Vec<Rule>,
    /// One engine for every token and pattern of every rule.
    pub matcher: Matcher,
    /// Which files are scanned.
    pub scope: Scope,
    /// The baseline file the rule file names, if any (absolute).
    pub baseline: Option<PathBuf>,
    /// How suppression markers are checked.
    pub suppressions: Suppressions,
    /// How many of `rules` come from the rule file.
    user: usize,
}

impl RuleSet {
    /// The rules of the rule file, without vestige's built-in ones.
    pub fn user_rules(&self) -> &[Rule] {
        &self.rules[..self.user]
    }

    /// vestige's built-in rules, one per [`BuiltIn`], in its order.
    pub fn builtin_rules(&self) -> &[Rule] {
        &self.rules[self.user..]
    }

    /// The index in `rules` of the built-in rule `builtin`.
    pub fn builtin(&self, builtin: BuiltIn) -> usize {
        self.user + builtin as usize
    }

    /// A hit of the built-in rule `builtin` on the bytes `span` of a file, at its marker needle.
    pub fn marker_hit(&self, builtin: BuiltIn, span: Range<usize>) -> Hit {
        Hit {
            start: span.start,
            end: span.end,
            rule: self.builtin(builtin),
            needle: BuiltIn::MARKER_NEEDLE,
        }
    }
}

/// The `[suppressions]` settings.
#[derive(Debug)]
pub struct Suppressions {
    /// Whether a marker needs a reason.
    pub require_reason: bool,
}

/// The text every suppression marker starts with: the needle of the built-in rules that report
/// markers.
pub const MARKER: &str = "vestige-ignore";

/// vestige's own rules, which report suppression markers and baseline entries rather than text
/// the rule file names. They follow the rule file's rules in `RuleSet::rules`, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltIn {
    /// `unused-suppression`: a marker that suppresses nothing, or names a rule id no rule has.
    UnusedSuppression,
    /// `suppression-without-reason`: a marker without a reason, under `require_reason`.
    SuppressionWithoutReason,
    /// `baseline-grew`: a baseline entry that grew since the merge base.
    BaselineGrew,
}

impl BuiltIn {
    /// Every built-in rule, in the order they follow the rule file's rules.
    pub const ALL: [Self; 3] = [
        Self::UnusedSuppression,
        Self::SuppressionWithoutReason,
        Self::BaselineGrew,
    ];

    /// The index, among a built-in rule's needles, of the marker it reports at.
    const MARKER_NEEDLE: usize = 0;

    /// The rule id findings of this rule carry.
    pub fn id(self) -> &'static str {
        match self {
            Self::UnusedSuppression => "unused-suppression",
            Self::SuppressionWithoutReason => "suppression-without-reason",
            Self::BaselineGrew => "baseline-grew",
        }
    }

    /// The compiled rule.
    fn rule(self) -> Rule {
        let (message, help, severity, needles) = match self {
            Self::UnusedSuppression => (
                "this vestige-ignore suppresses nothing",
                "remove it: the finding it named is gone, or the rule id is wrong, or the rule is \
                 not suppressible",
                Severity::Warning,
                vec![Needle::Marker],
            ),
            Self::SuppressionWithoutReason => (
                "this vestige-ignore gives no reason",
                "say why the reference stays: `vestige-ignore: RULE -- reason` ([suppressions] \
                 require_reason is on)",
                Severity::Error,
                vec![Needle::Marker],
            ),
            Self::BaselineGrew => (
                "the baseline tolerates more of this reference than it did at the merge base",
                "fix the new reference rather than baselining it: take the baseline back from the \
                 target branch; a baseline only shrinks (`vestige check --prune-baseline`)",
                Severity::Error,
                Vec::new(),
            ),
        };
        Rule {
            id: self.id().to_owned(),
            message: message.to_owned(),
            help: Some(help.to_owned()),
            severity,
            needles,
            builtin: Some(self),
            match_mode: MatchMode::Substring,
            case_sensitive: true,
            paths: PathScope {
                include: None,
                exclude: None,
                include_globs: Vec::new(),
                exclude_globs: Vec::new(),
            },
            suppressible: false,
            warn_until: None,
            forbid: Forbid {
                globs: None,
                written: Vec::new(),
            },
        }
    }
}

/// One thing a rule searches for. `Hit::needle` is the index of one in its rule's `needles`.
/// Its text is shared with every finding that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needle {
    /// A token as written in the rule file.
    Token(Arc<str>),
    /// A naming variant made from a written token.
    Variant {
        /// The variant's text.
        text: Arc<str>,
        /// The index, in the rule's `needles`, of the token it was made from.
        of: usize,
    },
    /// A regular expression as written in the rule file.
    Pattern(Arc<str>),
    /// The suppression marker, at which a built-in rule reports.
    Marker,
}

impl Needle {
    /// The text a finding names as its needle: the token, variant or pattern, or the marker.
    pub fn text(&self) -> &str {
        match self {
            Self::Token(text) | Self::Variant { text, .. } | Self::Pattern(text) => text,
            Self::Marker => MARKER,
        }
    }

    /// `text`, shared rather than copied (the marker's is made anew: its findings are few).
    pub fn shared(&self) -> Arc<str> {
        match self {
            Self::Token(text) | Self::Variant { text, .. } | Self::Pattern(text) => text.clone(),
            Self::Marker => MARKER.into(),
        }
    }

    /// Whether this is a token, as written or a variant, matched literally.
    pub fn is_token(&self) -> bool {
        matches!(self, Self::Token(_) | Self::Variant { .. })
    }
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Unique identifier.
    pub id: String,
    /// What is wrong.
    pub message: String,
    /// What to do instead.
    pub help: Option<String>,
    /// How serious a finding is.
    pub severity: Severity,
    /// What the rule searches for: its tokens as written, their naming variants, then its
    /// patterns.
    pub needles: Vec<Needle>,
    /// Which built-in rule this is, for vestige's own rules.
    pub builtin: Option<BuiltIn>,
    /// How tokens must be delimited.
    pub match_mode: MatchMode,
    /// Whether matching is case-sensitive.
    pub case_sensitive: bool,
    /// Which paths the rule applies to.
    pub paths: PathScope,
    /// Whether `vestige-ignore` markers may suppress its findings.
    pub suppressible: bool,
    /// The day from which the rule reports with its own severity rather than as a warning.
    pub warn_until: Option<Day>,
    /// Paths that must not exist.
    pub forbid: Forbid,
}

/// A rule's `forbid_paths`.
#[derive(Debug)]
pub struct Forbid {
    globs: Option<Gitignore>,
    /// The patterns as written.
    pub written: Vec<String>,
}

impl Rule {
    /// The text of the token that the needle at `needle` is a naming variant of, if it is one.
    pub fn variant_of(&self, needle: usize) -> Option<&str> {
        self.token_of(needle).map(Needle::text)
    }

    /// The token that the needle at `needle` is a naming variant of, if it is one.
    pub fn token_of(&self, needle: usize) -> Option<&Needle> {
        match self.needles.get(needle)? {
            Needle::Variant { of, .. } => Some(&self.needles[*of]),
            _ => None,
        }
    }

    /// The tokens as written in the rule file, each with its index in `needles`.
    pub fn written_tokens(&self) -> impl Iterator<Item = (usize, &str)> {
        self.needles
            .iter()
            .enumerate()
            .filter_map(|(i, needle)| match needle {
                Needle::Token(text) => Some((i, &**text)),
                _ => None,
            })
    }

    /// The naming variants made from the token at index `token` of `needles`.
    pub fn variants_of(&self, token: usize) -> impl Iterator<Item = &str> {
        self.needles.iter().filter_map(move |needle| match needle {
            Needle::Variant { text, of } if *of == token => Some(&**text),
            _ => None,
        })
    }

    /// The patterns as written in the rule file.
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.needles.iter().filter_map(|needle| match needle {
            Needle::Pattern(text) => Some(&**text),
            _ => None,
        })
    }

    /// Whether the rule has tokens (as written or variants).
    pub fn has_tokens(&self) -> bool {
        self.needles.iter().any(Needle::is_token)
    }
    /// The `forbid_paths` pattern that `rel` (relative to the project root) matches, if any.
    pub fn forbids(&self, rel: &Path) -> Option<&str> {
        match self
            .forbid
            .globs
            .as_ref()?
            .matched_path_or_any_parents(rel, false)
        {
            ignore::Match::Ignore(glob) => Some(glob.original()),
            _ => None,
        }
    }
}

/// A rule's `paths` and `exclude` globs.
#[derive(Debug)]
pub struct PathScope {
    include: Option<Gitignore>,
    exclude: Option<Gitignore>,
    /// The `paths` patterns as written.
    pub include_globs: Vec<String>,
    /// The `exclude` patterns as written.
    pub exclude_globs: Vec<String>,
}

impl PathScope {
    /// Whether a file at `rel` (relative to the project root) is in scope.
    pub fn applies(&self, rel: &Path) -> bool {
        let hit = |g: &Gitignore| g.matched_path_or_any_parents(rel, false).is_ignore();
        self.include.as_ref().is_none_or(hit) && !self.exclude.as_ref().is_some_and(hit)
    }

    /// Whether the rule applies everywhere.
    pub fn is_everywhere(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
    }
}

/// The `[scan]` settings, resolved against the project root.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The project root, absolute.
    pub root: PathBuf,
    /// Absolute directories to walk, none inside another.
    pub roots: Vec<PathBuf>,
    /// Paths never scanned.
    pub exclude: Gitignore,
    /// vestige's own files, never scanned: the rule file (it names every forbidden token) and
    /// the baselines.
    pub own_files: OwnFiles,
    /// Whether ignore files are honoured.
    pub gitignore: bool,
    /// Whether dot-files are scanned.
    pub hidden: bool,
    /// Whether symbolic links are followed.
    pub follow_symlinks: bool,
    /// Files larger than this many bytes are skipped.
    pub max_filesize: u64,
    /// Files scanned as text even when they hold NUL bytes.
    pub text_files: TextFiles,
    /// The scan roots that are not directories: an error for the commands that scan, not for
    /// those that only list or explain the rules.
    missing_roots: Vec<RuleFileError>,
    /// Directories under the roots that are not walked: the scan roots, when the rest of the
    /// project is walked for `forbid_paths`.
    pub skip: Vec<PathBuf>,
}

impl Scope {
    /// Fails, pointing into `file`, if a scan root is missing.
    pub fn ensure_roots(&self, file: &RuleFile) -> miette::Result<()> {
        if self.missing_roots.is_empty() {
            return Ok(());
        }
        Err(RuleFileErrors::report(file, self.missing_roots.clone()))
    }

    /// The scope of the rest of the project outside the scan roots, with the same excludes,
    /// ignore files and hidden-file rule, where only `forbid_paths` are checked (a file that
    /// must stay deleted is forbidden wherever it is); `None` when a root is the project root.
    pub fn rest_of_project(&self) -> Option<Self> {
        if self.roots.contains(&self.root) {
            return None;
        }
        Some(Self {
            roots: vec![self.root.clone()],
            skip: self.roots.clone(),
            ..self.clone()
        })
    }
}

/// `scan.text_files`: the files scanned as text even when they hold NUL bytes.
#[derive(Debug, Clone)]
pub struct TextFiles {
    names: GlobSet,
    paths: GlobSet,
}

impl TextFiles {
    /// Whether the file at `rel` (relative to the project root, `/`-separated) is always text.
    pub fn contains(&self, rel: &str) -> bool {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        self.names.is_match(name) || self.paths.is_match(rel)
    }
}

/// Compiles the built-in text files and `scan.text_files`: globs without `/` match the file
/// name, others the relative path.
fn text_files(
    file: &RuleFile,
    patterns: &[Spanned<String>],
    errors: &mut Vec<RuleFileError>,
) -> TextFiles {
    let (mut names, mut paths) = (GlobSetBuilder::new(), GlobSetBuilder::new());
    let built_in = TEXT_FILES
        .iter()
        .map(|glob| Spanned::new(0..0, (*glob).to_owned()));
    for pattern in built_in.chain(patterns.iter().cloned()) {
        let text = pattern.get_ref();
        let glob = GlobBuilder::new(text)
            .literal_separator(true)
            .backslash_escape(true)
            .build();
        match glob {
            Ok(glob) if text.contains('/') => {
                paths.add(glob);
            }
            Ok(glob) => {
                names.add(glob);
            }
            Err(err) => errors.push(file.error(
                pattern.span(),
                "invalid file glob",
                "this glob",
                Some(err.kind().to_string()),
            )),
        }
    }
    TextFiles {
        names: names.build().unwrap_or_else(|_| GlobSet::empty()),
        paths: paths.build().unwrap_or_else(|_| GlobSet::empty()),
    }
}

/// Compiles `raw`, read from `file`, for a project rooted at the absolute path `root`; `today`
/// decides which `warn_until` rules still report warnings.
pub fn compile(
    file: &RuleFile,
    raw: RawRuleFile,
    root: &Path,
    today: Day,
) -> miette::Result<RuleSet> {
    compile_with_own_files(file, raw, root, today, &[])
}

/// `compile`, with `own_files` (absolute: the baselines a command names) never scanned, besides
/// the rule file and the baseline it names.
pub fn compile_with_own_files(
    file: &RuleFile,
    mut raw: RawRuleFile,
    root: &Path,
    today: Day,
    own_files: &[PathBuf],
) -> miette::Result<RuleSet> {
    let mut errors = std::mem::take(&mut raw.errors);
    let baseline = raw.baseline.file.as_ref().map(|path| root.join(path));
    let own_files: Vec<&PathBuf> = own_files.iter().chain(&baseline).collect();
    let scope = compile_scope(file, &raw, root, &own_files, &mut errors);
    let mut rules: Vec<Rule> = Vec::new();
    let mut specs = Specs::default();
    let mut ids = RuleIds::default();
    for raw_rule in raw.rule {
        let span = raw_rule.span();
        let raw_rule = raw_rule.into_inner();
        check_rule(file, &raw_rule, span, &mut ids, &mut errors);
        let rule = compile_rule(file, raw_rule, root, today, &mut specs, &mut errors);
        specs.rule += 1;
        rules.push(rule);
    }
    let user = rules.len();
    rules.extend(BuiltIn::ALL.map(BuiltIn::rule));
    let matcher = Matcher::new(specs.tokens, specs.regexes);
    match (scope, matcher) {
        (Some(scope), Ok(matcher)) if errors.is_empty() => Ok(RuleSet {
            rules,
            matcher,
            scope,
            baseline,
            suppressions: Suppressions {
                require_reason: raw.suppressions.require_reason,
            },
            user,
        }),
        (_, Err(err)) if errors.is_empty() => Err(miette::miette!(
            "cannot build the token automaton for {}: {err}",
            file.name
        )),
        (scope, _) => {
            errors.extend(scope.into_iter().flat_map(|scope| scope.missing_roots));
            Err(RuleFileErrors::report(file, errors))
        }
    }
}

/// What the matcher is built from, gathered rule by rule.
#[derive(Default)]
struct Specs {
    /// The index of the rule being compiled.
    rule: usize,
    tokens: Vec<TokenSpec>,
    regexes: Vec<RegexSpec>,
}

/// The rule ids seen so far, each with the byte offset of its first use in the rule file.
#[derive(Default)]
struct RuleIds {
    first: HashMap<String, usize>,
    lines: Option<LineIndex>,
}

/// Reports what is wrong with `raw`'s id (taken, reserved, empty, with a control character)
/// and a rule without tokens, patterns or `forbid_paths`; `span` is the whole rule's.
fn check_rule(
    file: &RuleFile,
    raw: &RawRule,
    span: Range<usize>,
    ids: &mut RuleIds,
    errors: &mut Vec<RuleFileError>,
) {
    let id = raw.id.get_ref();
    if let Some(&first) = ids.first.get(id) {
        let lines = ids
            .lines
            .get_or_insert_with(|| LineIndex::new(&file.source));
        errors.push(file.error(
            raw.id.span(),
            format!("duplicate rule id `{id}`"),
            "defined again here",
            Some(format!(
                "every rule needs its own id; this one is first used on line {}",
                lines.line_of(first)
            )),
        ));
    }
    if BuiltIn::ALL.iter().any(|builtin| builtin.id() == id) {
        errors.push(file.error(
            raw.id.span(),
            format!("rule id `{id}` is reserved"),
            "vestige's own rule",
            Some("vestige reports its own findings under this id; choose another".to_owned()),
        ));
    }
    ids.first.entry(id.clone()).or_insert(raw.id.span().start);
    if id.is_empty() {
        errors.push(file.error(raw.id.span(), "empty rule id", "here", None));
    }
    if id.chars().any(char::is_control) {
        errors.push(
            file.error(
                raw.id.span(),
                "rule id holds a control character",
                "here",
                Some(
                    "the id is printed in every report, where a control character could drive \
                 the terminal or start a line of its own; use letters, digits, `-` and `_`"
                        .to_owned(),
                ),
            ),
        );
    }
    if raw.tokens.is_empty() && raw.patterns.is_empty() && raw.forbid_paths.is_empty() {
        errors.push(file.error(
            span,
            format!("rule `{id}` has no tokens, patterns or forbid_paths"),
            "this rule can never match",
            Some("add `tokens = [...]`, `patterns = [...]` or `forbid_paths = [...]`".to_owned()),
        ));
    }
}

/// Compiles one rule of the rule file, adding its tokens and patterns to `specs`; `today`
/// decides whether a `warn_until` rule still reports warnings.
fn compile_rule(
    file: &RuleFile,
    raw: RawRule,
    root: &Path,
    today: Day,
    specs: &mut Specs,
    errors: &mut Vec<RuleFileError>,
) -> Rule {
    let warn_until = warn_until(file, &raw, errors);
    let needles = needles(file, &raw, specs, errors);
    let written = |patterns: &[Spanned<String>]| -> Vec<String> {
        patterns.iter().map(|p| p.get_ref().clone()).collect()
    };
    let paths = PathScope {
        include: globs(file, root, &raw.paths, errors),
        exclude: globs(file, root, &raw.exclude, errors),
        include_globs: written(&raw.paths),
        exclude_globs: written(&raw.exclude),
    };
    let forbid = Forbid {
        globs: globs(file, root, &raw.forbid_paths, errors),
        written: written(&raw.forbid_paths),
    };
    let mut rule = Rule {
        id: raw.id.into_inner(),
        message: raw.message,
        help: raw.help,
        severity: raw.severity,
        needles,
        builtin: None,
        match_mode: raw.match_mode,
        case_sensitive: raw.case_sensitive,
        paths,
        suppressible: raw.suppressible,
        warn_until,
        forbid,
    };
    if let Some(day) = warn_until.filter(|&day| today < day) {
        rule.severity = rule.severity.max(Severity::Warning);
        rule.message = format!("{} (a warning until {day}, then an error)", rule.message);
    }
    rule
}

/// The day of `raw`'s `warn_until`, if it has one and it is a plain date.
fn warn_until(file: &RuleFile, raw: &RawRule, errors: &mut Vec<RuleFileError>) -> Option<Day> {
    let when = raw.warn_until.as_ref()?;
    let day = match (when.get_ref().date, when.get_ref().time) {
        (Some(date), None) => Day::new(i32::from(date.year), date.month, date.day),
        _ => None,
    };
    if day.is_none() {
        errors.push(file.error(
            when.span(),
            "warn_until must be a date",
            "not a plain date",
            Some("write a TOML date without quotes or time: warn_until = 2026-03-01".to_owned()),
        ));
    }
    day
}

/// `raw`'s needles: its tokens as written, the naming variants they expand to, then its
/// patterns. Each token and pattern that compiles goes to `specs`, numbered by its index here.
fn needles(
    file: &RuleFile,
    raw: &RawRule,
    specs: &mut Specs,
    errors: &mut Vec<RuleFileError>,
) -> Vec<Needle> {
    let mut needles: Vec<Needle> = raw
        .tokens
        .iter()
        .map(|token| Needle::Token(token.get_ref().as_str().into()))
        .collect();
    let kinds = variant_kinds(file, raw.variants.as_ref(), errors);
    if !kinds.is_empty() {
        let mut known: HashSet<String> = raw.tokens.iter().map(|t| t.get_ref().clone()).collect();
        for (of, token) in raw.tokens.iter().enumerate() {
            for text in variants::expand(token.get_ref(), &kinds) {
                if known.insert(text.clone()) {
                    needles.push(Needle::Variant {
                        text: text.into(),
                        of,
                    });
                }
            }
        }
    }
    let bounds = match raw.match_mode {
        MatchMode::Word => Bounds::Word,
        MatchMode::Part => Bounds::Part,
        MatchMode::Substring => Bounds::Anywhere,
    };
    for (needle, token) in needles.iter().enumerate() {
        if token.text().is_empty() {
            let span = raw.tokens[needle].span();
            errors.push(file.error(span, "empty token", "matches nothing", None));
            continue;
        }
        specs.tokens.push(TokenSpec {
            rule: specs.rule,
            needle,
            token: token.text().to_owned(),
            bounds,
            case_sensitive: raw.case_sensitive,
        });
    }
    for pattern in &raw.patterns {
        let built = RegexBuilder::new(pattern.get_ref())
            .multi_line(true)
            .crlf(true)
            .case_insensitive(!raw.case_sensitive)
            .build();
        match built {
            Ok(regex) => specs.regexes.push(RegexSpec {
                rule: specs.rule,
                needle: needles.len(),
                regex,
            }),
            Err(err) => errors.push(file.error(
                pattern.span(),
                "invalid regular expression",
                "this pattern",
                Some(err.to_string()),
            )),
        }
        needles.push(Needle::Pattern(pattern.get_ref().as_str().into()));
    }
    needles
}
/// The variant kinds a rule's `variants` asks for: `true` for all, `false` for none, or a list
/// of names.
fn variant_kinds(
    file: &RuleFile,
    raw: Option<&Spanned<toml::Value>>,
    errors: &mut Vec<RuleFileError>,
) -> Vec<Variant> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    let names = || {
        Variant::ALL
            .iter()
            .map(|v| v.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match raw.get_ref() {
        toml::Value::Boolean(true) => Variant::ALL.to_vec(),
        toml::Value::Boolean(false) => Vec::new(),
        toml::Value::Array(items) => {
            let kinds: Option<Vec<Variant>> = items
                .iter()
                .map(|item| item.as_str().and_then(Variant::from_name))
                .collect();
            kinds.unwrap_or_else(|| {
                errors.push(file.error(
                    raw.span(),
                    "unknown naming variant",
                    "in this list",
                    Some(format!("the variants are: {}", names())),
                ));
                Vec::new()
            })
        }
        _ => {
            errors.push(file.error(
                raw.span(),
                "variants must be true, false or a list of variant names",
                "here",
                Some(format!("e.g. variants = true, or variants = [\"snake\", \"plural\"]; the variants are: {}", names())),
            ));
            Vec::new()
        }
    }
}

fn compile_scope(
    file: &RuleFile,
    raw: &RawRuleFile,
    root: &Path,
    own_files: &[&PathBuf],
    errors: &mut Vec<RuleFileError>,
) -> Option<Scope> {
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut missing_roots = Vec::new();
    for dir in &raw.scan.roots {
        let Some(relative) = inside_root(dir.get_ref()) else {
            errors.push(file.error(
                dir.span(),
                format!("scan root `{}` is not a plain relative path", dir.get_ref()),
                "absolute or uses `..`",
                Some("roots are relative to the project root, without `..`".to_owned()),
            ));
            continue;
        };
        let absolute: PathBuf = root.join(relative).components().collect();
        if !absolute.is_dir() {
            missing_roots.push(file.error(
                dir.span(),
                format!("scan root `{}` is not a directory", dir.get_ref()),
                "no such directory",
                Some(format!(
                    "roots are relative to the project root {}",
                    root.display()
                )),
            ));
            continue;
        }
        roots.push(absolute);
    }
    roots.sort();
    roots.dedup_by(|inner, outer| inner.starts_with(outer));
    let exclude = globs(file, root, &raw.scan.exclude, errors).unwrap_or_else(Gitignore::empty);
    Some(Scope {
        root: root.to_owned(),
        roots,
        exclude,
        own_files: OwnFiles::of(&file.path, own_files),
        gitignore: raw.scan.gitignore,
        hidden: raw.scan.hidden,
        follow_symlinks: raw.scan.follow_symlinks,
        max_filesize: raw.scan.max_filesize,
        text_files: text_files(file, &raw.scan.text_files, errors),
        missing_roots,
        skip: Vec::new(),
    })
}

/// `dir` as a relative path without `..`, if it stays inside the root.
fn inside_root(dir: &str) -> Option<PathBuf> {
    let path = Path::new(dir);
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then(|| path.to_owned())
}

/// Compiles gitignore-style `patterns` relative to `root`; `None` when there are none.
fn globs(
    file: &RuleFile,
    root: &Path,
    patterns: &[Spanned<String>],
    errors: &mut Vec<RuleFileError>,
) -> Option<Gitignore> {
    if patterns.is_empty() {
        return None;
    }
    let mut builder = GitignoreBuilder::new(root);
    builder.allow_unclosed_class(false);
    for pattern in patterns {
        if let Some((label, help)) = never_matches(pattern.get_ref(), root) {
            errors.push(file.error(
                pattern.span(),
                format!("path pattern `{}` can never match", pattern.get_ref()),
                label,
                Some(help),
            ));
            continue;
        }
        if let Err(err) = builder.add_line(None, pattern.get_ref()) {
            errors.push(glob_error(file, pattern.span(), &err));
        }
    }
    match builder.build() {
        Ok(gitignore) => Some(gitignore),
        Err(err) => {
            errors.push(glob_error(file, patterns[0].span(), &err));
            None
        }
    }
}

/// Why the gitignore-style `pattern` can match no path under `root`, with the spelling that
/// would (a label and a help text), or `None` for a pattern that can match.
fn never_matches(pattern: &str, root: &Path) -> Option<(&'static str, String)> {
    const RELATIVE: &str = "patterns are relative to the project root";
    let trimmed = pattern.trim();
    if trimmed.is_empty() {
        return Some(("empty", "remove the empty pattern".to_owned()));
    }
    if pattern.starts_with('#') {
        return Some((
            "a comment in gitignore syntax",
            format!("escape the `#` to match a name that starts with it: `\\{pattern}`"),
        ));
    }
    let (negation, body) = match pattern.strip_prefix('!') {
        Some(body) => ("!", body),
        None => ("", pattern),
    };
    let spellings = [Some(root.to_owned()), root.canonicalize().ok()];
    for spelling in spellings.iter().flatten() {
        let prefix = format!("{}/", spelling.to_string_lossy().trim_end_matches('/'));
        if let Some(inside) = body.strip_prefix(prefix.as_str()) {
            return Some((
                "an absolute path",
                format!("{RELATIVE}; write `{negation}/{inside}`"),
            ));
        }
    }
    let bytes = body.as_bytes();
    if bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Some(("an absolute Windows path", format!("{RELATIVE}, with `/`")));
    }
    if body.starts_with('~') {
        return Some(("a home-directory path", RELATIVE.to_owned()));
    }
    if let Some(backslash) = windows_separator(body) {
        return Some((
            "a backslash, which escapes the next character",
            format!("separate directories with `/`: `{negation}{backslash}`"),
        ));
    }
    let parts: Vec<&str> = body.split('/').collect();
    if parts.contains(&"..") {
        return Some((
            "leaves the project root",
            format!("{RELATIVE} and cannot use `..`"),
        ));
    }
    if parts.contains(&".") {
        let kept: Vec<&str> = parts.iter().copied().filter(|p| *p != ".").collect();
        let mut fixed = kept.join("/");
        if body.starts_with("./") && !fixed.trim_end_matches('/').contains('/') {
            fixed.insert(0, '/');
        }
        return Some((
            "`.` is not a directory name in gitignore syntax",
            format!("write `{negation}{fixed}`"),
        ));
    }
    None
}

/// `pattern` with backslashes used as directory separators turned into `/`, if it has any: a
/// backslash before a letter, digit, `.` or `-` escapes nothing a glob needs escaped.
fn windows_separator(pattern: &str) -> Option<String> {
    let bytes = pattern.as_bytes();
    let separator = bytes.windows(2).any(|pair| {
        pair[0] == b'\\'
            && (pair[1].is_ascii_alphanumeric() || matches!(pair[1], b'.' | b'-' | b'_'))
    });
    separator.then(|| pattern.replace('\\', "/"))
}

fn glob_error(file: &RuleFile, span: Range<usize>, err: &ignore::Error) -> RuleFileError {
    file.error(
        span,
        "invalid path pattern",
        "this pattern",
        Some(err.to_string()),
    )
}

/// The rule set of the rule file `toml` at `/vestige.toml`, for unit tests.
#[cfg(test)]
pub(crate) fn from_toml(toml: &str) -> RuleSet {
    let file = RuleFile {
        path: "/vestige.toml".into(),
        name: "vestige.toml".into(),
        source: std::sync::Arc::new(toml.to_owned()),
    };
    let raw = file.parse().unwrap();
    compile(&file, raw, Path::new("/"), Day::today()).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(toml: &str) -> RuleSet {
        from_toml(toml)
    }

    #[test]
    fn each_needle_knows_its_kind_and_a_variant_its_token() {
        let set = rules(
            "[[rule]]\nid = \"a\"\nmessage = \"m\"\ntokens = [\"FooRun\", \"Bar\"]\n\
             variants = [\"snake\"]\npatterns = ['\\bx+']\n",
        );
        let rule = &set.rules[0];
        assert_eq!(
            rule.needles,
            [
                Needle::Token("FooRun".into()),
                Needle::Token("Bar".into()),
                Needle::Variant {
                    text: "foo_run".into(),
                    of: 0
                },
                Needle::Variant {
                    text: "bar".into(),
                    of: 1
                },
                Needle::Pattern("\\bx+".into()),
            ]
        );
        assert_eq!(rule.variant_of(2), Some("FooRun"));
        assert_eq!(rule.variant_of(0), None);
        assert_eq!(rule.variant_of(4), None);
        assert_eq!(
            rule.written_tokens().collect::<Vec<_>>(),
            [(0, "FooRun"), (1, "Bar")]
        );
        assert_eq!(rule.variants_of(1).collect::<Vec<_>>(), ["bar"]);
        assert_eq!(rule.patterns().collect::<Vec<_>>(), ["\\bx+"]);
        assert!(rule.has_tokens());
    }

    #[test]
    fn built_in_rules_follow_the_rule_file_and_are_found_by_name() {
        let set = rules("[[rule]]\nid = \"a\"\nmessage = \"m\"\npatterns = ['x']\n");
        assert_eq!(set.user_rules().len(), 1);
        assert_eq!(set.builtin_rules().len(), BuiltIn::ALL.len());
        assert!(!set.rules[0].has_tokens());
        for builtin in BuiltIn::ALL {
            let rule = &set.rules[set.builtin(builtin)];
            assert_eq!(rule.id, builtin.id());
            assert_eq!(rule.builtin, Some(builtin));
        }
        let hit = set.marker_hit(BuiltIn::SuppressionWithoutReason, 3..17);
        let rule = &set.rules[hit.rule];
        assert_eq!(rule.id, "suppression-without-reason");
        assert_eq!(rule.needles[hit.needle].text(), MARKER);
        assert_eq!((hit.start, hit.end), (3, 17));
    }
}
