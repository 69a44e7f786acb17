//! vestige writes only its own files, only whole, and never scans them: the baseline and `init`'s
//! files land on a regular file or a new path (a symbolic link's target is replaced, the link
//! kept), a run that could not read the whole tree writes nothing, an interrupted write leaves
//! nothing behind, and the rule file, baselines, temporary files and `.git` are never scanned,
//! however their paths are spelled.

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{RULE, check_in, git_command, json, run, running_as_root, vestige, write};
use tempfile::TempDir;

/// A tree with `vestige.toml` holding `extra` (tables before the rule) and `RULE`, and one
/// finding in `app/X.php`.
fn tree(extra: &str) -> TempDir {
    crate::support::tree(
        &format!("{extra}\n{RULE}"),
        &[("app/X.php", "<?php\nnew Foo();\n")],
    )
}

/// The paths of the findings of a JSON report.
fn paths(out: &str) -> Vec<String> {
    json(out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect()
}

/// A baseline tolerating `Foo` in `rel`.
fn baseline_for(rel: &str) -> String {
    format!(
        "version = 1\n\n[[finding]]\nrule = \"legacy\"\npath = \"{rel}\"\nmatch = \"Foo\"\n\
         line = \"new Foo();\"\n"
    )
}

/// A tree reached through a symbolic link: (temp dir, real tree, link to it).
fn linked_tree(extra: &str) -> (TempDir, PathBuf, PathBuf) {
    let top = TempDir::new().unwrap();
    let real = top.path().join("real");
    fs::create_dir(&real).unwrap();
    write(&real, "vestige.toml", format!("{extra}\n{RULE}"));
    write(&real, "app/X.php", "<?php\nnew Foo();\n");
    let link = top.path().join("link");
    symlink(&real, &link).unwrap();
    (top, real, link)
}

// Item 4: symlinked spellings of the root.

#[test]
fn a_path_named_through_a_symlinked_root_is_scanned() {
    let (_top, _real, link) = linked_tree("");
    let config = link.join("vestige.toml");
    let mut cmd = check_in(&link, &["--format", "json", "app/X.php"]);
    cmd.args(["--config".as_ref(), config.as_os_str()])
        .args(["--root".as_ref(), link.as_os_str()]);
    let (out, _) = run(cmd, 1);
    assert_eq!(paths(&out), ["app/X.php"]);
    let mut cmd = check_in(&link, &["--format", "json"]);
    cmd.arg(link.join("app/X.php"));
    let (out, _) = run(cmd, 1);
    assert_eq!(paths(&out), ["app/X.php"]);
}

#[test]
fn the_rule_file_is_never_reported_whatever_the_spelling() {
    let (_top, real, link) = linked_tree("[scan]\nfollow_symlinks = true\n");
    symlink("../vestige.toml", real.join("app/rules.toml")).unwrap();
    let mut cmd = check_in(&real, &["--format", "json"]);
    cmd.args(["--root".as_ref(), link.as_os_str()]);
    let (out, _) = run(cmd, 1);
    assert_eq!(paths(&out), ["app/X.php"]);
    let mut cmd = check_in(&real, &["--format", "json"]);
    cmd.args(["--config".as_ref(), link.join("vestige.toml").as_os_str()])
        .args(["--root".as_ref(), real.as_os_str()]);
    let (out, _) = run(cmd, 1);
    assert_eq!(paths(&out), ["app/X.php"]);
}

#[test]
fn write_baseline_never_scans_its_previous_output() {
    let (_top, real, link) = linked_tree("");
    for _ in 0..3 {
        let mut cmd = check_in(&real, &["--write-baseline", "bl.toml"]);
        cmd.args(["--root".as_ref(), link.as_os_str()]);
        let (_, err) = run(cmd, 0);
        assert!(err.contains("wrote 1 finding to the baseline"), "{err}");
    }
}

// Item 13: what is never scanned.

#[test]
fn the_configured_baseline_is_never_scanned_even_when_not_used() {
    let dir = tree("[baseline]\nfile = \"bl.toml\"\n");
    write(dir.path(), "bl.toml", baseline_for("app/Gone.php"));
    let (out, _) = run(
        check_in(dir.path(), &["--no-baseline", "--format", "json"]),
        1,
    );
    assert_eq!(paths(&out), ["app/X.php"]);
    write(dir.path(), "other.toml", baseline_for("app/X.php"));
    let (out, _) = run(
        check_in(
            dir.path(),
            &["--baseline", "other.toml", "--format", "json"],
        ),
        0,
    );
    assert_eq!(paths(&out), Vec::<String>::new());
    let mut cmd = vestige(dir.path());
    cmd.args(["report", "--format", "json"]);
    let (out, _) = run(cmd, 0);
    assert!(!out.contains("bl.toml"), "{out}");
}

#[test]
fn a_symlinked_baselines_target_is_never_scanned() {
    let dir = tree("[baseline]\nfile = \"bl.toml\"\n");
    write(dir.path(), "data/bl.toml", baseline_for("app/Gone.php"));
    symlink("data/bl.toml", dir.path().join("bl.toml")).unwrap();
    let (out, _) = run(
        check_in(dir.path(), &["--no-baseline", "--format", "json"]),
        1,
    );
    assert_eq!(paths(&out), ["app/X.php"]);
}

#[test]
fn nested_rule_files_git_and_temporary_files_are_never_scanned() {
    let dir = tree("[scan]\nhidden = true\n");
    write(dir.path(), "packages/lib/vestige.toml", RULE);
    write(dir.path(), "packages/lib/.vestige.toml", RULE);
    let init = git_command(dir.path())
        .args(["init", "-q"])
        .status()
        .unwrap();
    assert!(init.success());
    write(dir.path(), ".git/info/Foo.php", "new Foo();\n");
    write(dir.path(), ".git/refs/heads/Foo", "0000\n");
    write(dir.path(), "sub/.git", "gitdir: ../.git/worktrees/Foo\n");
    write(dir.path(), ".svn/pristine/ab/abcd.svn-base", "new Foo();\n");
    write(dir.path(), ".hg/store/data/app/_x.php.i", "new Foo();\n");
    write(dir.path(), ".vestige-bl.toml.a1b2c3.tmp", "Foo\n");
    write(dir.path(), ".hidden.php", "Foo\n");
    let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
    assert_eq!(paths(&out), [".hidden.php", "app/X.php"]);
}

#[test]
fn an_interrupted_write_leaves_nothing_behind() {
    for signal in ["TERM", "INT"] {
        let dir = tree("");
        let before = names(dir.path());
        let is_temp = |name: &String| name.ends_with(".tmp");
        let mut interrupted = false;
        for size in [100_000, 400_000, 1_600_000] {
            let lines: String = (0..size).map(|i| format!("new Foo(); // {i}\n")).collect();
            write(dir.path(), "app/Big.php", lines);
            let mut child = Command::new(assert_cmd::cargo::cargo_bin("vestige"))
                .current_dir(dir.path())
                .args(["check", "--write-baseline", "bl.toml"])
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut killed = false;
            while child.try_wait().unwrap().is_none() {
                if names(dir.path()).iter().any(is_temp) {
                    let status = Command::new("kill")
                        .args([format!("-{signal}"), child.id().to_string()])
                        .status()
                        .unwrap();
                    assert!(status.success());
                    killed = true;
                    break;
                }
            }
            let status = child.wait().unwrap();
            let after = names(dir.path());
            assert!(!after.iter().any(is_temp), "after SIG{signal}: {after:?}");
            // The signal may land after the rename: the baseline is then whole, and the run is
            // tried again with a bigger tree.
            if killed && after == before {
                assert!(!status.success());
                interrupted = true;
                break;
            }
            let _ = fs::remove_file(dir.path().join("bl.toml"));
        }
        assert!(interrupted, "never interrupted a baseline being written");
    }
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// Item 11: what vestige writes over.

#[test]
fn write_baseline_refuses_anything_but_a_baseline_or_a_new_path() {
    let dir = tree("");
    fs::create_dir(dir.path().join("adir")).unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    symlink("nowhere", dir.path().join("dangling")).unwrap();
    symlink("vestige.toml", dir.path().join("rules-link")).unwrap();
    let source = fs::read(dir.path().join("app/X.php")).unwrap();
    for (target, why) in [
        ("adir", "it is a directory"),
        ("fifo", "it is a FIFO"),
        ("dangling", "a symbolic link that"),
        ("vestige.toml", "it is the rule file in use"),
        ("rules-link", "it is the rule file in use"),
        ("app/X.php", "it is not a vestige baseline"),
    ] {
        let (_, err) = run(check_in(dir.path(), &["--write-baseline", target]), 2);
        assert!(
            err.contains("refusing to write") && err.contains(why),
            "{target}: {err}"
        );
    }
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(dir.path().join("adir").is_dir());
    assert!(
        fs::symlink_metadata(dir.path().join("dangling"))
            .unwrap()
            .is_symlink()
    );
    assert!(!dir.path().join("nowhere").exists());
    assert_eq!(fs::read(dir.path().join("app/X.php")).unwrap(), source);
    assert!(
        fs::read_to_string(dir.path().join("vestige.toml"))
            .unwrap()
            .contains("[[rule]]")
    );
    let leftovers: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn write_baseline_never_replaces_a_device() {
    if !running_as_root() {
        eprintln!("skipped: creating a device node needs root");
        return;
    }
    let dir = tree("");
    let null = dir.path().join("null");
    let made = Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mknod is not allowed here (no CAP_MKNOD)");
        return;
    }
    let (_, err) = run(check_in(dir.path(), &["--write-baseline", "null"]), 2);
    assert!(err.contains("it is a device"), "{err}");
    assert!(fs::metadata(&null).unwrap().file_type().is_char_device());
}

#[test]
fn a_symlinked_baseline_is_updated_in_place_and_stays_a_link() {
    let dir = tree("[baseline]\nfile = \"bl.toml\"\n");
    write(dir.path(), "shared/bl.toml", "");
    fs::set_permissions(
        dir.path().join("shared/bl.toml"),
        fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    symlink("shared/bl.toml", dir.path().join("bl.toml")).unwrap();
    run(check_in(dir.path(), &["--write-baseline", "bl.toml"]), 0);
    let link = dir.path().join("bl.toml");
    assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
    let target = dir.path().join("shared/bl.toml");
    assert!(
        fs::read_to_string(&target)
            .unwrap()
            .contains("path = \"app/X.php\"")
    );
    assert_eq!(
        fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o640
    );
    run(check_in(dir.path(), &[]), 0);

    write(dir.path(), "app/X.php", "<?php\n");
    run(check_in(dir.path(), &["--prune-baseline"]), 0);
    assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
    assert!(!fs::read_to_string(&target).unwrap().contains("app/X.php"));
}

#[test]
fn init_force_writes_nothing_unless_it_can_write_everything() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "vestige.toml", "# mine\n");
    fs::create_dir(dir.path().join("vestige.schema.json")).unwrap();
    let mut cmd = vestige(dir.path());
    cmd.args(["init", "--force"]);
    let (_, err) = run(cmd, 2);
    assert!(err.contains("it is a directory"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.path().join("vestige.toml")).unwrap(),
        "# mine\n"
    );
    assert_eq!(names(dir.path()), ["vestige.schema.json", "vestige.toml"]);
}

#[test]
fn init_force_through_a_link_replaces_its_target_and_keeps_the_link() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "shared/vestige.toml", "# old\n");
    symlink("shared/vestige.toml", dir.path().join("vestige.toml")).unwrap();
    let mut cmd = vestige(dir.path());
    cmd.args(["init", "--force"]);
    run(cmd, 0);
    assert!(
        fs::symlink_metadata(dir.path().join("vestige.toml"))
            .unwrap()
            .is_symlink()
    );
    let text = fs::read_to_string(dir.path().join("shared/vestige.toml")).unwrap();
    assert!(text.contains("[[rule]]"), "{text}");
}

// Item 12: a run with a problem writes nothing.

#[test]
fn a_run_that_could_not_read_everything_writes_and_prunes_nothing() {
    let dir = tree("[scan]\nfollow_symlinks = true\n[baseline]\nfile = \"bl.toml\"\n");
    symlink("nowhere", dir.path().join("app/broken")).unwrap();
    let (_, err) = run(check_in(dir.path(), &["--write-baseline", "new.toml"]), 2);
    assert!(err.contains("not writing the baseline"), "{err}");
    assert!(!dir.path().join("new.toml").exists());

    let old = format!(
        "{}{}",
        baseline_for("app/X.php"),
        &baseline_for("app/Gone.php")[12..]
    );
    write(dir.path(), "bl.toml", &old);
    let (_, err) = run(check_in(dir.path(), &["--prune-baseline"]), 2);
    assert!(err.contains("not writing the baseline"), "{err}");
    assert_eq!(fs::read_to_string(dir.path().join("bl.toml")).unwrap(), old);
}

#[test]
fn prune_keeps_entries_of_a_directory_it_could_not_list() {
    if !running_as_root() {
        eprintln!("skipped: this case runs vestige as `nobody` through setpriv, which needs root");
        return;
    }
    let dir = tree("[baseline]\nfile = \"bl.toml\"\n");
    write(dir.path(), "app/locked/Y.php", "<?php\nnew Foo();\n");
    let old = format!(
        "{}{}",
        baseline_for("app/X.php"),
        &baseline_for("app/locked/Y.php")[12..]
    );
    write(dir.path(), "bl.toml", &old);
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
    fs::set_permissions(
        dir.path().join("app/locked"),
        fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let output = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(assert_cmd::cargo::cargo_bin("vestige"))
        .args(["check", "--prune-baseline"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    fs::set_permissions(
        dir.path().join("app/locked"),
        fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    if err.contains("setpriv:") {
        eprintln!("skipped: setpriv cannot switch to nobody here: {err}");
        return;
    }
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("Permission denied"), "{err}");
    assert_eq!(fs::read_to_string(dir.path().join("bl.toml")).unwrap(), old);
}

#[test]
fn init_force_never_writes_through_a_link_to_nothing() {
    let dir = TempDir::new().unwrap();
    symlink("elsewhere.json", dir.path().join("vestige.schema.json")).unwrap();
    let mut cmd = vestige(dir.path());
    cmd.args(["init", "--force"]);
    let (_, err) = run(cmd, 2);
    assert!(err.contains("it is a symbolic link that"), "{err}");
    assert_eq!(names(dir.path()), ["vestige.schema.json"]);
}

#[test]
fn a_read_only_baseline_is_left_alone() {
    let dir = tree("[baseline]\nfile = \"bl.toml\"\n");
    write(dir.path(), "bl.toml", baseline_for("app/Gone.php"));
    let path = dir.path().join("bl.toml");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    for args in [&["--write-baseline", "bl.toml"][..], &["--prune-baseline"]] {
        let (_, err) = run(check_in(dir.path(), args), 2);
        assert!(err.contains("it is read-only"), "{err}");
    }
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        baseline_for("app/Gone.php")
    );
}

#[test]
fn a_baseline_that_is_a_fifo_is_refused_without_blocking() {
    let dir = tree("");
    let fifo = dir.path().join("bl.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (_, err) = run(check_in(dir.path(), &["--baseline", "bl.fifo"]), 2);
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn a_baseline_with_the_longest_name_allowed_is_written() {
    let dir = tree("");
    let name = format!("{}.toml", "b".repeat(250));
    let (_, err) = run(check_in(dir.path(), &["--write-baseline", &name]), 0);
    assert!(err.contains("wrote 1 finding"), "{err}");
    assert!(dir.path().join(&name).is_file());
}
