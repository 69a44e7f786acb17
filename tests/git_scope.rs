//! What git decides about scope, against real repositories in temporary directories: tracked
//! files are code whatever the ignore files say, moves into a rule's scope count in full, hooks'
//! git environments (linked worktrees, `GIT_DIR`, `GIT_INDEX_FILE`) map every path, git's own
//! refusals come through, and `--staged` reads the index whatever the work tree holds.

use std::fs;
use std::path::Path;

use crate::support::{
    check_in, commit_all, findings, git, git_command, git_repo, printed, run, write,
};
use tempfile::TempDir;

const RULES: &str = "[scan]\nexclude = [\"vendor/\"]\n\n\
    [[rule]]\nid = \"legacy\"\nmessage = \"legacy run\"\ntokens = [\"LegacyRun\"]\n\
    exclude = [\"app/Models/LegacyRun.php\"]\n";

/// A repository with `files` committed, the rule file `RULES` among them.
fn repo(files: &[(&str, &str)]) -> TempDir {
    git_repo(RULES, files)
}

#[test]
fn tracked_files_are_scanned_whatever_the_ignore_files_say() {
    let dir = repo(&[
        ("resources/lang/en.php", "<?php\nLegacyRun::en();\n"),
        ("build/x.php", "<?php LegacyRun::built();\n"),
        ("sub/y.php", "<?php LegacyRun::y();\n"),
        ("vendor/v.php", "<?php LegacyRun::vendor();\n"),
        (".hidden/h.php", "<?php LegacyRun::hidden();\n"),
    ]);
    let d = dir.path();
    // Added after the files were tracked, as Laravel apps do.
    write(d, "resources/lang/.gitignore", "*\n");
    write(d, ".gitignore", "build/\n");
    write(d, "sub/.ignore", "y.php\n");
    write(d, ".git/info/exclude", "vendor/\n");
    write(
        d,
        "resources/lang/untracked.php",
        "<?php LegacyRun::untracked();\n",
    );
    let all = [
        "legacy build/x.php:1",
        "legacy resources/lang/en.php:2",
        "legacy sub/y.php:1",
    ];
    let (out, _) = run(check_in(d, &["--format", "json"]), 1);
    assert_eq!(findings(&out), all, "scan.exclude and hidden still apply");
    let (out, _) = run(
        check_in(d, &["--format", "json", "resources/lang/en.php"]),
        1,
    );
    assert_eq!(findings(&out), ["legacy resources/lang/en.php:2"]);

    write(
        d,
        "resources/lang/en.php",
        "<?php\nLegacyRun::en();\nLegacyRun::fr();\n",
    );
    write(d, "sub/y.php", "<?php LegacyRun::y();\nLegacyRun::z();\n");
    let (out, _) = run(check_in(d, &["--since", "HEAD", "--format", "json"]), 1);
    assert_eq!(
        findings(&out),
        ["legacy resources/lang/en.php:3", "legacy sub/y.php:2"]
    );
    git(d, &["add", "resources/lang/en.php", "sub/y.php"]);
    let (out, _) = run(check_in(d, &["--staged", "--format", "json"]), 1);
    assert_eq!(
        findings(&out),
        ["legacy resources/lang/en.php:3", "legacy sub/y.php:2"]
    );
}

#[test]
fn outside_git_ignore_files_apply_as_before() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "vestige.toml", RULES);
    write(d, "lang/.gitignore", "*\n");
    write(d, "lang/en.php", "<?php LegacyRun::en();\n");
    let (out, _) = run(check_in(d, &["--format", "json"]), 0);
    assert_eq!(findings(&out), Vec::<String>::new());
}

#[test]
fn a_move_into_a_rules_scope_reports_every_line() {
    let body = "<?php\nLegacyRun::one();\nLegacyRun::two();\n";
    let dir = repo(&[
        ("app/Models/LegacyRun.php", body),
        ("vendor/pkg/Run.php", body),
        (".old/Run.php", body),
        ("app/Stays.php", body),
    ]);
    let d = dir.path();
    git(
        d,
        &["mv", "app/Models/LegacyRun.php", "app/Models/NewRun.php"],
    );
    git(d, &["mv", "vendor/pkg/Run.php", "app/VendorRun.php"]);
    git(d, &["mv", ".old/Run.php", "app/HiddenRun.php"]);
    git(d, &["mv", "app/Stays.php", "app/Moved.php"]);
    commit_all(d, "moves");
    let (out, _) = run(check_in(d, &["--since", "HEAD~1", "--format", "json"]), 1);
    assert_eq!(
        findings(&out),
        [
            "legacy app/HiddenRun.php:2",
            "legacy app/HiddenRun.php:3",
            "legacy app/Models/NewRun.php:2",
            "legacy app/Models/NewRun.php:3",
            "legacy app/VendorRun.php:2",
            "legacy app/VendorRun.php:3",
        ],
        "a move within the scope reports only edited lines"
    );
}

#[test]
fn a_move_from_outside_the_project_root_reports_every_line() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "project/vestige.toml", RULES);
    write(d, "elsewhere/Run.php", "<?php\nLegacyRun::one();\n");
    commit_all(d, "base");
    git(d, &["mv", "elsewhere/Run.php", "project/Run.php"]);
    let project = d.join("project");
    let (out, _) = run(check_in(&project, &["--staged", "--format", "json"]), 1);
    assert_eq!(findings(&out), ["legacy Run.php:2"]);
}

#[cfg(unix)]
#[test]
fn staged_files_are_read_from_the_index_whatever_the_work_tree_holds() {
    let dir = repo(&[("app/keep.php", "<?php\n")]);
    let d = dir.path();
    for name in ["gone", "link", "dir"] {
        write(
            d,
            &format!("app/{name}.php"),
            "<?php\nLegacyRun::staged();\n",
        );
    }
    git(d, &["add", "-A"]);
    fs::remove_file(d.join("app/gone.php")).unwrap();
    fs::remove_file(d.join("app/link.php")).unwrap();
    std::os::unix::fs::symlink("keep.php", d.join("app/link.php")).unwrap();
    fs::remove_file(d.join("app/dir.php")).unwrap();
    write(d, "app/dir.php/inside.php", "<?php\n");
    let (out, _) = run(check_in(d, &["--staged", "--format", "json"]), 1);
    assert_eq!(
        findings(&out),
        [
            "legacy app/dir.php:2",
            "legacy app/gone.php:2",
            "legacy app/link.php:2",
        ]
    );
}

#[cfg(unix)]
#[test]
fn names_git_would_quote_are_never_lost() {
    let mut rules = RULES.to_owned();
    rules.push_str(
        "\n[[rule]]\nid = \"gone\"\nmessage = \"must stay deleted\"\n\
         forbid_paths = [\"app/Legacy*\"]\n",
    );
    let dir = repo(&[("app/plain.php", "<?php\n")]);
    let d = dir.path();
    write(d, "vestige.toml", &rules);
    write(d, "app/Legacy\\mode.php", "<?php\n");
    commit_all(d, "more");
    // An empty new file, a pure rename and a mode-only change, each with a quoted name.
    write(d, "app/Legacy\"x.php", "");
    git(d, &["mv", "app/plain.php", "app/Legacy\ttab.php"]);
    let mode = d.join("app/Legacy\\mode.php");
    let mut perms = fs::metadata(&mode).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    fs::set_permissions(&mode, perms).unwrap();
    commit_all(d, "odd names");
    let (out, _) = run(check_in(d, &["--since", "HEAD~1", "--format", "json"]), 1);
    assert_eq!(
        findings(&out),
        [
            "gone app/Legacy\ttab.php:1",
            "gone app/Legacy\"x.php:1",
            "gone app/Legacy\\mode.php:1",
        ]
    );
}

#[test]
fn many_staged_files_are_all_read() {
    let dir = repo(&[("app/keep.php", "<?php\n")]);
    let d = dir.path();
    for i in 0..300 {
        let body = if i % 2 == 0 {
            ""
        } else {
            "<?php\n\nLegacyRun::n();\n"
        };
        write(d, &format!("app/f{i:03}.php"), body);
    }
    git(d, &["add", "-A"]);
    let (out, _) = run(check_in(d, &["--staged", "--format", "json"]), 1);
    let found = findings(&out);
    assert_eq!(found.len(), 150, "{found:?}");
    assert_eq!(found[0], "legacy app/f001.php:3");
}

/// A pre-commit hook that runs vestige from `dir` (relative to the top of the work tree) with
/// `--staged`, installed in the repository `git_dir`.
fn install_hook(git_dir: &Path, dir: &str) {
    let hook = git_dir.join("hooks/pre-commit");
    fs::create_dir_all(hook.parent().unwrap()).unwrap();
    fs::write(
        &hook,
        format!(
            "#!/bin/sh\ncd '{dir}' && exec '{}' check --staged\n",
            env!("CARGO_BIN_EXE_vestige")
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Commits with `args` in `dir`; returns whether git made the commit, and what it printed.
fn try_commit(dir: &Path, args: &[&str]) -> (bool, String) {
    let output = git_command(dir)
        .args(["commit", "-q", "-m", "try"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (output.status.success(), printed(&output))
}

#[cfg(unix)]
#[test]
fn a_hook_in_a_linked_worktree_with_the_rule_file_in_a_subdirectory_maps_every_path() {
    let dir = TempDir::new().unwrap();
    let main = dir.path().join("main");
    fs::create_dir(&main).unwrap();
    git(&main, &["init", "-q", "-b", "main"]);
    write(&main, "web/vestige.toml", RULES);
    write(&main, "web/app/a.php", "<?php\n");
    commit_all(&main, "base");
    install_hook(&main.join(".git"), "web");
    let linked = dir.path().join("linked");
    git(
        &main,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "topic",
            linked.to_str().unwrap(),
        ],
    );

    write(&linked, "web/app/a.php", "<?php\nLegacyRun::again();\n");
    git(&linked, &["add", "-A"]);
    let (made, text) = try_commit(&linked, &[]);
    assert!(!made, "the hook must refuse the commit:\n{text}");
    assert!(text.contains("app/a.php:2"), "{text}");

    // A partial commit: the hook sees git's temporary index through GIT_INDEX_FILE.
    git(&linked, &["reset", "-q", "--hard"]);
    write(&linked, "web/app/b.php", "<?php\n");
    commit_all(&linked, "b");
    write(&linked, "web/app/b.php", "<?php\nLegacyRun::partial();\n");
    let (made, text) = try_commit(&linked, &["web/app/b.php"]);
    assert!(!made, "the hook must refuse the partial commit:\n{text}");
    assert!(text.contains("app/b.php:2"), "{text}");
    write(&linked, "web/app/b.php", "<?php\n// fine\n");
    let (made, text) = try_commit(&linked, &["web/app/b.php"]);
    assert!(made, "{text}");
}

#[test]
fn a_relative_git_dir_resolves_from_the_current_directory() {
    let dir = repo(&[("web/vestige.toml", RULES), ("web/app/a.php", "<?php\n")]);
    let d = dir.path();
    write(d, "web/app/a.php", "<?php\nLegacyRun::x();\n");
    git(d, &["add", "-A"]);
    let mut cmd = check_in(
        d,
        &[
            "--config",
            "web/vestige.toml",
            "--staged",
            "--format",
            "json",
        ],
    );
    cmd.env("GIT_DIR", ".git");
    let (out, _) = run(cmd, 1);
    assert_eq!(findings(&out), ["legacy app/a.php:2"]);
}

#[test]
fn a_project_outside_the_work_tree_git_names_is_an_error() {
    let dir = repo(&[("app/a.php", "<?php\n")]);
    let other = TempDir::new().unwrap();
    write(other.path(), "vestige.toml", RULES);
    let mut cmd = check_in(other.path(), &["--staged"]);
    cmd.env("GIT_DIR", dir.path().join(".git"))
        .env("GIT_WORK_TREE", dir.path());
    let (_, stderr) = run(cmd, 2);
    assert!(stderr.contains("is outside git's work tree"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn git_refusing_the_repository_is_reported_in_gits_words() {
    let dir = repo(&[("app/a.php", "<?php LegacyRun::x();\n")]);
    let d = dir.path();
    if !crate::support::running_as_root() {
        eprintln!("skipped: making git see another owner needs root (chown)");
        return;
    }
    let chown = std::process::Command::new("chown")
        .args(["-R", "12345:12345"])
        .arg(d)
        .status()
        .unwrap();
    assert!(chown.success());
    for args in [&[][..], &["--staged"], &["--since", "HEAD"]] {
        let mut cmd = check_in(d, args);
        cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        let (_, stderr) = run(cmd, 2);
        assert!(stderr.contains("dubious ownership"), "{args:?}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_ignore_file_gets_a_note() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "vestige.toml", RULES);
    write(d, "app/.gitignore", "secret.php\n");
    write(d, "app/a.php", "<?php\n");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(d, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(d.join("app/.gitignore"), fs::Permissions::from_mode(0o000)).unwrap();
    let cmd = if crate::support::running_as_root() {
        let Ok(setpriv) = which("setpriv") else {
            eprintln!("skipped: running as root without setpriv to drop privileges");
            return;
        };
        let mut cmd = assert_cmd::Command::new(setpriv);
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_vestige"))
            .arg("check")
            .current_dir(d)
            .env("NO_COLOR", "1");
        cmd
    } else {
        check_in(d, &[])
    };
    let (_, stderr) = run(cmd, 0);
    assert!(
        stderr.contains("note: app/.gitignore: cannot be read ("),
        "{stderr}"
    );
    assert!(
        stderr.contains("its ignore patterns were not applied"),
        "{stderr}"
    );
}

/// The first `name` on the PATH.
fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .ok_or(())
}

#[test]
fn ignore_files_above_the_work_tree_hide_nothing_git_tracks() {
    for name in [".gitignore", ".ignore"] {
        let outer = TempDir::new().unwrap();
        write(outer.path(), name, "*.php\n");
        let d = outer.path().join("repo");
        fs::create_dir(&d).unwrap();
        git(&d, &["init", "-q", "-b", "main"]);
        write(&d, "vestige.toml", RULES);
        write(&d, "app/a.php", "<?php LegacyRun::a();\n");
        commit_all(&d, "base");
        let (out, _) = run(check_in(&d, &["--format", "json"]), 1);
        assert_eq!(findings(&out), ["legacy app/a.php:1"], "{name}");
    }
}

#[test]
fn without_gitignore_since_sees_ignored_untracked_files() {
    let dir = repo(&[(".gitignore", "*.local.php\n")]);
    let d = dir.path();
    let rules = RULES.replace("[scan]\n", "[scan]\ngitignore = false\n");
    write(d, "vestige.toml", rules);
    write(d, "app/x.local.php", "<?php LegacyRun::x();\n");
    let (out, _) = run(check_in(d, &["--format", "json"]), 1);
    assert_eq!(findings(&out), ["legacy app/x.local.php:1"]);
    let (out, _) = run(check_in(d, &["--since", "HEAD", "--format", "json"]), 1);
    assert_eq!(findings(&out), ["legacy app/x.local.php:1"]);
}

#[test]
fn a_file_in_conflict_is_scanned_once() {
    let dir = repo(&[("app/a.php", "<?php\n")]);
    let d = dir.path();
    git(d, &["checkout", "-q", "-b", "other"]);
    write(d, "app/a.php", "<?php\nLegacyRun::other();\n");
    commit_all(d, "other");
    git(d, &["checkout", "-q", "main"]);
    write(d, "app/a.php", "<?php\nLegacyRun::main();\n");
    commit_all(d, "main");
    let merge = git_command(d)
        .args(["merge", "-q", "other"])
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge must conflict");
    let (out, _) = run(check_in(d, &["--format", "json"]), 1);
    assert_eq!(
        findings(&out),
        ["legacy app/a.php:3", "legacy app/a.php:5"],
        "each line once, though the index lists the file once per stage"
    );
}

#[cfg(unix)]
#[test]
fn an_ignore_file_at_the_root_that_is_a_link_or_a_fifo_is_refused_not_read() {
    // A committed `.gitignore -> /dev/zero` once read without end; a FIFO blocked the walk.
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "vestige.toml", RULES);
    write(d, "app/a.php", "<?php LegacyRun::a();\n");
    std::os::unix::fs::symlink("/dev/zero", d.join(".gitignore")).unwrap();
    let (out, stderr) = run(check_in(d, &["--format", "json"]), 2);
    assert!(
        stderr.contains(".gitignore: an ignore file that is not a regular file is not read"),
        "{stderr}"
    );
    assert_eq!(findings(&out), Vec::<String>::new());

    fs::remove_file(d.join(".gitignore")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(d.join(".ignore"))
        .status()
        .unwrap();
    assert!(fifo.success());
    let (_, stderr) = run(check_in(d, &[]), 2);
    assert!(
        stderr.contains(".ignore: an ignore file that is not"),
        "{stderr}"
    );
}

#[test]
fn an_ignore_file_above_the_work_tree_hides_nothing_inside_git_as_in_git() {
    // git never reads a `.gitignore` outside the work tree; the walk once did, and an
    // untracked file with a reference passed with "0 files scanned".
    let dir = TempDir::new().unwrap();
    write(dir.path(), ".gitignore", "*.php\n");
    let d = &dir.path().join("project");
    write(d, "vestige.toml", RULES);
    write(d, "app/New.php", "<?php LegacyRun::a();\n");
    let (out, _) = run(check_in(d, &["--format", "json"]), 0);
    assert_eq!(
        findings(&out),
        Vec::<String>::new(),
        "outside git: as before"
    );

    git(d, &["init", "-q", "-b", "main"]);
    let (out, _) = run(check_in(d, &["--format", "json"]), 1);
    assert_eq!(findings(&out), ["legacy app/New.php:1"]);
    write(d, ".gitignore", "*.php\n");
    let (out, _) = run(check_in(d, &["--format", "json"]), 0);
    assert_eq!(
        findings(&out),
        Vec::<String>::new(),
        "the work tree's own .gitignore still hides untracked files"
    );
}
