//! The baseline ratchet against real repositories in temporary directories: a branch whose
//! baseline tolerates more than at the merge base fails `--since` (and `--ratchet`) with a
//! `baseline-grew` finding at the entry; one that only shrank it, renamed a file or edited a
//! baselined line passes; an untracked or newly added baseline is handled as documented.

use std::path::Path;

use crate::support::{RULE, check_in, commit_all, findings, git, json, run, tree, write};
use tempfile::TempDir;

const BASELINE: &str = "vestige-baseline.toml";

/// A repository whose `main` holds a rule file naming the baseline `BASELINE` (when `named`),
/// `files`, and (when `baselined`) the baseline of them; HEAD is then the new branch `feature`.
fn repo(files: &[(&str, &str)], named: bool, baselined: bool) -> TempDir {
    let config = if named {
        format!("[baseline]\nfile = \"{BASELINE}\"\n\n{RULE}")
    } else {
        RULE.to_owned()
    };
    let dir = tree(&config, files);
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    if baselined {
        run(check_in(d, &["--write-baseline", BASELINE]), 0);
    }
    commit_all(d, "base");
    git(d, &["checkout", "-q", "-b", "feature"]);
    dir
}

/// The 1-based line of the `[[finding]]` header of the entry whose source line is `line`.
fn entry_line(dir: &Path, line: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(BASELINE)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == format!("line = {line:?}"))
        .unwrap_or_else(|| panic!("no entry for {line}: {text}"));
    lines[..at]
        .iter()
        .rposition(|l| *l == "[[finding]]")
        .unwrap()
        + 1
}

const OLD: &str = "<?php\nnew Foo();\nFoo::one();\n";

#[test]
fn a_branch_that_baselines_a_new_reference_fails_at_the_grown_entry() {
    let dir = repo(&[("app/a.php", OLD)], true, true);
    let d = dir.path();
    write(d, "app/a.php", format!("{OLD}Foo::two();\n"));
    run(check_in(d, &["--write-baseline"]), 0);
    commit_all(d, "absorb a new reference");

    let (out, _) = run(check_in(d, &["--since", "main", "--format", "json"]), 1);
    let at = entry_line(d, "Foo::two();");
    assert_eq!(findings(&out), [format!("baseline-grew {BASELINE}:{at}")]);
    let finding = &json(&out)["findings"][0];
    assert_eq!(finding["severity"], "error", "{out}");
    assert_eq!(finding["match"], "Foo", "{out}");

    let (out, _) = run(check_in(d, &["--since", "main", "--format", "short"]), 1);
    assert!(
        out.starts_with(&format!("{BASELINE}:{at}:1: error[baseline-grew]")),
        "{out}"
    );
    // A second copy of a baselined line is growth too: the count of its entry grew.
    write(d, "app/a.php", format!("{OLD}Foo::one();\n"));
    run(check_in(d, &["--write-baseline"]), 0);
    let (out, _) = run(check_in(d, &["--since", "main", "--format", "json"]), 1);
    let at = entry_line(d, "Foo::one();");
    assert_eq!(findings(&out), [format!("baseline-grew {BASELINE}:{at}")]);
}

#[test]
fn the_ratchet_alone_scans_nothing_and_fails_only_on_growth() {
    let dir = repo(&[("app/a.php", OLD)], true, true);
    let d = dir.path();
    run(check_in(d, &["--ratchet", "main"]), 0);
    // A new reference the baseline does not hold: a scan fails, the ratchet alone does not.
    write(d, "app/b.php", "<?php\nFoo::new();\n");
    run(check_in(d, &["--since", "main"]), 1);
    let (out, _) = run(check_in(d, &["--ratchet", "main", "--format", "json"]), 0);
    assert_eq!(json(&out)["summary"]["files_scanned"], 0, "{out}");
    // Absorbed into the (uncommitted) baseline: the ratchet fails.
    run(check_in(d, &["--write-baseline"]), 0);
    let (out, _) = run(check_in(d, &["--ratchet", "main", "--format", "json"]), 1);
    let at = entry_line(d, "Foo::new();");
    assert_eq!(findings(&out), [format!("baseline-grew {BASELINE}:{at}")]);
    let (out, _) = run(check_in(d, &["--ratchet", "main", "--exit-zero"]), 0);
    assert!(out.contains("baseline-grew"), "{out}");

    let (_, stderr) = run(check_in(d, &["--ratchet", "main", "app/a.php"]), 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    let (_, stderr) = run(check_in(d, &["--ratchet", "main", "--no-baseline"]), 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    let (_, stderr) = run(check_in(d, &["--ratchet", "nope"]), 2);
    assert!(
        stderr.contains("--ratchet nope: unknown revision"),
        "{stderr}"
    );
    git(d, &["checkout", "-q", "--orphan", "unrelated"]);
    commit_all(d, "another history");
    git(d, &["checkout", "-q", "feature"]);
    let (_, stderr) = run(check_in(d, &["--ratchet", "unrelated"]), 2);
    assert!(
        stderr.contains("--ratchet unrelated: no common ancestor with HEAD"),
        "{stderr}"
    );
}

#[test]
fn the_ratchet_needs_a_baseline() {
    let dir = repo(&[("app/a.php", OLD)], false, false);
    let (_, stderr) = run(check_in(dir.path(), &["--ratchet", "main"]), 2);
    assert!(stderr.contains("--ratchet needs a baseline"), "{stderr}");
}

#[test]
fn a_baseline_that_only_shrank_passes() {
    let dir = repo(
        &[("app/a.php", OLD), ("app/b.php", "<?php Foo::b();\n")],
        true,
        true,
    );
    let d = dir.path();
    write(d, "app/a.php", "<?php\nnew Foo();\n");
    std::fs::remove_file(d.join("app/b.php")).unwrap();
    run(check_in(d, &["--prune-baseline"]), 0);
    commit_all(d, "remove references");
    let (out, _) = run(check_in(d, &["--since", "main", "--format", "json"]), 0);
    assert_eq!(findings(&out), Vec::<String>::new());
    run(check_in(d, &["--ratchet", "main"]), 0);
}

#[test]
fn entries_that_moved_with_a_renamed_file_or_an_edited_line_are_no_growth() {
    let dir = repo(&[("app/a.php", OLD)], true, true);
    let d = dir.path();
    git(d, &["mv", "app/a.php", "app/Renamed.php"]);
    run(check_in(d, &["--write-baseline"]), 0);
    commit_all(d, "rename");
    let (out, _) = run(check_in(d, &["--since", "main", "--format", "json"]), 0);
    assert_eq!(findings(&out), Vec::<String>::new());
    run(check_in(d, &["--ratchet", "main"]), 0);

    // The baselined line edited, the reference kept: the key changed, the count did not.
    write(d, "app/Renamed.php", "<?php\nnew Foo(1);\nFoo::one();\n");
    run(check_in(d, &["--write-baseline"]), 0);
    run(check_in(d, &["--ratchet", "main"]), 0);

    // The renamed file gaining a reference is growth all the same.
    write(d, "app/Renamed.php", format!("{OLD}Foo::two();\n"));
    run(check_in(d, &["--write-baseline"]), 0);
    let (out, _) = run(check_in(d, &["--ratchet", "main", "--format", "json"]), 1);
    let at = entry_line(d, "Foo::two();");
    assert_eq!(findings(&out), [format!("baseline-grew {BASELINE}:{at}")]);
}

#[test]
fn a_baseline_absent_at_the_merge_base_counts_as_empty() {
    let dir = repo(&[("app/a.php", OLD)], false, false);
    let d = dir.path();
    run(check_in(d, &["--write-baseline", BASELINE]), 0);
    // Untracked: nothing to compare with; --since says so, --ratchet refuses.
    let args = [
        "--since",
        "main",
        "--baseline",
        BASELINE,
        "--format",
        "json",
    ];
    let (out, stderr) = run(check_in(d, &args), 0);
    assert_eq!(findings(&out), Vec::<String>::new());
    assert!(
        stderr.contains(&format!(
            "note: the baseline {} is not tracked by git",
            d.canonicalize().unwrap().join(BASELINE).display()
        )),
        "{stderr}"
    );
    let (_, stderr) = run(
        check_in(d, &["--ratchet", "main", "--baseline", BASELINE]),
        2,
    );
    assert!(stderr.contains("is not tracked by git"), "{stderr}");

    // Committed on the branch: every entry is new.
    commit_all(d, "adopt a baseline");
    let (out, _) = run(check_in(d, &args), 1);
    assert_eq!(
        findings(&out),
        [
            format!("baseline-grew {BASELINE}:{}", entry_line(d, "Foo::one();")),
            format!("baseline-grew {BASELINE}:{}", entry_line(d, "new Foo();")),
        ]
    );
}

#[test]
fn an_invalid_baseline_at_the_merge_base_is_reported() {
    let dir = repo(&[("app/a.php", OLD)], true, false);
    let d = dir.path();
    git(d, &["checkout", "-q", "main"]);
    write(d, BASELINE, "version = 7\n");
    commit_all(d, "broken baseline");
    git(d, &["checkout", "-q", "-B", "feature"]);
    run(check_in(d, &["--write-baseline"]), 0);
    let (_, stderr) = run(check_in(d, &["--ratchet", "main"]), 2);
    assert!(
        stderr.contains("at the merge base is not a valid baseline"),
        "{stderr}"
    );
}

#[test]
fn the_rule_id_is_reserved() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "vestige.toml",
        RULE.replace("\"legacy\"", "\"baseline-grew\""),
    );
    let (_, stderr) = run(check_in(dir.path(), &[]), 2);
    assert!(
        stderr.contains("rule id `baseline-grew` is reserved"),
        "{stderr}"
    );
}

#[test]
fn explain_says_where_the_rule_is_reported() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "vestige.toml", RULE);
    let mut explain = crate::support::vestige(dir.path());
    explain.args(["explain", "baseline-grew"]);
    let (out, _) = run(explain, 0);
    assert!(out.starts_with("baseline-grew (error)"), "{out}");
    assert!(
        out.contains("reported at baseline entries that grew since the merge base"),
        "{out}"
    );
    assert!(!out.contains("vestige-ignore"), "{out}");
}

#[test]
fn the_grown_entry_takes_its_place_among_the_findings_of_the_changed_files() {
    let dir = repo(&[("app/a.php", OLD)], true, true);
    let d = dir.path();
    write(d, "app/a.php", format!("{OLD}Foo::two();\n"));
    run(check_in(d, &["--write-baseline"]), 0);
    write(d, "app/new.php", "<?php\nnew Foo();\n");
    write(d, "vestige-baseline.zz/late.php", "<?php\n\nFoo::late();\n");
    write(d, "app/z.php", "<?php\nFoo::z();\n");
    commit_all(d, "absorb one reference, add three");

    let (out, _) = run(check_in(d, &["--since", "main", "--format", "json"]), 1);
    let at = entry_line(d, "Foo::two();");
    assert_eq!(
        findings(&out),
        [
            "legacy app/new.php:2".to_owned(),
            "legacy app/z.php:2".to_owned(),
            format!("baseline-grew {BASELINE}:{at}"),
            "legacy vestige-baseline.zz/late.php:3".to_owned(),
        ]
    );
}
