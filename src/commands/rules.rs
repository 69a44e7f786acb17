//! What the rule file says, for people: `vestige rules` (a table of the rules) and
//! `vestige explain RULE` (one rule in full).

use std::fmt::Write;

use super::Outcome;
use super::print;
use crate::cli::{ExplainArgs, RulesArgs};
use crate::finding::visible;
use crate::rulefile;
use crate::ruleset::{BuiltIn, Rule, RuleSet};
use crate::text::no_command;

/// Runs `vestige rules`: prints the table of the rules.
pub fn run(args: &RulesArgs) -> miette::Result<Outcome> {
    let project = super::load(&args.project, Vec::new())?;
    print(&table(&project.rules, args.expand))
}

/// Runs `vestige explain RULE`: prints the rule in full.
pub fn explain(args: &ExplainArgs) -> miette::Result<Outcome> {
    let project = super::load(&args.project, Vec::new())?;
    print(&explanation(&project.rules, &args.rule)?)
}

/// The table of `vestige rules`: id, severity, tokens (with their variants), patterns and scope
/// of each rule of the rule file, then vestige's built-in rules; with `expand`, each rule's
/// tokens and the variants they expand to follow the table. Every text from the rule file is
/// shown on one line, control characters made visible, and no line reads as a CI command.
pub fn table(rules: &RuleSet, expand: bool) -> String {
    let user = rules.user_rules();
    let width = user.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
    let mut out = format!(
        "{:<width$}  {:<8}  {:>6}  {:>8}  scope\n",
        "id", "severity", "tokens", "patterns"
    );
    for rule in user {
        let patterns = rule.patterns().count();
        let _ = writeln!(
            out,
            "{:<width$}  {:<8}  {:>6}  {:>8}  {}",
            visible(&rule.id),
            rule.severity.as_str(),
            written_tokens(rule),
            patterns,
            scope(rule)
        );
    }
    let builtin: Vec<String> = rules
        .builtin_rules()
        .iter()
        .map(|r| format!("{} ({})", r.id, r.severity.as_str()))
        .collect();
    let _ = writeln!(out, "\nbuilt in: {}", builtin.join(", "));
    if expand {
        for rule in user.iter().filter(|r| r.has_tokens()) {
            let _ = writeln!(out, "\n{}:", visible(&rule.id));
            out.push_str(&tokens(rule));
        }
    }
    no_command(&out).into_owned()
}

/// The number of tokens written in the rule file, without their variants.
fn written_tokens(rule: &Rule) -> usize {
    rule.written_tokens().count()
}

/// Where a rule applies, in a few words.
fn scope(rule: &Rule) -> String {
    let mut parts = Vec::new();
    if !rule.needles.is_empty() {
        let mut text = match rule.paths.include_globs.as_slice() {
            [] => "everywhere".to_owned(),
            globs => visible(&globs.join(", ")).into_owned(),
        };
        match rule.paths.exclude_globs.len() {
            0 => {}
            1 => text.push_str(" except 1 path"),
            n => text.push_str(&format!(" except {n} paths")),
        }
        parts.push(text);
    }
    if !rule.forbid.written.is_empty() {
        parts.push(format!("forbids {} paths", rule.forbid.written.len()));
    }
    parts.join("; ")
}

/// Each written token of `rule` on a line, followed by the variants made from it.
fn tokens(rule: &Rule) -> String {
    let mut out = String::new();
    for (i, token) in rule.written_tokens() {
        let variants: Vec<&str> = rule.variants_of(i).collect();
        if variants.is_empty() {
            let _ = writeln!(out, "  {}", visible(token));
        } else {
            let _ = writeln!(
                out,
                "  {} -> {}",
                visible(token),
                visible(&variants.join(", "))
            );
        }
    }
    out
}

/// `vestige explain RULE`: the rule with id `id` in full, or an error that suggests the nearest id.
pub fn explanation(rules: &RuleSet, id: &str) -> miette::Result<String> {
    let Some(index) = rules.rules.iter().position(|r| r.id == id) else {
        return Err(unknown_rule(rules, id));
    };
    let rule = &rules.rules[index];
    let mut out = format!(
        "{} ({})\n\n  {}\n",
        rule.id,
        rule.severity.as_str(),
        visible(&rule.message)
    );
    if let Some(help) = &rule.help {
        let _ = writeln!(out, "\nhelp: {}", visible(help));
    }
    if rule.builtin == Some(BuiltIn::BaselineGrew) {
        let _ = writeln!(
            out,
            "\nbuilt into vestige: reported at baseline entries that grew since the merge base \
             (`--since REV`, `--ratchet REV`)"
        );
        return Ok(out);
    }
    if rule.builtin.is_some() {
        let _ = writeln!(
            out,
            "\nbuilt into vestige: reported at `vestige-ignore` markers"
        );
        return Ok(out);
    }
    if let Some(day) = rule.warn_until {
        let _ = writeln!(out, "\nwarn_until: {day} (a warning before that day)");
    }
    if rule.has_tokens() {
        let mode = format!("{:?}", rule.match_mode).to_lowercase();
        let case = if rule.case_sensitive {
            "case-sensitive"
        } else {
            "ASCII case folded"
        };
        let _ = writeln!(out, "\ntokens ({mode} match, {case}):");
        out.push_str(&tokens(rule));
    }
    let patterns: Vec<&str> = rule.patterns().collect();
    if !patterns.is_empty() {
        let _ = writeln!(out, "\npatterns:");
        for pattern in patterns {
            let _ = writeln!(out, "  {}", visible(pattern));
        }
    }
    out.push_str(&globs(rule));
    if rule.paths.include_globs.is_empty() && !rule.needles.is_empty() {
        let _ = writeln!(out, "\napplies to every scanned file");
    }
    if !rule.suppressible {
        let _ = writeln!(
            out,
            "\nnot suppressible: vestige-ignore markers do not silence it"
        );
    }
    Ok(no_command(&out).into_owned())
}

/// The error for an `id` no rule has, suggesting the nearest id.
fn unknown_rule(rules: &RuleSet, id: &str) -> miette::Report {
    let ids = rules.rules.iter().map(|r| r.id.as_str());
    let hint = match rulefile::did_you_mean(id, ids) {
        Some(near) => format!("did you mean `{near}`? `vestige rules` lists them all"),
        None => "`vestige rules` lists them all".to_owned(),
    };
    miette::miette!(help = hint, "no rule `{}` in the rule file", visible(id))
}

/// The `paths`, `exclude` and `forbid_paths` globs of `rule`, a list each, the empty ones left
/// out.
fn globs(rule: &Rule) -> String {
    let mut out = String::new();
    let lists = [
        ("paths", &rule.paths.include_globs),
        ("exclude", &rule.paths.exclude_globs),
        ("forbid_paths", &rule.forbid.written),
    ];
    for (name, globs) in lists {
        if !globs.is_empty() {
            let _ = writeln!(out, "\n{name}:");
            for glob in globs {
                let _ = writeln!(out, "  {}", visible(glob));
            }
        }
    }
    out
}
