//! The built binary on the shipped fixture and on small trees built per test: formats, exit codes,
//! scope (roots, excludes, .gitignore, hidden, binary), explicit paths and rule-file discovery.

use std::fs;

use crate::support::{FIXTURE, check_fixture, check_in, repo, run, write};
use tempfile::TempDir;

#[test]
fn short_format_lists_exactly_the_planted_leftovers() {
    let out = run(check_fixture(&["--format", "short"]), 1).0;
    assert_eq!(out.lines().count(), 81);
    insta::assert_snapshot!("fixture_short", out);
}

#[test]
fn excluded_ignored_hidden_and_binary_files_are_never_reported() {
    let out = run(check_fixture(&["--format", "short"]), 1).0;
    for skipped in [
        "vendor/",
        "storage/",
        "bootstrap/",
        "specs/",
        "resources/views/vendor/",
        "app/Generated/",
        "app/.legacy-notes.php",
        "app/Assets/logo.bin",
        "app/Models/InventorySyncRun.php",
        "database/migrations/2026_01_07_142719_create_inventory_sync_runs_table.php",
    ] {
        assert!(!out.contains(skipped), "{skipped} was reported:\n{out}");
    }
}

#[test]
fn global_excludes_apply_at_any_depth_even_when_the_root_is_the_whole_tree() {
    let tmp = TempDir::new().unwrap();
    let rules = fs::read_to_string(repo().join("rules.toml")).unwrap();
    let rules = rules.replace(
        r#"roots = ["app", "database", "resources", "routes"]"#,
        r#"roots = ["."]"#,
    );
    let config = tmp.path().join("whole-tree.toml");
    fs::write(&config, rules).unwrap();
    let root = repo().join(FIXTURE);
    let out = run(
        check_in(
            &repo(),
            &[
                "--config",
                config.to_str().unwrap(),
                "--root",
                root.to_str().unwrap(),
                "--format",
                "short",
            ],
        ),
        1,
    )
    .0;
    let paths: Vec<&str> = out.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(paths.len(), 81, "{out}");
    assert!(paths.iter().all(|p| {
        ["app/", "database/", "resources/", "routes/"]
            .iter()
            .any(|root| p.starts_with(root))
    }));
}

#[test]
fn human_format_shows_each_finding_with_its_source_line() {
    let out = run(
        check_fixture(&[
            "fixtures/tenantatlas/app/Jobs/RunBackupScheduleJob.php",
            "fixtures/tenantatlas/app/Filament/Resources/TenantResource.php",
        ]),
        1,
    )
    .0;
    insta::assert_snapshot!("fixture_human", out);
}

#[test]
fn human_summary_goes_to_stderr() {
    let output = check_fixture(&[]).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let summary = stderr.lines().last().unwrap();
    assert!(
        summary.starts_with("76 errors, 5 warnings in 21 files; 38 files scanned in "),
        "{summary}"
    );
}

#[test]
fn json_format_is_one_document_with_a_summary() {
    let out = run(
        check_fixture(&[
            "--format",
            "json",
            "fixtures/tenantatlas/app/Filament/Resources/TenantResource.php",
            "fixtures/tenantatlas/app/Jobs/RunBackupScheduleJob.php",
        ]),
        1,
    )
    .0;
    insta::assert_snapshot!("fixture_json", out);
    let full: serde_json::Value =
        serde_json::from_str(&run(check_fixture(&["--format", "json"]), 1).0).unwrap();
    assert_eq!(full["version"], 1);
    assert_eq!(full["findings"].as_array().unwrap().len(), 81);
    assert_eq!(full["summary"]["files_scanned"], 38);
    assert_eq!(full["summary"]["errors"], 76);
    assert_eq!(full["summary"]["warnings"], 5);
    assert_eq!(full["summary"]["files_with_findings"], 21);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    for format in ["human", "short", "json"] {
        let one = run(check_fixture(&["--format", format, "--threads", "1"]), 1).0;
        let many = run(check_fixture(&["--format", format, "--threads", "8"]), 1).0;
        assert_eq!(one, many, "format {format}");
    }
}

#[test]
fn explicit_paths_narrow_the_scan_but_obey_excludes_and_gitignore() {
    let only_job = run(
        check_fixture(&[
            "--format",
            "short",
            "fixtures/tenantatlas/app/Jobs/EntraGroupSyncJob.php",
        ]),
        1,
    )
    .0;
    assert_eq!(only_job.lines().count(), 4, "{only_job}");
    assert!(
        only_job
            .lines()
            .all(|l| l.starts_with("app/Jobs/EntraGroupSyncJob.php:"))
    );

    let skipped = run(
        check_fixture(&[
            "--format",
            "short",
            "fixtures/tenantatlas/vendor/acme/legacy/src/InventorySyncRun.php",
            "fixtures/tenantatlas/app/Generated/LegacyRunMap.php",
            "fixtures/tenantatlas/resources/views/vendor/legacy/run.blade.php",
            "fixtures/tenantatlas/app/.legacy-notes.php",
            "fixtures/tenantatlas/specs",
            "fixtures/tenantatlas/composer.json",
        ]),
        0,
    )
    .0;
    assert_eq!(skipped, "");

    let directory = run(
        check_fixture(&["--format", "short", "fixtures/tenantatlas/routes"]),
        1,
    )
    .0;
    assert_eq!(directory.lines().count(), 8, "{directory}");
}

#[test]
fn a_missing_explicit_path_is_an_error() {
    let output = check_fixture(&["fixtures/tenantatlas/app/Nope.php"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("Nope.php: no such file or directory"),
        "{stderr}"
    );
}

#[test]
fn clean_tree_exits_zero_and_warnings_do_not_fail() {
    let tmp = TempDir::new().unwrap();
    write(
        tmp.path(),
        "vestige.toml",
        r#"
[[rule]]
id = "no-foo"
message = "no Foo"
severity = "warning"
tokens = ["Foo"]
"#,
    );
    write(tmp.path(), "src/a.php", "<?php\n$x = new Bar();\n");
    assert_eq!(run(check_in(tmp.path(), &["--format", "short"]), 0).0, "");
    write(tmp.path(), "src/b.php", "<?php\n$x = new Foo();\n");
    let out = run(check_in(tmp.path(), &["--format", "short"]), 0).0;
    assert_eq!(out, "src/b.php:2:10: warning[no-foo]: `Foo`: no Foo\n");
}

#[test]
fn rule_file_is_found_in_an_ancestor_and_sets_the_root() {
    let tmp = TempDir::new().unwrap();
    write(
        tmp.path(),
        ".vestige.toml",
        "[[rule]]\nid = \"r\"\nmessage = \"m\"\ntokens = [\"Legacy\"]\n",
    );
    write(tmp.path(), "app/deep/x.php", "Legacy\n");
    write(tmp.path(), "lib/y.php", "Legacy\n");
    let out = run(
        check_in(&tmp.path().join("app/deep"), &["--format", "short"]),
        1,
    )
    .0;
    assert_eq!(
        out,
        "app/deep/x.php:1:1: error[r]: `Legacy`: m\nlib/y.php:1:1: error[r]: `Legacy`: m\n"
    );

    write(
        tmp.path(),
        "vestige.toml",
        "[[rule]]\nid = \"first\"\nmessage = \"m\"\ntokens = [\"Legacy\"]\n",
    );
    let out = run(check_in(tmp.path(), &["--format", "short", "lib"]), 1).0;
    assert_eq!(
        out, "lib/y.php:1:1: error[first]: `Legacy`: m\n",
        "vestige.toml wins over .vestige.toml"
    );
}

#[test]
fn root_flag_overrides_the_rule_file_directory() {
    let tmp = TempDir::new().unwrap();
    write(
        tmp.path(),
        "config/guard.toml",
        "[scan]\nroots = [\"src\"]\n[[rule]]\nid = \"r\"\nmessage = \"m\"\ntokens = [\"Legacy\"]\n",
    );
    write(tmp.path(), "project/src/a.php", "x Legacy y\n");
    let out = run(
        check_in(
            tmp.path(),
            &[
                "--config",
                "config/guard.toml",
                "--root",
                "project",
                "--format",
                "short",
            ],
        ),
        1,
    )
    .0;
    assert_eq!(out, "src/a.php:1:3: error[r]: `Legacy`: m\n");
}

#[test]
fn no_rule_file_is_a_clear_error() {
    let tmp = TempDir::new().unwrap();
    let output = check_in(tmp.path(), &[]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("no rule file found"), "{stderr}");
    assert!(
        stderr.contains("vestige.toml and .vestige.toml"),
        "{stderr}"
    );
    assert!(stderr.contains("--config"), "{stderr}");
}

#[test]
fn rule_scopes_and_case_folding_apply() {
    let tmp = TempDir::new().unwrap();
    write(
        tmp.path(),
        "vestige.toml",
        r#"
[[rule]]
id = "ui"
message = "no http in ui"
patterns = ['\bHttp::\w+']
paths = ["app/Ui/"]
exclude = ["*Test.php"]

[[rule]]
id = "legacy"
message = "no legacy"
tokens = ["legacy_runs"]
case_sensitive = false
match = "substring"
"#,
    );
    write(
        tmp.path(),
        "app/Ui/Page.php",
        "Http::get('x'); // LEGACY_RUNS\n",
    );
    write(tmp.path(), "app/Ui/PageTest.php", "Http::get('x');\n");
    write(
        tmp.path(),
        "app/Job.php",
        "Http::get('x'); old_legacy_runs_x\n",
    );
    let out = run(check_in(tmp.path(), &["--format", "short"]), 1).0;
    assert_eq!(
        out,
        "app/Job.php:1:21: error[legacy]: `legacy_runs`: no legacy\n\
         app/Ui/Page.php:1:1: error[ui]: `Http::get` (matches `\\bHttp::\\w+`): no http in ui\n\
         app/Ui/Page.php:1:20: error[legacy]: `LEGACY_RUNS` (matches `legacy_runs`): no legacy\n"
    );
}

#[test]
fn quiet_prints_nothing_but_keeps_the_exit_code() {
    let output = check_fixture(&["--quiet"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(output.stderr.is_empty());
}

#[test]
fn files_with_matches_prints_each_file_with_findings_once_sorted() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "vestige.toml",
        "[[rule]]\nid = \"legacy\"\nmessage = \"m\"\ntokens = [\"Foo\"]\n\
         [[rule]]\nid = \"soft\"\nmessage = \"m\"\nseverity = \"warning\"\ntokens = [\"Bar\"]\n",
    );
    write(dir.path(), "app/b.php", "Foo\nFoo Foo\n");
    write(dir.path(), "app/a.php", "Foo\n");
    write(dir.path(), "app/Z.php", "Foo\n");
    write(dir.path(), "app/clean.php", "nothing\n");
    write(
        dir.path(),
        "app/kept.php",
        "Foo // vestige-ignore: legacy -- later\n",
    );
    write(dir.path(), "lib/warn.php", "Bar\n");
    for flag in ["-l", "--files-with-matches"] {
        let output = check_in(dir.path(), &[flag]).output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            "app/Z.php\napp/a.php\napp/b.php\nlib/warn.php\n"
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "",
            "no summary line"
        );
    }
    assert_eq!(
        run(check_in(dir.path(), &["-l", "lib"]), 0).0,
        "lib/warn.php\n"
    );
    assert_eq!(run(check_in(dir.path(), &["-l", "app/clean.php"]), 0).0, "");
    let output = check_in(dir.path(), &["-l", "--format", "short"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot be used with"),
        "{output:?}"
    );
}
