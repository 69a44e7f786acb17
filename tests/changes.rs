//! Changed-lines mode (`--since REV`, `--staged`) against real git repositories built in
//! temporary directories: commits, a rename, staged and unstaged edits, untracked files.

use crate::support::{check_in, commit_all, git, json, run, write};
use tempfile::TempDir;

const RULES: &str = "[scan]\nroots = [\"app\"]\nexclude = [\"vendor/\"]\n\n\
    [[rule]]\nid = \"legacy\"\nmessage = \"legacy run\"\ntokens = [\"LegacyRun\"]\n";

/// `(path, line)` of every finding of a JSON report, and the number of files scanned.
fn findings(out: &str) -> (Vec<(String, u64)>, u64) {
    let doc = json(out);
    let found = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    (found, doc["summary"]["files_scanned"].as_u64().unwrap())
}

/// A repository whose `base` tag holds three files with one old finding each; after it, one
/// commit edits `a.php` and renames `old.php` with an edit; then `b.php` gets a staged edit,
/// `a.php` an unstaged one, and untracked files appear (one git-ignored, one under `vendor/`).
fn history() -> TempDir {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "vestige.toml", RULES);
    write(d, ".gitignore", "app/ignored.php\n");
    write(d, "app/a.php", "<?php\nLegacyRun::a();\n");
    write(d, "app/b.php", "<?php\nLegacyRun::b();\n");
    write(d, "app/unchanged.php", "<?php\nLegacyRun::u();\n");
    let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    write(d, "app/old.php", format!("<?php LegacyRun::old();\n{old}"));
    commit_all(d, "base");
    git(d, &["tag", "base"]);

    write(
        d,
        "app/a.php",
        "<?php\nLegacyRun::a();\n\nLegacyRun::committed();\n",
    );
    git(d, &["mv", "app/old.php", "app/renamed.php"]);
    write(
        d,
        "app/renamed.php",
        format!("<?php LegacyRun::old();\n{old}LegacyRun::moved();\n"),
    );
    commit_all(d, "edit and rename");

    write(
        d,
        "app/b.php",
        "<?php\nLegacyRun::b();\nLegacyRun::staged();\n",
    );
    git(d, &["add", "app/b.php"]);
    write(
        d,
        "app/a.php",
        "<?php\nLegacyRun::a();\n\nLegacyRun::committed();\n\nLegacyRun::unstaged();\n",
    );
    write(d, "app/new.php", "<?php\n\nLegacyRun::untracked();\n");
    write(d, "app/ignored.php", "<?php LegacyRun::ignored();\n");
    write(d, "vendor/x.php", "<?php LegacyRun::vendor();\n");
    dir
}

#[test]
fn since_reports_committed_staged_unstaged_and_untracked_lines_only() {
    let repo = history();
    let (out, _) = run(
        check_in(repo.path(), &["--since", "base", "--format", "json"]),
        1,
    );
    let (found, scanned) = findings(&out);
    assert_eq!(
        found,
        [
            ("app/a.php".to_owned(), 4),
            ("app/a.php".to_owned(), 6),
            ("app/b.php".to_owned(), 3),
            ("app/new.php".to_owned(), 3),
            ("app/renamed.php".to_owned(), 22),
        ]
    );
    assert_eq!(scanned, 4, "only the changed files are read");
}

#[test]
fn since_a_branch_uses_the_merge_base() {
    let repo = history();
    let d = repo.path();
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "work"]);
    git(d, &["checkout", "-q", "-b", "topic"]);
    write(d, "app/topic.php", "<?php LegacyRun::topic();\n");
    commit_all(d, "topic");
    git(d, &["checkout", "-q", "main"]);
    write(d, "app/main.php", "<?php LegacyRun::main();\n");
    commit_all(d, "main moves on");
    git(d, &["checkout", "-q", "topic"]);
    let (out, _) = run(check_in(d, &["--since", "main", "--format", "json"]), 1);
    assert_eq!(findings(&out).0, [("app/topic.php".to_owned(), 1)]);
}

#[test]
fn staged_reports_only_staged_lines() {
    let repo = history();
    let (out, _) = run(check_in(repo.path(), &["--staged", "--format", "json"]), 1);
    assert_eq!(findings(&out), (vec![("app/b.php".to_owned(), 3)], 1));
}

#[test]
fn paths_narrow_the_changed_files_further() {
    let repo = history();
    let (out, _) = run(
        check_in(
            repo.path(),
            &["--since", "base", "--format", "json", "app/a.php"],
        ),
        1,
    );
    assert_eq!(
        findings(&out),
        (
            vec![("app/a.php".to_owned(), 4), ("app/a.php".to_owned(), 6)],
            1
        )
    );
}

#[test]
fn no_change_means_no_finding_and_no_file_read() {
    let repo = history();
    commit_all(repo.path(), "everything");
    let (out, _) = run(
        check_in(repo.path(), &["--since", "HEAD", "--format", "json"]),
        0,
    );
    assert_eq!(findings(&out), (vec![], 0));
}

#[test]
fn deleting_the_only_reference_is_clean() {
    let repo = history();
    let d = repo.path();
    commit_all(d, "everything");
    write(d, "app/a.php", "<?php\n");
    std::fs::remove_file(d.join("app/b.php")).unwrap();
    let (out, _) = run(check_in(d, &["--since", "HEAD", "--format", "json"]), 0);
    assert_eq!(findings(&out), (vec![], 1));
}

#[test]
fn an_unknown_revision_is_a_clear_error() {
    let repo = history();
    let (_, stderr) = run(check_in(repo.path(), &["--since", "no-such-branch"]), 2);
    assert!(
        stderr.contains("--since no-such-branch: unknown revision"),
        "{stderr}"
    );
}

#[test]
fn outside_a_repository_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "vestige.toml", RULES);
    write(dir.path(), "app/a.php", "LegacyRun\n");
    for flag in [&["--since", "main"][..], &["--staged"]] {
        let (_, stderr) = run(check_in(dir.path(), flag), 2);
        assert!(stderr.contains("is not inside a git work tree"), "{stderr}");
    }
}

#[cfg(unix)]
#[test]
fn odd_file_names_are_read_back_from_git_exactly() {
    let repo = history();
    let d = repo.path();
    commit_all(d, "everything");
    let name = "app/we ird \"q\" \\ \u{fc}\t.php";
    write(d, name, "<?php\nLegacyRun::odd();\n");
    let (out, _) = run(check_in(d, &["--since", "HEAD", "--format", "json"]), 1);
    assert_eq!(findings(&out), (vec![(name.to_owned(), 2)], 1));
    git(d, &["add", "-A"]);
    let (out, _) = run(check_in(d, &["--staged", "--format", "json"]), 1);
    assert_eq!(findings(&out), (vec![(name.to_owned(), 2)], 1));
}

#[test]
fn staged_reads_what_is_staged_not_the_work_tree() {
    let repo = history();
    let d = repo.path();
    commit_all(d, "everything");
    write(
        d,
        "app/b.php",
        "<?php\nLegacyRun::b();\n// fine\nLegacyRun::newly();\n",
    );
    git(d, &["add", "app/b.php"]);
    write(d, "app/b.php", "<?php\n\n\n\n// nothing to see\n");
    let (out, _) = run(check_in(d, &["--staged", "--format", "json"]), 1);
    assert_eq!(findings(&out), (vec![("app/b.php".to_owned(), 4)], 1));
}

#[test]
fn since_with_a_baseline_reports_a_new_copy_of_a_baselined_line() {
    let repo = history();
    let d = repo.path();
    write(d, "app/a.php", "<?php\nLegacyRun::a();\nLegacyRun::a();\n");
    commit_all(d, "two copies");
    run(check_in(d, &["--write-baseline", "baseline.toml"]), 0);
    commit_all(d, "baseline");
    write(
        d,
        "app/a.php",
        "<?php\nLegacyRun::a();\nLegacyRun::a();\nLegacyRun::a();\n",
    );
    let args = [
        "--since",
        "HEAD",
        "--baseline",
        "baseline.toml",
        "--format",
        "json",
    ];
    let (out, _) = run(check_in(d, &args), 1);
    assert_eq!(findings(&out).0, [("app/a.php".to_owned(), 4)]);
    write(
        d,
        "app/a.php",
        "<?php\nLegacyRun::a();\n// new line above\nLegacyRun::a();\n",
    );
    run(check_in(d, &args), 0);
}

#[test]
fn since_sees_renames_empty_files_and_undiffable_files() {
    let repo = history();
    let d = repo.path();
    let mut rules = RULES.to_owned();
    rules.push_str(
        "\n[[rule]]\nid = \"gone\"\nmessage = \"must stay deleted\"\n\
         forbid_paths = [\"app/Legacy.php\", \"app/legacy/\"]\n",
    );
    write(d, "vestige.toml", rules);
    write(d, ".gitattributes", "*.gen.php -diff\n");
    commit_all(d, "everything");
    git(d, &["mv", "app/unchanged.php", "app/Legacy.php"]);
    write(d, "app/legacy/empty.php", "");
    write(d, "app/x.gen.php", "<?php\nLegacyRun::generated();\n");
    commit_all(d, "rename, empty file, generated file");
    let (out, _) = run(check_in(d, &["--since", "HEAD~1", "--format", "json"]), 1);
    let rules = crate::support::findings(&out);
    assert_eq!(
        rules,
        [
            "gone app/Legacy.php:1",
            "gone app/legacy/empty.php:1",
            "legacy app/x.gen.php:2",
        ]
    );
}

#[test]
fn a_missing_path_is_an_error_with_since_too() {
    let repo = history();
    let (_, stderr) = run(
        check_in(repo.path(), &["--since", "base", "app/nope.php"]),
        2,
    );
    assert!(
        stderr.contains("app/nope.php: no such file or directory"),
        "{stderr}"
    );
}

#[test]
fn the_users_global_excludes_do_not_hide_untracked_files() {
    let repo = history();
    let d = repo.path();
    write(d, "global-excludes", "*.local.php\n");
    let config = format!(
        "[core]\n\texcludesFile = {}\n",
        d.join("global-excludes").display()
    );
    write(d, "global-gitconfig", config);
    write(d, "app/mine.local.php", "<?php LegacyRun::local();\n");
    let mut cmd = check_in(
        d,
        &["--since", "HEAD", "--format", "json", "app/mine.local.php"],
    );
    cmd.env("GIT_CONFIG_GLOBAL", d.join("global-gitconfig"));
    let (out, _) = run(cmd, 1);
    assert_eq!(findings(&out).0, [("app/mine.local.php".to_owned(), 1)]);
}

#[test]
fn unrelated_histories_say_what_is_missing() {
    let repo = history();
    let d = repo.path();
    commit_all(d, "everything");
    git(d, &["checkout", "-q", "--orphan", "other"]);
    commit_all(d, "unrelated root");
    let (_, stderr) = run(check_in(d, &["--since", "main"]), 2);
    assert!(stderr.contains("no common ancestor with HEAD"), "{stderr}");
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
}

/// `history()` with a suppressed reference committed in app/s.php and a second one added below
/// it, not committed.
fn one_suppressed_reference_committed_one_added() -> TempDir {
    let repo = history();
    let d = repo.path();
    write(
        d,
        "app/s.php",
        "<?php\nLegacyRun::x(); // vestige-ignore: legacy -- old\n",
    );
    commit_all(d, "a suppressed reference");
    write(
        d,
        "app/s.php",
        "<?php\nLegacyRun::x(); // vestige-ignore: legacy -- old\n\
         LegacyRun::y(); // vestige-ignore: legacy -- new\n",
    );
    repo
}

#[test]
fn since_shows_in_sarif_only_the_suppressed_findings_of_changed_lines() {
    let repo = one_suppressed_reference_committed_one_added();
    let d = repo.path();
    let (out, _) = run(check_in(d, &["--since", "HEAD", "--format", "sarif"]), 0);
    let log = json(&out);
    let results: Vec<(u64, &str)> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
                r["suppressions"][0]["justification"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(results, [(3, "new")]);
}

#[test]
fn since_counts_only_the_suppressed_findings_of_changed_lines_in_every_format() {
    // Formats that do not list suppressed findings get them counted while the files are
    // scanned, not kept: the count must still follow the changed lines.
    let repo = one_suppressed_reference_committed_one_added();
    let d = repo.path();
    let (out, _) = run(check_in(d, &["--since", "HEAD", "--format", "json"]), 0);
    assert_eq!(json(&out)["summary"]["suppressed"], 1);
    let (_, stderr) = run(check_in(d, &["--since", "HEAD"]), 0);
    assert!(stderr.contains("1 suppressed"), "{stderr}");
    let (out, _) = run(check_in(d, &["--format", "json", "app/s.php"]), 0);
    assert_eq!(
        json(&out)["summary"]["suppressed"],
        2,
        "a scan of the file counts both"
    );
}
