//! The machine formats (sarif, github, gitlab, junit, checkstyle) on the shipped fixture and on
//! hostile trees built per test, each parsed back and checked; and the exit-code flags
//! `--exit-zero` and `--deny-warnings`.

use std::collections::HashSet;
use std::fs;

use crate::support::{FIXTURE, RULE, check_fixture, check_in, json, repo, run, write};
use serde_json::Value;
use tempfile::TempDir;

/// The ids of the shipped rules, then vestige's built-in ones, as every format lists them.
const RULE_IDS: [&str; 9] = [
    "bulk-operation-runs",
    "bulk-operation-runs-deleted",
    "legacy-inventory-sync-runs",
    "legacy-entra-group-sync-runs",
    "legacy-backup-schedule-runs",
    "ui-no-graph-calls",
    "unused-suppression",
    "suppression-without-reason",
    "baseline-grew",
];

/// The fixture's report in `format`; the document formats print nothing on stderr.
fn fixture(format: &str) -> String {
    let (out, stderr) = run(check_fixture(&["--format", format]), 1);
    assert_eq!(stderr, "", "{format}");
    out
}

/// A tree whose `vestige.toml` holds `rules` (TOML text).
fn tree(rules: &str) -> TempDir {
    crate::support::tree(rules, &[])
}

/// The findings of the fixture in vestige's own JSON format, to compare the others with.
fn fixture_findings() -> Vec<Value> {
    let (out, _) = run(check_fixture(&["--format", "json"]), 1);
    json(&out)["findings"].as_array().unwrap().clone()
}

/// The one-line message of a finding in vestige's JSON, as the line formats write it: what
/// matched (and the token or pattern it matched, when that differs), then the rule's message.
fn line_message(finding: &Value) -> String {
    let (matched, needle) = (&finding["match"], &finding["needle"]);
    let subject = match finding["variant_of"].as_str() {
        Some(token) => format!("`{}` (a variant of `{token}`)", matched.as_str().unwrap()),
        None if matched == needle => format!("`{}`", matched.as_str().unwrap()),
        None => format!(
            "`{}` (matches `{}`)",
            matched.as_str().unwrap(),
            needle.as_str().unwrap()
        ),
    };
    format!("{subject}: {}", finding["message"].as_str().unwrap())
}

/// A validator for the official SARIF 2.1.0 schema (draft-04), formats included.
fn sarif_validator() -> jsonschema::Validator {
    let schema =
        json(&fs::read_to_string(repo().join("tests/data/sarif-schema-2.1.0.json")).unwrap());
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// Checks `log` against the official SARIF 2.1.0 schema.
fn assert_valid_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

fn sarif_fingerprints(log: &Value) -> Vec<String> {
    results(log)
        .iter()
        .map(|r| {
            r["partialFingerprints"]["vestigeMatch/v1"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn xml(out: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(out).unwrap_or_else(|err| panic!("invalid XML ({err}):\n{out}"))
}

fn elements<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> + 'a {
    doc.descendants().filter(move |n| n.has_tag_name(name))
}

#[test]
fn sarif_for_the_fixture_is_valid_against_the_official_schema() {
    let out = fixture("sarif");
    let log = json(&out);
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "vestige");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, RULE_IDS);
    assert_eq!(rules[5]["defaultConfiguration"]["level"], "warning");
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");

    let findings = fixture_findings();
    let results = results(&log);
    assert_eq!(results.len(), 81);
    for (result, finding) in results.iter().zip(&findings) {
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(result["ruleId"], rule["id"]);
        assert_eq!(result["ruleId"], finding["rule"]);
        assert_eq!(result["level"], finding["severity"]);
        assert_eq!(result["message"]["text"], finding["message"]);
        assert_eq!(rule["shortDescription"]["text"], finding["message"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], finding["path"]);
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        assert_eq!(region["startLine"], finding["line"]);
        assert_eq!(region["startColumn"], finding["column"]);
        assert_eq!(region["endLine"], finding["end_line"]);
        assert_eq!(region["endColumn"], finding["end_column"]);
        assert_eq!(region["snippet"]["text"], finding["match"]);
    }
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels.iter().filter(|&&l| l == "error").count(), 76);
    assert_eq!(levels.iter().filter(|&&l| l == "warning").count(), 5);

    let fingerprints = sarif_fingerprints(&log);
    assert_eq!(fingerprints.iter().collect::<HashSet<_>>().len(), 81);
    assert!(
        fingerprints
            .iter()
            .all(|f| f.len() == 32 && f.bytes().all(|b| b.is_ascii_hexdigit()))
    );
    let root = repo().join(FIXTURE);
    assert!(!out.contains(root.to_str().unwrap()));
    for result in results {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains(':') && !uri.contains('\\'),
            "{uri}"
        );
    }
    assert!(runs[0].get("originalUriBaseIds").is_none());
}

#[test]
fn the_sarif_schema_check_is_not_vacuous() {
    let mut log = json(&fixture("sarif"));
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    let validator = sarif_validator();
    assert!(!validator.is_valid(&log));
    log["runs"][0]["results"][0]["level"] = "error".into();
    assert!(validator.is_valid(&log));
    log["$schema"] = "not a uri".into();
    assert!(!validator.is_valid(&log), "formats must be checked too");
}

#[test]
fn fingerprints_survive_lines_added_above_and_are_shared_by_sarif_and_gitlab() {
    let dir = tree(RULE);
    write(dir.path(), "app/A.php", "Foo\nx Foo y\n");
    write(dir.path(), "app/B.php", "Foo\n");
    let before = json(&run(check_in(dir.path(), &["--format", "sarif"]), 1).0);
    write(dir.path(), "app/A.php", "<?php\n\n// moved\nFoo\nx Foo y\n");
    let after = json(&run(check_in(dir.path(), &["--format", "sarif"]), 1).0);
    let line = |log: &Value, i: usize| {
        results(log)[i]["locations"][0]["physicalLocation"]["region"]["startLine"].clone()
    };
    assert_eq!(
        [line(&before, 0), line(&after, 0)],
        [Value::from(1), Value::from(4)]
    );
    assert_eq!(
        [line(&before, 1), line(&after, 1)],
        [Value::from(2), Value::from(5)]
    );
    let fingerprints = sarif_fingerprints(&before);
    assert_eq!(fingerprints, sarif_fingerprints(&after));
    assert_eq!(fingerprints.iter().collect::<HashSet<_>>().len(), 3);

    let gitlab = json(&run(check_in(dir.path(), &["--format", "gitlab"]), 1).0);
    let gitlab: Vec<&str> = gitlab
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| issue["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(gitlab, fingerprints);
}

#[cfg(unix)]
#[test]
fn sarif_uris_are_percent_encoded_relative_references() {
    let dir = tree(RULE);
    let name = "app/we ird#%:?[x]\\ü\x01.php";
    write(dir.path(), name, "Foo\n");
    write(dir.path(), "c:/d.php", "Foo\n");
    let out = run(check_in(dir.path(), &["--format", "sarif"]), 1).0;
    let log = json(&out);
    assert_valid_sarif(&log);
    let uris: Vec<&str> = results(&log)
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        [
            "app/we%20ird%23%25%3A%3F%5Bx%5D%5C%C3%BC%01.php",
            "c%3A/d.php"
        ]
    );
    assert!(!out.contains(dir.path().to_str().unwrap()));
}

#[test]
fn gitlab_for_the_fixture_matches_the_findings_field_by_field() {
    let issues = json(&fixture("gitlab"));
    let issues = issues.as_array().unwrap();
    let findings = fixture_findings();
    assert_eq!(issues.len(), 81);
    let warning = findings
        .iter()
        .position(|f| f["severity"] == "warning")
        .unwrap();
    for i in [0, 1, 2, 40, 80, warning] {
        let (issue, finding) = (&issues[i], &findings[i]);
        let mut keys: Vec<&str> = issue
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "check_name",
                "description",
                "fingerprint",
                "location",
                "severity"
            ]
        );
        assert_eq!(issue["description"], line_message(finding));
        assert_eq!(issue["check_name"], finding["rule"]);
        let severity = if finding["severity"] == "error" {
            "major"
        } else {
            "minor"
        };
        assert_eq!(issue["severity"], severity, "{i}");
        assert_eq!(issue["location"]["path"], finding["path"]);
        assert_eq!(issue["location"]["lines"]["begin"], finding["line"]);
    }
    assert_eq!(issues[warning]["severity"], "minor");
    let sarif = sarif_fingerprints(&json(&fixture("sarif")));
    let fingerprints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints, sarif);
}

#[test]
fn notes_are_info_in_gitlab_and_notices_on_github() {
    let dir = tree(&RULE.replace("tokens", "severity = \"note\"\ntokens"));
    write(dir.path(), "app/A.php", "Foo\n");
    let issues = json(&run(check_in(dir.path(), &["--format", "gitlab"]), 0).0);
    assert_eq!(issues[0]["severity"], "info");
    let (out, _) = run(check_in(dir.path(), &["--format", "github"]), 0);
    assert_eq!(
        out,
        "::notice file=app/A.php,line=1,col=1,endLine=1,endColumn=4,title=vestige [legacy]::`Foo`: legacy run\n"
    );
    let log = json(&run(check_in(dir.path(), &["--format", "sarif"]), 0).0);
    assert_eq!(results(&log)[0]["level"], "note");
    let (out, _) = run(check_in(dir.path(), &["--format", "checkstyle"]), 0);
    assert!(out.contains(r#"severity="info""#), "{out}");
}

#[test]
fn junit_for_the_fixture_has_a_suite_per_rule_and_a_failure_per_finding() {
    let out = fixture("junit");
    let doc = xml(&out);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(
        root.attribute("failures"),
        Some("76"),
        "warnings pass without --deny-warnings"
    );
    let suites: Vec<_> = elements(&doc, "testsuite").collect();
    let names: Vec<&str> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert_eq!(names, RULE_IDS);
    let findings = fixture_findings();
    let mut tests = 0;
    for suite in &suites {
        let rule = suite.attribute("name").unwrap();
        let expected: Vec<String> = findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| {
                format!(
                    "{}:{}:{}",
                    f["path"].as_str().unwrap(),
                    f["line"],
                    f["column"]
                )
            })
            .collect();
        let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
        tests += cases.len();
        let warns = findings
            .iter()
            .any(|f| f["rule"] == rule && f["severity"] == "warning");
        let failing = if warns { 0 } else { expected.len() };
        assert_eq!(suite.attribute("failures"), Some(&*failing.to_string()));
        assert_eq!(suite.attribute("tests"), Some(&*cases.len().to_string()));
        if expected.is_empty() {
            assert_eq!(cases.len(), 1, "{rule}");
            assert_eq!(cases[0].attribute("name"), Some("no findings"));
            assert!(cases[0].children().all(|n| !n.is_element()));
            continue;
        }
        let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
        assert_eq!(names, expected);
        for case in &cases {
            assert_eq!(
                case.attribute("classname"),
                Some(&*format!("vestige.{rule}"))
            );
            let child = case.first_element_child().unwrap();
            let body = child.text().unwrap();
            assert!(body.starts_with(case.attribute("name").unwrap()), "{body}");
            if warns {
                assert_eq!(child.tag_name().name(), "system-out", "{rule}");
                continue;
            }
            assert_eq!(child.tag_name().name(), "failure");
            let finding = findings
                .iter()
                .find(|f| {
                    f["rule"] == rule
                        && format!(
                            "{}:{}:{}",
                            f["path"].as_str().unwrap(),
                            f["line"],
                            f["column"]
                        ) == case.attribute("name").unwrap()
                })
                .unwrap();
            assert_eq!(child.attribute("message"), Some(&*line_message(finding)));
            assert_eq!(child.attribute("type"), finding["severity"].as_str());
        }
    }
    assert_eq!(root.attribute("tests"), Some(&*tests.to_string()));
    let failures: Vec<_> = elements(&doc, "failure").collect();
    assert_eq!(failures.len(), 76);
    assert!(
        failures
            .iter()
            .all(|f| f.attribute("type") == Some("error"))
    );
    assert_eq!(elements(&doc, "system-out").count(), 5);

    let (denied, _) = run(check_fixture(&["--format", "junit", "--deny-warnings"]), 1);
    let denied = xml(&denied);
    assert_eq!(denied.root_element().attribute("failures"), Some("81"));
    assert_eq!(elements(&denied, "system-out").count(), 0);
}

#[test]
fn checkstyle_for_the_fixture_lists_every_finding_under_its_file() {
    let out = fixture("checkstyle");
    let doc = xml(&out);
    assert_eq!(doc.root_element().tag_name().name(), "checkstyle");
    let findings = fixture_findings();
    let files: Vec<_> = elements(&doc, "file").collect();
    let distinct: HashSet<&str> = findings
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), distinct.len());
    let errors: Vec<(String, String, String, String, String, String)> = files
        .iter()
        .flat_map(|file| {
            let name = file.attribute("name").unwrap().to_owned();
            file.children().filter(|n| n.is_element()).map(move |e| {
                let attr = |a: &str| e.attribute(a).unwrap().to_owned();
                (
                    name.clone(),
                    attr("line"),
                    attr("column"),
                    attr("severity"),
                    attr("message"),
                    attr("source"),
                )
            })
        })
        .collect();
    let expected: Vec<_> = findings
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap().to_owned();
            (
                text("path"),
                f["line"].to_string(),
                f["column"].to_string(),
                text("severity"),
                line_message(f),
                format!("vestige.{}", text("rule")),
            )
        })
        .collect();
    assert_eq!(errors, expected);
    assert_eq!(errors.len(), 81);
}

/// A rule message with markup, quotes and control characters, and a tree whose one file has
/// all of them in its name and its content.
#[cfg(unix)]
fn hostile_tree() -> (TempDir, &'static str, &'static str) {
    let name = "app/<a&b>\"q'\u{1}\u{1b}\t\r\n]]>.php";
    let dir = tree(
        "[[rule]]\nid = \"legacy\"\n\
         message = \"no <b> & \\\"c\\\" 'd' \\u0001\\u001b\\r\\n]]> here\"\n\
         help = \"use <Bar/> & co\"\ntokens = [\"Foo\"]\n",
    );
    write(
        dir.path(),
        name,
        "<?php $x = \"<&>\"; Foo \u{1}\u{1b}\u{b} </failure>]]> --> &amp;\r\n",
    );
    (dir, name, "no <b> & \"c\" 'd' \u{1}\u{1b}\r\n]]> here")
}

/// `text` as an XML parser reads it back after vestige's escaping.
#[cfg(unix)]
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn junit_is_well_formed_for_any_file_name_message_and_content() {
    let (dir, name, message) = hostile_tree();
    let (out, _) = run(check_in(dir.path(), &["--format", "junit"]), 1);
    let doc = xml(&out);
    let case = elements(&doc, "testcase").next().unwrap();
    assert_eq!(
        case.attribute("name"),
        Some(&*format!("{}:1:19", xml_safe(name)))
    );
    assert_eq!(case.attribute("file"), Some(&*xml_safe(name)));
    let failure = case.first_element_child().unwrap();
    let message = format!("`Foo`: {message}");
    assert_eq!(failure.attribute("message"), Some(&*xml_safe(&message)));
    let body = failure.text().unwrap();
    assert!(
        body.contains("$x = \"<&>\"; Foo \u{2401}\u{241B}\u{240B} </failure>]]> --> &amp;"),
        "{body}"
    );
    assert!(body.contains("help: use <Bar/> & co"), "{body}");
    assert!(body.contains(&xml_safe(&message)), "{body}");
}

#[cfg(unix)]
#[test]
fn checkstyle_is_well_formed_for_any_file_name_and_message() {
    let (dir, name, message) = hostile_tree();
    let (out, _) = run(check_in(dir.path(), &["--format", "checkstyle"]), 1);
    let doc = xml(&out);
    let file = elements(&doc, "file").next().unwrap();
    assert_eq!(file.attribute("name"), Some(&*xml_safe(name)));
    let error = file.first_element_child().unwrap();
    let message = format!("`Foo`: {message}");
    assert_eq!(error.attribute("message"), Some(&*xml_safe(&message)));
    assert_eq!(error.attribute("source"), Some("vestige.legacy"));
    assert_eq!(error.attribute("line"), Some("1"));
    assert_eq!(error.attribute("column"), Some("19"));
}

#[cfg(unix)]
#[test]
fn json_formats_keep_the_exact_name_and_message_of_a_hostile_tree() {
    let (dir, name, message) = hostile_tree();
    let log = json(&run(check_in(dir.path(), &["--format", "sarif"]), 1).0);
    assert_valid_sarif(&log);
    assert_eq!(results(&log)[0]["message"]["text"], message);
    let issues = json(&run(check_in(dir.path(), &["--format", "gitlab"]), 1).0);
    assert_eq!(issues[0]["location"]["path"], name);
    assert_eq!(issues[0]["description"], format!("`Foo`: {message}"));
}

/// Splits a workflow command line into its command, its unescaped properties and its
/// unescaped message, as the Actions runner does.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::").unwrap();
    let (head, message) = rest.split_once("::").unwrap();
    let (command, properties) = head.split_once(' ').unwrap();
    let properties = properties
        .split(',')
        .map(|p| {
            let (key, value) = p.split_once('=').unwrap();
            (key.to_owned(), unescape(value))
        })
        .collect();
    (command.to_owned(), properties, unescape(message))
}

#[cfg(unix)]
#[test]
fn github_commands_cannot_be_injected_through_a_file_name_or_a_message() {
    let dir = tree(
        "[[rule]]\nid = \"legacy\"\n\
         message = \"legacy\\n::error::pwned\\r\\n::warning file=x.php,line=1::y 100%0A\"\n\
         tokens = [\"Foo\"]\n",
    );
    let name = "app/evil,line=1::x\n::error::pwned%0A.php";
    write(dir.path(), name, "Foo\n");
    let (out, stderr) = run(check_in(dir.path(), &["--format", "github"]), 1);
    assert!(stderr.contains("1 error in 1 file"), "{stderr}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(!out.contains('\r'));
    let (command, properties, message) = parse_command(lines[0]);
    assert_eq!(command, "error");
    let expected = [
        ("file", name),
        ("line", "1"),
        ("col", "1"),
        ("endLine", "1"),
        ("endColumn", "4"),
        ("title", "vestige [legacy]"),
    ];
    let properties: Vec<(&str, &str)> = properties
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(properties, expected);
    assert_eq!(
        message,
        "`Foo`: legacy\n::error::pwned\r\n::warning file=x.php,line=1::y 100%0A"
    );
}

#[test]
fn github_for_the_fixture_annotates_every_finding() {
    let (out, stderr) = run(check_fixture(&["--format", "github"]), 1);
    assert!(stderr.starts_with("76 errors, 5 warnings in "), "{stderr}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 81);
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::error ")).count(),
        76
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::warning ")).count(),
        5
    );
    let findings = fixture_findings();
    for (line, finding) in lines.iter().zip(&findings) {
        let (_, properties, message) = parse_command(line);
        assert_eq!(properties[0].1, finding["path"].as_str().unwrap());
        assert_eq!(properties[1].1, finding["line"].to_string());
        assert_eq!(properties[4].1, finding["end_column"].to_string());
        assert_eq!(message, line_message(finding));
    }
    insta::assert_snapshot!("fixture_github_head", lines[..4].join("\n"));
}

#[test]
fn exit_zero_reports_everything_and_exits_0() {
    let (all, _) = run(check_fixture(&["--format", "short"]), 1);
    let (out, stderr) = run(check_fixture(&["--format", "short", "--exit-zero"]), 0);
    assert_eq!(out, all);
    assert_eq!(out.lines().count(), 81);
    assert!(stderr.starts_with("76 errors, 5 warnings"), "{stderr}");
}

#[test]
fn deny_warnings_fails_on_warnings_but_not_on_notes() {
    let warnings = tree(&RULE.replace("tokens", "severity = \"warning\"\ntokens"));
    write(warnings.path(), "app/A.php", "Foo\n");
    run(check_in(warnings.path(), &[]), 0);
    run(check_in(warnings.path(), &["--deny-warnings"]), 1);
    run(check_in(warnings.path(), &["--exit-zero"]), 0);

    let notes = tree(&RULE.replace("tokens", "severity = \"note\"\ntokens"));
    write(notes.path(), "app/A.php", "Foo\n");
    run(check_in(notes.path(), &["--deny-warnings"]), 0);

    run(check_fixture(&["--quiet", "--deny-warnings"]), 1);
}

#[test]
fn a_tool_failure_stays_2_whatever_the_flags() {
    for flag in ["--exit-zero", "--deny-warnings"] {
        let (_, stderr) = run(check_fixture(&["--quiet", flag, "no/such/path"]), 2);
        assert!(stderr.contains("no such file"), "{stderr}");
    }
    let (_, stderr) = run(check_fixture(&["--exit-zero", "--deny-warnings"]), 2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_entry_stays_2_with_exit_zero() {
    let dir = tree(&format!("[scan]\nfollow_symlinks = true\n{RULE}"));
    write(dir.path(), "app/Found.php", "Foo\n");
    std::os::unix::fs::symlink(
        dir.path().join("app/gone.php"),
        dir.path().join("app/dangling.php"),
    )
    .unwrap();
    for flag in ["--exit-zero", "--deny-warnings"] {
        let (out, stderr) = run(check_in(dir.path(), &["--format", "short", flag]), 2);
        assert_eq!(out, "app/Found.php:1:1: error[legacy]: `Foo`: legacy run\n");
        assert!(stderr.contains("dangling.php"), "{stderr}");
    }
}

#[test]
fn line_formats_name_the_matched_text_and_the_token_a_variant_comes_from() {
    let dir = tree(
        "[[rule]]\nid = \"legacy\"\nmessage = \"legacy run\"\ntokens = [\"InventorySyncRun\"]\n\
         variants = true\nforbid_paths = [\"app/Old.php\"]\n",
    );
    write(
        dir.path(),
        "app/A.php",
        "DB::table('inventory_sync_runs');\n",
    );
    write(dir.path(), "app/Old.php", "<?php\n");
    let (out, _) = run(check_in(dir.path(), &["--format", "short"]), 1);
    assert_eq!(
        out,
        "app/A.php:1:12: error[legacy]: `inventory_sync_runs` (a variant of `InventorySyncRun`): legacy run\n\
         app/Old.php:1:1: error[legacy]: file forbidden by `app/Old.php`: legacy run\n"
    );
    let (out, _) = run(check_in(dir.path(), &["--format", "human"]), 1);
    assert!(
        out.contains("`inventory_sync_runs`, a variant of `InventorySyncRun`"),
        "{out}"
    );
}

/// A tree where `legacy` finds `Foo` four times: app/A.php line 1 is suppressed by a marker with a
/// reason, app/C.php line 1 by one without, app/B.php is in the baseline `vestige-baseline.toml`,
/// and app/A.php line 2 is new.
fn ratchet_tree() -> TempDir {
    let dir = tree(RULE);
    write(
        dir.path(),
        "app/A.php",
        "Foo(); // vestige-ignore: legacy -- kept until phase 4\n",
    );
    write(dir.path(), "app/B.php", "Foo::run();\n");
    write(
        dir.path(),
        "app/C.php",
        "Foo(); // vestige-ignore: legacy\n",
    );
    run(
        check_in(dir.path(), &["--write-baseline=vestige-baseline.toml"]),
        0,
    );
    write(
        dir.path(),
        "app/A.php",
        "Foo(); // vestige-ignore: legacy -- kept until phase 4\nFoo::again();\n",
    );
    dir
}

#[test]
fn sarif_lists_the_files_with_only_suppressed_findings_in_their_place() {
    let dir = tree(RULE);
    let d = dir.path();
    write(d, "app/0.php", "Foo(); // vestige-ignore: legacy\n");
    write(d, "app/M.php", "\nFoo();\n");
    write(d, "app/Z.php", "Foo(); // vestige-ignore: legacy\n");
    let log = json(&run(check_in(d, &["--format", "sarif"]), 1).0);
    assert_valid_sarif(&log);
    let in_source = serde_json::json!([{ "kind": "inSource" }]);
    assert_eq!(
        sarif_states(&log),
        [
            ("app/0.php".to_owned(), 1, Value::Null, in_source.clone()),
            ("app/M.php".to_owned(), 2, Value::Null, Value::Null),
            ("app/Z.php".to_owned(), 1, Value::Null, in_source),
        ]
    );
}

/// Each result of a SARIF log as (path, line, baselineState, suppressions).
fn sarif_states(log: &Value) -> Vec<(String, u64, Value, Value)> {
    results(log)
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            (
                location["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                location["region"]["startLine"].as_u64().unwrap(),
                r.get("baselineState").cloned().unwrap_or(Value::Null),
                r.get("suppressions").cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

#[test]
fn sarif_shows_suppressed_and_baselined_findings_as_suppressed_results() {
    let dir = ratchet_tree();
    let baseline = ["--baseline", "vestige-baseline.toml"];
    let out = run(
        check_in(
            dir.path(),
            &[&baseline[..], &["--format", "sarif"]].concat(),
        ),
        1,
    )
    .0;
    let log = json(&out);
    assert_valid_sarif(&log);
    let in_source = |reason: Option<&str>| match reason {
        Some(reason) => serde_json::json!([{ "kind": "inSource", "justification": reason }]),
        None => serde_json::json!([{ "kind": "inSource" }]),
    };
    let external =
        serde_json::json!([{ "kind": "external", "justification": "tolerated by the baseline" }]);
    let at = |path: &str, line: u64, state: &str, suppressions: Value| {
        (path.to_owned(), line, Value::from(state), suppressions)
    };
    assert_eq!(
        sarif_states(&log),
        [
            at("app/A.php", 1, "new", in_source(Some("kept until phase 4"))),
            at("app/A.php", 2, "new", Value::Null),
            at("app/B.php", 1, "unchanged", external),
            at("app/C.php", 1, "new", in_source(None)),
        ]
    );
    let fingerprints = sarif_fingerprints(&log);
    assert_eq!(fingerprints.iter().collect::<HashSet<_>>().len(), 4);
    let gitlab = run(
        check_in(
            dir.path(),
            &[&baseline[..], &["--format", "gitlab"]].concat(),
        ),
        1,
    );
    let gitlab = json(&gitlab.0);
    assert_eq!(
        gitlab[0]["fingerprint"].as_str(),
        Some(fingerprints[1].as_str()),
        "a finding keeps its fingerprint whether or not its twin above is suppressed"
    );

    let (out, stderr) = run(
        check_in(dir.path(), &[&baseline[..], &["--format", "json"]].concat()),
        1,
    );
    assert_eq!(stderr, "");
    let report = json(&out);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(report["summary"]["suppressed"], 2);
    assert_eq!(report["summary"]["baselined"], 1);

    let log = json(&run(check_in(dir.path(), &["--format", "sarif", "app"]), 1).0);
    assert_valid_sarif(&log);
    assert_eq!(
        sarif_states(&log),
        [
            at("app/A.php", 1, "", in_source(Some("kept until phase 4"))),
            at("app/A.php", 2, "", Value::Null),
            at("app/B.php", 1, "", Value::Null),
            at("app/C.php", 1, "", in_source(None)),
        ]
        .map(|(path, line, _, suppressions)| (path, line, Value::Null, suppressions)),
        "without a baseline, no result has a baselineState"
    );
}

#[test]
fn the_summary_line_and_statistics_count_suppressed_and_baselined_findings() {
    let dir = ratchet_tree();
    let args = [
        "--baseline",
        "vestige-baseline.toml",
        "--format",
        "short",
        "--statistics",
    ];
    let (out, stderr) = run(check_in(dir.path(), &args), 1);
    assert_eq!(out, "app/A.php:2:1: error[legacy]: `Foo`: legacy run\n");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("1 error in 1 file, 2 suppressed, 1 baselined; 3 files scanned in "),
        "{stderr}"
    );
    assert!(
        lines[1].ends_with("ms; 1 findings, 2 suppressed, 1 baselined"),
        "{stderr}"
    );
    let (_, stderr) = run(check_in(dir.path(), &["--format", "github", "app"]), 1);
    assert!(
        stderr.starts_with("2 errors in 2 files, 2 suppressed; "),
        "{stderr}"
    );
}

#[test]
fn unused_suppression_names_the_rule_id_a_marker_probably_meant() {
    let dir = tree(
        "[[rule]]\nid = \"legacy-inventory-sync-runs\"\nmessage = \"legacy run\"\ntokens = [\"Foo\"]\n",
    );
    write(
        dir.path(),
        "app/A.php",
        "Foo(); // vestige-ignore: legacy-inventory-sync-run -- typo\n\
         Foo(); // vestige-ignore: legacy-inventory-sync-runs, legacy-inventry-sync-runs -- ok\n\
         // vestige-ignore: unrelated-rule -- nothing like it\n",
    );
    let (out, _) = run(check_in(dir.path(), &["--format", "short"]), 1);
    assert_eq!(
        out,
        "app/A.php:1:1: error[legacy-inventory-sync-runs]: `Foo`: legacy run\n\
         app/A.php:1:11: warning[unused-suppression]: `vestige-ignore: legacy-inventory-sync-run \
         -- typo` (did you mean `legacy-inventory-sync-runs`?): this vestige-ignore suppresses \
         nothing\n\
         app/A.php:2:55: warning[unused-suppression]: `legacy-inventry-sync-runs` (did you mean \
         `legacy-inventory-sync-runs`?): this vestige-ignore suppresses nothing\n\
         app/A.php:3:4: warning[unused-suppression]: `vestige-ignore: unrelated-rule -- nothing \
         like it` (matches `vestige-ignore`): this vestige-ignore suppresses nothing\n"
    );
    let (out, _) = run(check_in(dir.path(), &["--format", "json"]), 1);
    let notes: Vec<Value> = json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.get("note").cloned().unwrap_or(Value::Null))
        .collect();
    let meant = Value::from("did you mean `legacy-inventory-sync-runs`?");
    assert_eq!(notes, [Value::Null, meant.clone(), meant, Value::Null]);
    let (out, _) = run(check_in(dir.path(), &["--format", "human"]), 1);
    assert_eq!(
        out.matches("`-- did you mean `legacy-inventory-sync-runs`?")
            .count(),
        2,
        "{out}"
    );
}

#[test]
fn the_baseline_keys_on_the_source_line_whatever_the_format_shows() {
    let dir = crate::support::tree(
        "[[rule]]\nid = \"legacy\"\nmessage = \"legacy run\"\ntokens = [\"Foo\"]\n",
        &[("app/a.php", "x Foo();\n")],
    );
    let d = dir.path();
    // Written under a format that shows no source line: the key still has it.
    let write_baseline = ["--write-baseline=bl.toml", "--format", "short"];
    run(check_in(d, &write_baseline), 0);
    let written = fs::read_to_string(d.join("bl.toml")).unwrap();
    assert!(written.contains("line = \"x Foo();\""), "{written}");
    // The tolerated line moves down under a new one of the same rule, path and match.
    write(d, "app/a.php", "y Foo();\nx Foo();\n");
    let with = |extra: &[&'static str]| [&["--baseline", "bl.toml"][..], extra].concat();
    let (out, _) = run(check_in(d, &with(&["--format", "short"])), 1);
    assert_eq!(out, "app/a.php:1:3: error[legacy]: `Foo`: legacy run\n");
    let (out, _) = run(check_in(d, &with(&["--format", "json"])), 1);
    let report = json(&out);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(report["findings"][0]["line"], 1, "{out}");
    assert_eq!(report["summary"]["baselined"], 1, "{out}");
    for format in ["human", "sarif", "github", "gitlab", "junit", "checkstyle"] {
        let (out, _) = run(check_in(d, &with(&["--format", format])), 1);
        assert!(out.contains("a.php"), "{format}: {out}");
    }
    let (out, _) = run(check_in(d, &with(&["--files-with-matches"])), 1);
    assert_eq!(out, "app/a.php\n");
    run(check_in(d, &with(&["--quiet"])), 1);
    let mut report = crate::support::vestige(d);
    report.args(["report", "--baseline", "bl.toml", "--format", "json"]);
    let (out, _) = run(report, 0);
    assert_eq!(json(&out)["baseline"]["remaining"], 1, "{out}");
}

#[test]
fn json_keeps_every_field_of_a_finding_and_the_statistics_count_what_it_lists() {
    // What the findings between the scan and the output are packed apart from: a forbidden path
    // beside text findings of one file, a built-in rule's finding with a note, matches that
    // differ from their token by ASCII case only and beyond it, and an offset past a megabyte.
    let dir = tree(
        "[[rule]]\nid = \"legacy\"\nmessage = \"legacy run\"\ntokens = [\"Foo\"]\n\
         forbid_paths = [\"app/Gone.php\"]\n\
         [[rule]]\nid = \"ci\"\nmessage = \"any case\"\ntokens = [\"straße\", \"MiXeD\"]\n\
         case_sensitive = false\nmatch = \"substring\"\n",
    );
    let d = dir.path();
    write(d, "app/Gone.php", "Foo\n// vestige-ignore: legcy -- typo\n");
    write(d, "app/ci.txt", "STRAßE mIxEd STRASSE\n");
    write(d, "app/far.txt", format!("{} Foo\n", "a".repeat(2 << 20)));
    let (out, stderr) = run(check_in(d, &["--format", "json", "--statistics"]), 1);
    let doc = json(&out);
    let keys = [
        "rule",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "byte_offset",
        "match",
        "needle",
        "note",
    ];
    let fields = |f: &Value| keys.map(|k| f[k].to_string()).join(" ");
    let listed: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(fields)
        .collect();
    assert_eq!(
        listed,
        [
            r#""legacy" "app/Gone.php" 1 1 1 1 0 "app/Gone.php" "app/Gone.php" null"#,
            r#""legacy" "app/Gone.php" 1 1 1 4 0 "Foo" "Foo" null"#,
            r#""unused-suppression" "app/Gone.php" 2 4 2 33 7 "vestige-ignore: legcy -- typo" "vestige-ignore" "did you mean `legacy`?""#,
            r#""ci" "app/ci.txt" 1 1 1 7 0 "STRAßE" "straße" null"#,
            r#""ci" "app/ci.txt" 1 8 1 13 8 "mIxEd" "MiXeD" null"#,
            r#""legacy" "app/far.txt" 1 2097154 1 2097157 2097153 "Foo" "Foo" null"#,
        ]
    );
    let summary = &doc["summary"];
    assert_eq!(
        (&summary["findings"], &summary["files_with_findings"]),
        (&Value::from(6), &Value::from(3))
    );
    let per_rule: Vec<&str> = stderr.lines().skip(1).take(3).collect();
    assert_eq!(
        per_rule,
        [
            "statistics:   legacy                      3",
            "statistics:   ci                          2",
            "statistics:   unused-suppression          1",
        ],
        "{stderr}"
    );
}
