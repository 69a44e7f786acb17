//! Bad input never hurts: hostile trees, hostile rule files and hostile output targets, each in a
//! temporary tree built by the test. Every run has a timeout, so a hang fails instead of blocking.
//! Rule-file errors, the regex size limit among them, are in `rule_file_errors.rs`.

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::{RULE, check_in, json, run, write};
use tempfile::TempDir;

/// A tree with `vestige.toml` holding `scan` (the `[scan]` table's body) and `RULE`.
fn tree(scan: &str) -> TempDir {
    crate::support::tree(&format!("[scan]\n{scan}\n{RULE}"), &[])
}

/// (path, line, column) of each finding in a JSON report.
fn positions(out: &str) -> Vec<(String, u64, u64)> {
    json(out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap().to_owned();
            (
                path,
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::symlink;
    use std::os::unix::net::UnixListener;

    use super::*;

    #[test]
    fn fifos_sockets_and_devices_are_skipped_without_blocking() {
        let dir = tree("");
        write(dir.path(), "app/real.php", "Foo\n");
        let status = std::process::Command::new("mkfifo")
            .arg(dir.path().join("app/pipe.php"))
            .status()
            .unwrap();
        assert!(status.success());
        let _socket = UnixListener::bind(dir.path().join("app/socket.php")).unwrap();
        // Creating a device node needs CAP_MKNOD, which a container may lack: then the FIFO
        // and the socket still stand for the non-regular files.
        let _ = std::process::Command::new("mknod")
            .arg(dir.path().join("app/null.php"))
            .args(["c", "1", "3"])
            .stderr(Stdio::null())
            .status();
        symlink(
            dir.path().join("app/pipe.php"),
            dir.path().join("app/to-pipe.php"),
        )
        .unwrap();
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        assert_eq!(positions(&out), [("app/real.php".to_owned(), 1, 1)]);
        assert_eq!(json(&out)["summary"]["files_scanned"], 1);

        write(
            dir.path(),
            "vestige.toml",
            format!("[scan]\nfollow_symlinks = true\n{RULE}"),
        );
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        assert_eq!(positions(&out), [("app/real.php".to_owned(), 1, 1)]);
    }

    #[test]
    fn symlinks_are_not_followed_unless_asked_and_loops_end() {
        let outside = TempDir::new().unwrap();
        write(outside.path(), "lib/Outside.php", "Foo\n");
        let dir = tree("");
        write(dir.path(), "app/a/Inside.php", "Foo\n");
        symlink(dir.path().join("app"), dir.path().join("app/a/loop")).unwrap();
        symlink(outside.path().join("lib"), dir.path().join("app/lib")).unwrap();
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        assert_eq!(positions(&out), [("app/a/Inside.php".to_owned(), 1, 1)]);

        write(
            dir.path(),
            "vestige.toml",
            format!("[scan]\nfollow_symlinks = true\n{RULE}"),
        );
        let (out, stderr) = run(check_in(dir.path(), &["--format", "json"]), 1);
        assert_eq!(
            positions(&out),
            [
                ("app/a/Inside.php".to_owned(), 1, 1),
                ("app/lib/Outside.php".to_owned(), 1, 1)
            ]
        );
        assert!(
            stderr.contains("note:") && stderr.contains("loop"),
            "{stderr}"
        );
    }

    #[test]
    fn an_unreadable_entry_is_reported_once_and_exits_2_after_the_whole_scan() {
        let dir = tree("follow_symlinks = true");
        write(dir.path(), "app/Found.php", "Foo\n");
        symlink(
            dir.path().join("app/gone.php"),
            dir.path().join("app/dangling.php"),
        )
        .unwrap();
        let (out, stderr) = run(check_in(dir.path(), &["--format", "short"]), 2);
        assert_eq!(out, "app/Found.php:1:1: error[legacy]: `Foo`: legacy run\n");
        assert_eq!(stderr.matches("dangling.php").count(), 1, "{stderr}");
    }

    #[test]
    fn control_characters_in_names_and_lines_never_reach_the_terminal_raw() {
        let dir = tree("");
        write(
            dir.path(),
            "app/evil\x1b[2J\x07.php",
            "\x1b]0;pwned\x07 Foo \x1b[31mred\r\n",
        );
        for format in ["human", "short"] {
            let (out, _) = run(check_in(dir.path(), &["--format", format]), 1);
            assert!(format == "short" || out.contains("Foo"), "{out}");
            assert!(
                !out.chars().any(|c| c.is_control() && c != '\n'),
                "{format} printed a raw control character: {out:?}"
            );
            assert!(
                out.contains("evil\u{241b}[2J\u{2407}.php"),
                "{format}: {out}"
            );
        }
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        assert_eq!(json(&out)["findings"][0]["path"], "app/evil\x1b[2J\x07.php");
    }

    /// `vestige check ARGS` in `dir` as an unprivileged user, so that permissions hold: as is
    /// when not run by root, through `setpriv` as `nobody` when run by root; `None` (with the
    /// reason printed) when that is impossible.
    fn check_unprivileged(dir: &std::path::Path, args: &[&str]) -> Option<std::process::Output> {
        use std::os::unix::fs::PermissionsExt;

        let bin = assert_cmd::cargo::cargo_bin("vestige");
        let uid = std::process::Command::new("id").arg("-u").output().ok()?;
        let mut cmd = if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
            let mut cmd = std::process::Command::new("setpriv");
            cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&bin);
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).ok()?;
            cmd
        } else {
            std::process::Command::new(&bin)
        };
        let output = cmd.current_dir(dir).arg("check").args(args).output();
        match output {
            Ok(output) if !String::from_utf8_lossy(&output.stderr).contains("setpriv") => {
                Some(output)
            }
            _ => {
                eprintln!("skipped: cannot run vestige as an unprivileged user here");
                None
            }
        }
    }

    #[test]
    fn an_unlistable_directory_is_reported_relative_to_the_root() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tree("");
        write(dir.path(), "app/Found.php", "Foo\n");
        write(dir.path(), "app/locked/Hidden.php", "Foo\n");
        let locked = dir.path().join("app/locked");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let output = check_unprivileged(dir.path(), &["--format", "short"]);
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        let Some(output) = output else { return };
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("vestige: app/locked: Permission denied"),
            "{stderr}"
        );
        let root = dir.path().canonicalize().unwrap();
        assert!(!stderr.contains(root.to_str().unwrap()), "{stderr}");
        assert!(!stderr.contains(dir.path().to_str().unwrap()), "{stderr}");
    }

    #[test]
    fn a_full_stderr_or_stdout_never_panics() {
        let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
            eprintln!("skipped: no /dev/full on this system");
            return;
        };
        let dir = tree("");
        write(dir.path(), "a.php", "Foo\n");
        let vestige = || {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("vestige"));
            cmd.current_dir(dir.path());
            cmd
        };
        let cases: [(&[&str], i32); 5] = [
            (&["check", "--config", "missing.toml"], 2),
            (&["check", "--frobnicate"], 2),
            (&["explain", "nope"], 2),
            (&["check", "--statistics"], 1),
            (&["init"], 2),
        ];
        fs::create_dir(dir.path().join("fresh")).unwrap();
        let output = vestige()
            .current_dir(dir.path().join("fresh"))
            .arg("init")
            .stderr(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "init writes, then cannot say so"
        );
        assert!(dir.path().join("fresh/vestige.toml").is_file());
        for (args, code) in cases {
            let output = vestige()
                .args(args)
                .stdout(Stdio::null())
                .stderr(full.try_clone().unwrap())
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(code), "{args:?}");
        }
        let output = vestige()
            .arg("--help")
            .stdout(full.try_clone().unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(output.stderr.is_empty());
    }

    #[test]
    fn non_utf8_file_names_give_valid_json_with_replacement_characters() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;

        let dir = tree("");
        let name = OsStr::from_bytes(b"app/bad\xffname.php");
        write(dir.path(), "app/keep.txt", "");
        fs::write(dir.path().join(name), "Foo\n").unwrap();
        let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
        assert_eq!(
            positions(&out),
            [("app/bad\u{FFFD}name.php".to_owned(), 1, 1)]
        );
    }
}

#[test]
fn odd_bytes_are_scanned_as_text_with_columns_in_characters() {
    let dir = tree("");
    write(dir.path(), "bom.php", b"\xEF\xBB\xBFFoo\n");
    write(dir.path(), "invalid.php", b"\xff\xfe\x80 Foo\n");
    write(dir.path(), "crlf.php", "a\r\nb Foo\r\n");
    write(dir.path(), "lone-cr.php", "a\rb\rFoo\nFoo");
    write(dir.path(), "empty.php", "");
    write(dir.path(), "no-newline.php", "x Foo");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("Foo\n".encode_utf16().flat_map(u16::to_le_bytes));
    write(dir.path(), "utf16.php", utf16);
    let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
    let found = positions(&out);
    let at = |p: &str, l, c| (p.to_owned(), l, c);
    assert_eq!(
        found,
        [
            at("bom.php", 1, 1),
            at("crlf.php", 2, 3),
            at("invalid.php", 1, 5),
            at("lone-cr.php", 1, 5),
            at("lone-cr.php", 2, 1),
            at("no-newline.php", 1, 3),
            at("utf16.php", 1, 1),
        ]
    );
    // UTF-16 with a byte order mark is transcoded and searched; empty.php counts too.
    assert_eq!(json(&out)["summary"]["files_scanned"], 7);
}

#[test]
fn a_50_mb_single_line_file_is_found_with_a_short_snippet() {
    let dir = tree("");
    let mut line = "x".repeat(25_000_000);
    line.push_str(" Foo ");
    line.push_str(&"y".repeat(25_000_000));
    write(dir.path(), "resources/js/app.min.js", &line);
    let (out, _) = run(check_in(dir.path(), &["--format", "human"]), 1);
    assert!(out.contains("Foo"), "{out}");
    assert!(out.len() < 2_000, "snippet not cut: {} bytes", out.len());
    assert!(out.lines().all(|l| l.chars().count() <= 260), "{out}");
    let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
    assert_eq!(
        positions(&out),
        [("resources/js/app.min.js".to_owned(), 1, 25_000_002)]
    );
}

#[test]
fn files_over_max_filesize_are_skipped_with_a_note() {
    let dir = tree("max_filesize = 100");
    write(dir.path(), "big.php", format!("Foo{}\n", " ".repeat(200)));
    write(dir.path(), "small.php", "Foo\n");
    let (out, stderr) = run(check_in(dir.path(), &["--format", "short"]), 1);
    assert_eq!(out, "small.php:1:1: error[legacy]: `Foo`: legacy run\n");
    assert!(
        stderr.contains("note: big.php: skipped, 204 bytes is over scan.max_filesize (100 bytes)"),
        "{stderr}"
    );
}

#[test]
fn thousands_of_nested_directories_do_not_overflow() {
    let dir = tree("");
    let deep = "d/".repeat(1_500);
    write(dir.path(), &format!("{deep}Deep.php"), "Foo\n");
    let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
    assert_eq!(positions(&out), [(format!("{deep}Deep.php"), 1, 1)]);
}

#[test]
fn a_million_findings_are_all_reported_in_order() {
    let dir = tree("");
    write(dir.path(), "b.php", "Foo\n".repeat(500_000));
    write(dir.path(), "a.php", "Foo Foo\n".repeat(250_000));
    let (out, _) = run(check_in(dir.path(), &["--format", "short"]), 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1_000_000);
    assert_eq!(lines[0], "a.php:1:1: error[legacy]: `Foo`: legacy run");
    assert_eq!(lines[1], "a.php:1:5: error[legacy]: `Foo`: legacy run");
    assert_eq!(
        lines[499_999],
        "a.php:250000:5: error[legacy]: `Foo`: legacy run"
    );
    assert_eq!(
        lines[500_000],
        "b.php:1:1: error[legacy]: `Foo`: legacy run"
    );
    assert_eq!(
        lines[999_999],
        "b.php:500000:1: error[legacy]: `Foo`: legacy run"
    );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = tree("");
    write(dir.path(), "a.php", "Foo\n".repeat(100_000));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vestige"))
        .current_dir(dir.path())
        .args(["check", "--format", "short"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "a.php:1:1: error[legacy]: `Foo`: legacy run\n");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    assert_ne!(output.status.code(), Some(101));
}

#[test]
fn ten_thousand_tokens_and_duplicates_across_rules() {
    let dir = TempDir::new().unwrap();
    let tokens: Vec<String> = (0..10_000).map(|i| format!("\"Legacy{i}Run\"")).collect();
    let rules = format!(
        "[[rule]]\nid = \"many\"\nmessage = \"m\"\ntokens = [{}]\n\n\
         [[rule]]\nid = \"again\"\nmessage = \"m\"\ntokens = [\"Legacy9999Run\", \"Legacy9999Run\"]\n\n\
         [[rule]]\nid = \"colons\"\nmessage = \"m\"\ntokens = [\"::\"]\n",
        tokens.join(", ")
    );
    write(dir.path(), "vestige.toml", rules);
    write(
        dir.path(),
        "a.php",
        "Legacy0Run Legacy9999Run Legacy10000Run Foo::bar x :: y\n",
    );
    let (out, _) = run(check_in(dir.path(), &["--format", "short"]), 1);
    assert_eq!(
        out,
        "a.php:1:1: error[many]: `Legacy0Run`: m\n\
         a.php:1:12: error[again]: `Legacy9999Run`: m\n\
         a.php:1:12: error[many]: `Legacy9999Run`: m\n\
         a.php:1:52: error[colons]: `::`: m\n"
    );
}

/// Asserts that `text`, printed by `what`, holds no control character but newlines and no line
/// that a CI runner would read as a workflow command (GitHub's ignores leading spaces).
fn assert_tame(what: &str, text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{what} printed a raw control character: {text:?}"
    );
    assert!(
        !text.lines().any(|line| line.trim_start().starts_with("::")),
        "{what} started a line with `::`: {text}"
    );
}

#[test]
fn rule_texts_never_reach_the_terminal_raw_nor_start_a_line() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "vestige.toml",
        r#"[[rule]]
id = "legacy"
message = "legacy\u001b[31m\n::error file=m::message"
help = "do\u001b]0;title\u0007\n::error file=h::help"
tokens = ["Bar\u001b\n::error file=t::token"]
patterns = ["Fo+(?:\u001b\n::error file=p::)?"]

[[rule]]
id = "::error file=i::id"
message = "::error file=m::message"
help = "::error file=h::help"
tokens = ["Foo"]
"#,
    );
    write(dir.path(), "a.php", "Foo\n");
    write(dir.path(), "::error file=f::name.php", "Foo\n");
    let outputs = [
        (&["check"][..], 1),
        (&["check", "--format", "short"][..], 1),
        (&["check", "--statistics", "--format", "json"][..], 1),
        (&["rules"][..], 0),
        (&["rules", "--expand"][..], 0),
        (&["explain", "legacy"][..], 0),
        (&["explain", "::error file=i::id"][..], 0),
        (&["explain", "legacy\u{1b}[2J"][..], 2),
    ];
    for (args, code) in outputs {
        let mut cmd = crate::support::vestige(dir.path());
        cmd.args(args);
        let (out, stderr) = run(cmd, code);
        let shown = if args.contains(&"json") { "" } else { &out };
        assert_tame(&format!("{args:?}"), &format!("{shown}{stderr}"));
    }
    let (out, _) = run(check_in(dir.path(), &[]), 1);
    assert!(
        out.contains("matches `Fo+(?:\u{241b}\u{240a}::error"),
        "{out}"
    );
    let mut explain = crate::support::vestige(dir.path());
    explain.args(["explain", "legacy"]);
    let (out, _) = run(explain, 0);
    assert!(
        out.contains("\n  legacy\u{241b}[31m\u{240a}::error file=m::message\n"),
        "{out}"
    );
}

#[test]
fn wrapping_a_long_message_or_help_never_starts_a_line_with_a_workflow_command() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a.php", "Foo\n");
    for words in 40..=48 {
        let long = "a_".repeat(words);
        write(
            dir.path(),
            "vestige.toml",
            format!(
                "[[rule]]\nid = \"legacy\"\nmessage = \"{long} ::error file=m::x\"\n\
                 help = \"{long} ::error file=h::x\"\ntokens = [\"Foo\"]\n"
            ),
        );
        let (out, _) = run(check_in(dir.path(), &[]), 1);
        assert_tame(&format!("{words} words"), &out);
    }
}

#[test]
fn a_rule_id_with_a_control_character_is_a_rule_file_error() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "vestige.toml",
        "[[rule]]\nid = \"x\\u001b]0;t\\u0007\\n::error file=x::\"\nmessage = \"m\"\ntokens = [\"Foo\"]\n",
    );
    write(dir.path(), "a.php", "Foo\n");
    let (out, stderr) = run(check_in(dir.path(), &[]), 2);
    assert_eq!(out, "");
    assert!(
        stderr.contains("rule id holds a control character"),
        "{stderr}"
    );
    assert_tame("a rule-file error", &stderr);
}

#[test]
fn a_huge_thread_count_is_clamped_to_a_few_per_cpu() {
    let dir = tree("");
    write(dir.path(), "a.php", "Foo\n");
    write(dir.path(), "b.php", "x\n");
    let (out, _) = run(
        check_in(dir.path(), &["--format", "short", "-j", "65535"]),
        1,
    );
    assert_eq!(out, "a.php:1:1: error[legacy]: `Foo`: legacy run\n");
}

#[test]
fn output_is_byte_identical_across_thread_counts_and_runs() {
    let dir = tree("exclude = [\"skip/\"]");
    for i in 0..3_000 {
        let body = match i % 7 {
            0 => format!("<?php\n// {i}\n$x = Foo::query();\n\tFoo\n"),
            3 => format!("ä{i} Foo\r\nnothing\n"),
            _ => format!("<?php\n// {i} FooBar\n"),
        };
        write(dir.path(), &format!("app/m{}/f{i}.php", i % 37), body);
    }
    for format in ["human", "short", "json"] {
        let (one, _) = run(check_in(dir.path(), &["--format", format, "-j", "1"]), 1);
        assert!(one.contains("app/m0/f0.php"), "{one}");
        for threads in ["2", "8", "8"] {
            let (many, _) = run(
                check_in(dir.path(), &["--format", format, "-j", threads]),
                1,
            );
            assert!(one == many, "{format} differs with -j {threads}");
        }
    }
}

#[test]
fn a_nul_byte_never_hides_a_source_file_and_binary_skips_are_told() {
    let dir = tree("");
    write(dir.path(), "app/Legacy.php", b"<?php\0\nnew Foo();\n");
    write(dir.path(), "app/blob.bin", b"\0Foo\n");
    let (out, err) = run(
        check_in(dir.path(), &["--format", "json", "--statistics"]),
        1,
    );
    assert_eq!(positions(&out), [("app/Legacy.php".to_owned(), 2, 5)]);
    assert!(err.contains("1 skipped as binary"), "{err}");
    assert!(!err.contains("app/blob.bin"), "{err}");

    let (_, err) = run(check_in(dir.path(), &["app/blob.bin"]), 0);
    assert!(
        err.contains("note: app/blob.bin: skipped as binary") && err.contains("scan.text_files"),
        "{err}"
    );
    write(
        dir.path(),
        "vestige.toml",
        format!("[scan]\ntext_files = [\"*.bin\"]\n{RULE}"),
    );
    let (out, _) = run(check_in(dir.path(), &["--format", "json", "app"]), 1);
    let paths: Vec<String> = positions(&out).into_iter().map(|p| p.0).collect();
    assert_eq!(paths, ["app/Legacy.php", "app/blob.bin"]);
}

#[test]
fn a_named_path_outside_the_root_fails_and_one_out_of_scope_is_told() {
    let dir = tree("exclude = [\"/vendor/\"]");
    write(dir.path(), "vendor/lib/Old.php", "Foo\n");
    write(dir.path(), "app/Ok.php", "ok\n");
    let outside = TempDir::new().unwrap();
    write(outside.path(), "Other.php", "Foo\n");
    let other = outside.path().join("Other.php");
    let (out, err) = run(check_in(dir.path(), &[other.to_str().unwrap()]), 2);
    assert_eq!(out, "");
    assert!(err.contains("outside the project root"), "{err}");

    let (_, err) = run(
        check_in(dir.path(), &["vendor/lib/Old.php", "app/Ok.php"]),
        0,
    );
    assert!(
        err.contains("note: vendor/lib/Old.php: not scanned: outside scan.roots, or excluded"),
        "{err}"
    );
    assert!(!err.contains("app/Ok.php"), "{err}");
}
