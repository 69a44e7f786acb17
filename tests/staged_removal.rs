//! The staged-removal workflow on temporary trees: a baseline that ratchets, suppressions in the
//! code, rules that turn into errors on a date, and paths that must be gone.

use std::fs;
use std::path::Path;

use crate::support::{check_in, json, run, tree, write};
use tempfile::TempDir;

const RULE: &str =
    "[[rule]]\nid = \"legacy\"\nmessage = \"legacy run\"\ntokens = [\"LegacyRun\"]\n";

/// `(rule, path, line)` of each finding, and the JSON summary.
fn report(out: &str) -> (Vec<(String, String, u64)>, serde_json::Value) {
    let doc = json(out);
    let findings = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    (findings, doc["summary"].clone())
}

fn finding(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_owned(), path.to_owned(), line)
}

fn read(dir: &Path, rel: &str) -> String {
    fs::read_to_string(dir.join(rel)).unwrap()
}

mod baseline {
    use super::*;

    fn legacy_tree() -> TempDir {
        tree(
            RULE,
            &[
                ("app/a.php", "<?php\nLegacyRun::one();\nLegacyRun::one();\n"),
                ("app/b.php", "<?php\nuse LegacyRun;\n"),
            ],
        )
    }

    #[test]
    fn written_baseline_is_sorted_keyed_on_content_and_silences_the_tree() {
        let dir = legacy_tree();
        let d = dir.path();
        let (out, stderr) = run(check_in(d, &["--write-baseline", "baseline.toml"]), 0);
        assert_eq!(out, "");
        assert!(
            stderr.contains("wrote 3 findings to the baseline"),
            "{stderr}"
        );
        let written = read(d, "baseline.toml");
        assert!(!written.contains("line = 2"), "no line numbers: {written}");
        let a = written.find("path = \"app/a.php\"").unwrap();
        let b = written.find("path = \"app/b.php\"").unwrap();
        assert!(a < b, "{written}");
        assert!(
            written.contains("line = \"LegacyRun::one();\"\ncount = 2"),
            "{written}"
        );

        let (out, _) = run(
            check_in(d, &["--baseline", "baseline.toml", "--format", "json"]),
            0,
        );
        let (found, summary) = report(&out);
        assert!(found.is_empty());
        assert_eq!(summary["baselined"], 3);
        assert_eq!(summary["baseline_resolved"], 0);
    }

    #[test]
    fn lines_inserted_above_keep_findings_baselined_and_a_new_one_fails() {
        let dir = legacy_tree();
        let d = dir.path();
        run(check_in(d, &["--write-baseline", "baseline.toml"]), 0);
        write(
            d,
            "app/a.php",
            "<?php\n// moved down\n\n\nLegacyRun::one();\nLegacyRun::one();\n",
        );
        run(check_in(d, &["--baseline", "baseline.toml"]), 0);

        write(
            d,
            "app/a.php",
            "<?php\n\nLegacyRun::one();\nLegacyRun::one();\nLegacyRun::one();\nLegacyRun::two();\n",
        );
        let (out, _) = run(
            check_in(d, &["--baseline", "baseline.toml", "--format", "json"]),
            1,
        );
        let (found, summary) = report(&out);
        assert_eq!(
            found,
            [
                finding("legacy", "app/a.php", 5),
                finding("legacy", "app/a.php", 6)
            ]
        );
        assert_eq!(summary["baselined"], 3);
    }

    #[test]
    fn the_rule_file_names_the_baseline_and_no_baseline_ignores_it() {
        let dir = legacy_tree();
        let d = dir.path();
        write(
            d,
            "vestige.toml",
            format!("[baseline]\nfile = \"vestige-baseline.toml\"\n\n{RULE}"),
        );
        let (_, stderr) = run(check_in(d, &[]), 2);
        assert!(stderr.contains("cannot read the baseline"), "{stderr}");
        assert!(stderr.contains("--write-baseline"), "{stderr}");
        run(
            check_in(d, &["--write-baseline", "vestige-baseline.toml"]),
            0,
        );
        run(check_in(d, &[]), 0);
        run(check_in(d, &["--no-baseline"]), 1);
    }

    #[test]
    fn resolved_findings_are_reported_and_prune_only_shrinks() {
        let dir = legacy_tree();
        let d = dir.path();
        run(check_in(d, &["--write-baseline", "baseline.toml"]), 0);
        write(d, "app/a.php", "<?php\nLegacyRun::one();\n");
        write(d, "app/c.php", "<?php\nLegacyRun::new();\n");
        let (out, stderr) = run(
            check_in(d, &["--baseline", "baseline.toml", "--format", "json"]),
            1,
        );
        let (found, summary) = report(&out);
        assert_eq!(found, [finding("legacy", "app/c.php", 2)]);
        assert_eq!(summary["baseline_resolved"], 1);
        assert!(
            stderr.contains("resolved: `LegacyRun` [legacy] in app/a.php is gone from the code"),
            "{stderr}"
        );
        assert!(stderr.contains("--prune-baseline"), "{stderr}");

        let before = read(d, "baseline.toml");
        run(
            check_in(d, &["--baseline", "baseline.toml", "--prune-baseline"]),
            1,
        );
        let after = read(d, "baseline.toml");
        assert!(
            before.contains("count = 2") && !after.contains("count = 2"),
            "{after}"
        );
        assert!(!after.contains("app/c.php"), "prune never adds: {after}");
        assert!(after.contains("app/b.php"), "{after}");
        let (_, stderr) = run(check_in(d, &["--baseline", "baseline.toml"]), 1);
        assert!(!stderr.contains("resolved"), "{stderr}");
    }

    #[test]
    fn a_file_that_was_not_read_is_not_resolved_and_not_pruned() {
        let dir = legacy_tree();
        let d = dir.path();
        run(check_in(d, &["--write-baseline", "baseline.toml"]), 0);
        let before = read(d, "baseline.toml");
        write(
            d,
            "vestige.toml",
            format!("[scan]\nmax_filesize = 20\n\n{RULE}"),
        );
        let (_, stderr) = run(
            check_in(d, &["--baseline", "baseline.toml", "--prune-baseline"]),
            0,
        );
        assert!(stderr.contains("app/a.php: skipped"), "{stderr}");
        assert!(!stderr.contains("resolved"), "{stderr}");
        assert_eq!(read(d, "baseline.toml"), before);
    }

    #[test]
    fn a_narrowed_scan_never_writes_or_prunes_and_reports_nothing_resolved() {
        let dir = legacy_tree();
        let d = dir.path();
        run(check_in(d, &["--write-baseline", "baseline.toml"]), 0);
        let (_, stderr) = run(
            check_in(d, &["--baseline", "baseline.toml", "app/b.php"]),
            0,
        );
        assert!(!stderr.contains("resolved"), "{stderr}");
        for flags in [
            &[
                "--baseline",
                "baseline.toml",
                "--prune-baseline",
                "app/b.php",
            ][..],
            &["--write-baseline", "other.toml", "app/b.php"],
        ] {
            let (_, stderr) = run(check_in(d, flags), 2);
            assert!(stderr.contains("need a scan of the whole tree"), "{stderr}");
        }
        assert!(!d.join("other.toml").exists());
    }

    #[test]
    fn huge_counts_in_a_baseline_saturate_instead_of_overflowing() {
        let dir = legacy_tree();
        let d = dir.path();
        let entry = "[[finding]]\nrule = \"legacy\"\npath = \"app/b.php\"\nmatch = \"LegacyRun\"\n\
                     line = \"use LegacyRun;\"\ncount = 9223372036854775807\n";
        write(d, "baseline.toml", format!("version = 1\n{entry}{entry}"));
        let (out, _) = run(
            check_in(d, &["--baseline", "baseline.toml", "--format", "json"]),
            1,
        );
        let (found, summary) = report(&out);
        assert_eq!(found.len(), 2, "the two in app/a.php are not baselined");
        assert_eq!(summary["baselined"], 1);
        let mut cmd = crate::support::vestige(d);
        cmd.args(["report", "--baseline", "baseline.toml", "--format", "json"]);
        let (out, _) = run(cmd, 0);
        assert_eq!(json(&out)["baseline"]["remaining"], 1);
    }

    #[test]
    fn a_broken_baseline_says_where() {
        let dir = legacy_tree();
        let d = dir.path();
        write(
            d,
            "baseline.toml",
            "version = 1\n\n[[finding]]\nrule = \"legacy\"\npath = 3\n",
        );
        let (_, stderr) = run(check_in(d, &["--baseline", "baseline.toml"]), 2);
        assert!(stderr.contains("is not a valid baseline"), "{stderr}");
        assert!(stderr.contains("line 5"), "{stderr}");
        write(d, "baseline.toml", "version = 7\n");
        let (_, stderr) = run(check_in(d, &["--baseline", "baseline.toml"]), 2);
        assert!(stderr.contains("version 7 is not supported"), "{stderr}");
    }
}

#[test]
fn write_baseline_without_a_file_writes_the_configured_one_and_the_help_command_works() {
    let dir = tree(
        &format!("{RULE}[baseline]\nfile = \"vestige-baseline.toml\"\n"),
        &[("app/a.php", "<?php new LegacyRun();\n")],
    );
    let (_, err) = run(check_in(dir.path(), &[]), 2);
    let command = err
        .split('`')
        .find(|part| part.starts_with("vestige check --write-baseline="))
        .unwrap_or_else(|| panic!("no command in the help: {err}"));
    let args: Vec<&str> = command.split(' ').skip(2).collect();
    run(check_in(dir.path(), &args), 0);
    assert!(dir.path().join("vestige-baseline.toml").is_file());
    run(check_in(dir.path(), &[]), 0);
    write(dir.path(), "app/b.php", "<?php new LegacyRun();\n");
    run(check_in(dir.path(), &[]), 1);
    run(check_in(dir.path(), &["--write-baseline"]), 0);
    run(check_in(dir.path(), &[]), 0);

    write(dir.path(), "vestige.toml", RULE);
    let (_, err) = run(check_in(dir.path(), &["--write-baseline"]), 2);
    assert!(
        err.contains("needs `file` in the rule file's [baseline] table"),
        "{err}"
    );
}

mod suppressions {
    use super::*;

    const FILES: &[(&str, &str)] = &[
        (
            "app/a.php",
            "<?php\n\
             LegacyRun::a(); // vestige-ignore: legacy -- kept until phase 4\n\
             // vestige-ignore-next-line: legacy -- migration reads the old table\n\
             LegacyRun::b();\n\
             LegacyRun::c();\n",
        ),
        (
            "resources/views/a.blade.php",
            "{{-- vestige-ignore-next-line: legacy --}}\n<p>{{ LegacyRun::d() }}</p>\n",
        ),
        (
            "app/stale.php",
            "<?php\n# vestige-ignore: legacy -- nothing here any more\n",
        ),
    ];

    #[test]
    fn markers_suppress_their_line_and_stale_ones_are_warnings() {
        let dir = tree(RULE, FILES);
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        assert_eq!(
            report(&out).0,
            [
                finding("legacy", "app/a.php", 5),
                finding("unused-suppression", "app/stale.php", 2),
            ]
        );
    }

    #[test]
    fn require_reason_makes_a_marker_without_one_an_error() {
        let config = format!("[suppressions]\nrequire_reason = true\n\n{RULE}");
        let dir = tree(&config, FILES);
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        assert_eq!(
            report(&out).0,
            [
                finding("legacy", "app/a.php", 5),
                finding("unused-suppression", "app/stale.php", 2),
                finding(
                    "suppression-without-reason",
                    "resources/views/a.blade.php",
                    1
                ),
            ]
        );
    }

    #[test]
    fn an_unsuppressible_rule_ignores_markers_and_names_must_match() {
        let config = format!("{RULE}suppressible = false\n");
        let dir = tree(
            &config,
            &[(
                "app/a.php",
                "<?php\nLegacyRun::a(); // vestige-ignore: legacy -- please\n\
                 LegacyRun::b(); // vestige-ignore: legcy -- misspelt\n",
            )],
        );
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        assert_eq!(
            report(&out).0,
            [
                finding("legacy", "app/a.php", 2),
                finding("unused-suppression", "app/a.php", 2),
                finding("legacy", "app/a.php", 3),
                finding("unused-suppression", "app/a.php", 3),
            ]
        );
    }

    #[test]
    fn a_markers_own_text_is_never_a_finding_but_code_after_a_closer_is() {
        let config = "[[rule]]\nid = \"legacy-inventory-sync-runs\"\nmessage = \"m\"\n\
                      tokens = [\"InventorySyncRun\", \"inventory-sync-runs\"]\n";
        let dir = tree(
            config,
            &[(
                "app/a.php",
                "<?php\n\
                 // vestige-ignore-next-line: legacy-inventory-sync-runs -- until phase 3\n\
                 InventorySyncRun::go();\n\
                 // vestige-ignore: legacy-inventory-sync-runs -- InventorySyncRun stays\n\
                 /* vestige-ignore-next-line: legacy-inventory-sync-runs */ InventorySyncRun::z();\n\
                 InventorySyncRun::w();\n",
            )],
        );
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        let (found, _) = report(&out);
        assert_eq!(
            found,
            [
                finding("unused-suppression", "app/a.php", 4),
                finding("legacy-inventory-sync-runs", "app/a.php", 5),
            ]
        );
        let doc = json(&out);
        assert_eq!(doc["findings"][1]["column"], 60, "{out}");
    }

    #[test]
    fn a_marker_naming_an_unknown_rule_is_warned_about_even_when_it_suppresses() {
        let dir = tree(
            RULE,
            &[(
                "app/a.php",
                "<?php\nLegacyRun::a(); // vestige-ignore: legacy, legacy-typo -- kept\n",
            )],
        );
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 0);
        assert_eq!(
            report(&out).0,
            [finding("unused-suppression", "app/a.php", 2)]
        );
        let doc = json(&out);
        assert_eq!(doc["findings"][0]["match"], "legacy-typo", "{out}");
        assert_eq!(doc["findings"][0]["column"], 44, "{out}");
    }

    #[test]
    fn builtin_rule_ids_are_reserved() {
        let dir = tree(
            "[[rule]]\nid = \"unused-suppression\"\nmessage = \"m\"\ntokens = [\"X\"]\n",
            &[],
        );
        let (_, stderr) = run(check_in(dir.path(), &[]), 2);
        assert!(
            stderr.contains("rule id `unused-suppression` is reserved"),
            "{stderr}"
        );
    }
}

mod expiry {
    use super::*;

    fn dated() -> TempDir {
        tree(
            &format!("{RULE}warn_until = 2026-03-01\n"),
            &[("app/a.php", "<?php LegacyRun::a();\n")],
        )
    }

    #[test]
    fn warn_until_warns_before_its_day_and_fails_from_it() {
        let dir = dated();
        let (out, _) = run(
            check_in(dir.path(), &["--today", "2026-02-28", "--format", "short"]),
            0,
        );
        assert!(
            out.contains("warning[legacy]: `LegacyRun`: legacy run (a warning until 2026-03-01, then an error)"),
            "{out}"
        );
        let (out, _) = run(
            check_in(dir.path(), &["--today", "2026-03-01", "--format", "short"]),
            1,
        );
        assert!(
            out.contains("error[legacy]: `LegacyRun`: legacy run\n"),
            "{out}"
        );
    }

    #[test]
    fn bad_dates_are_clear_errors() {
        let dir = dated();
        let (_, stderr) = run(check_in(dir.path(), &["--today", "2026-02-30"]), 2);
        assert!(
            stderr.contains("is not a date of the form YYYY-MM-DD"),
            "{stderr}"
        );
        write(
            dir.path(),
            "vestige.toml",
            format!("{RULE}warn_until = 2026-03-01T10:00:00\n"),
        );
        let (_, stderr) = run(check_in(dir.path(), &[]), 2);
        assert!(stderr.contains("warn_until must be a date"), "{stderr}");
    }
}

mod forbidden_paths {
    use super::*;
    use crate::support::git_command;

    #[test]
    fn forbid_paths_apply_to_the_whole_project_whatever_the_scan_roots() {
        let dir = tree(
            "[scan]\nroots = [\"app\"]\nexclude = [\"/vendor/\"]\n\
             [[rule]]\nid = \"gone\"\nmessage = \"must stay deleted\"\n\
             forbid_paths = [\"/config/legacy.php\", \"LegacyRun.php\"]\n",
            &[
                ("app/Models/OperationRun.php", "<?php\n"),
                ("config/legacy.php", "<?php\n"),
                ("tests/Feature/LegacyRun.php", "<?php\n"),
                ("app/Models/LegacyRun.php", "<?php\n"),
                ("vendor/x/LegacyRun.php", "<?php\n"),
            ],
        );
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        let paths: Vec<String> = report(&out).0.into_iter().map(|f| f.1).collect();
        assert_eq!(
            paths,
            [
                "app/Models/LegacyRun.php",
                "config/legacy.php",
                "tests/Feature/LegacyRun.php"
            ]
        );

        let git = |args: &[&str]| {
            let status = git_command(dir.path()).args(args).status().unwrap();
            assert!(status.success(), "git {args:?}");
        };
        for path in [
            "config/legacy.php",
            "tests/Feature/LegacyRun.php",
            "app/Models/LegacyRun.php",
        ] {
            std::fs::remove_file(dir.path().join(path)).unwrap();
        }
        git(&["init", "-q", "-b", "main"]);
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "clean"]);
        write(dir.path(), "config/legacy.php", "<?php\n");
        let (out, _) = run(
            check_in(dir.path(), &["--since", "main", "--format", "json"]),
            1,
        );
        let paths: Vec<String> = report(&out).0.into_iter().map(|f| f.1).collect();
        assert_eq!(
            paths,
            ["config/legacy.php"],
            "an added file outside the roots"
        );
    }

    #[test]
    fn every_existing_file_under_a_forbidden_path_is_a_finding() {
        let dir = tree(
            "[[rule]]\nid = \"delete-legacy\"\nmessage = \"delete the legacy run files\"\n\
             forbid_paths = [\"app/Models/LegacyRun.php\", \"app/Filament/LegacyRunResource/**\"]\n",
            &[
                ("app/Models/LegacyRun.php", "<?php\n"),
                ("app/Models/OperationRun.php", "<?php\n"),
                ("app/Filament/LegacyRunResource/Pages/List.php", "<?php\n"),
                ("app/Filament/LegacyRunResource/Edit.php", "<?php\n"),
                ("vendor/app/Models/LegacyRun.php", "<?php\n"),
            ],
        );
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        assert_eq!(
            report(&out).0,
            [
                finding(
                    "delete-legacy",
                    "app/Filament/LegacyRunResource/Edit.php",
                    1
                ),
                finding(
                    "delete-legacy",
                    "app/Filament/LegacyRunResource/Pages/List.php",
                    1
                ),
                finding("delete-legacy", "app/Models/LegacyRun.php", 1),
            ]
        );
        let (out, _) = run(check_in(dir.path(), &[]), 1);
        assert!(
            out.contains("app/Models/LegacyRun.php: this file must not exist (forbid_paths `app/Models/LegacyRun.php`)\n"),
            "{out}"
        );
        let (out, _) = run(check_in(dir.path(), &["--format", "short"]), 1);
        assert!(
            out.contains(
                "app/Models/LegacyRun.php:1:1: error[delete-legacy]: file forbidden by `app/Models/LegacyRun.php`: delete the legacy run files"
            ),
            "{out}"
        );
    }
}
