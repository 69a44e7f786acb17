//! Arbitrary bytes as a rule file: reading, parsing and compiling must end in a rule set or a
//! diagnostic that renders, never in a panic.
#![no_main]

use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use vestige::rulefile::RuleFile;
use vestige::format::{Style, handler};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let file = RuleFile {
        path: "/nonexistent/vestige.toml".into(),
        name: "vestige.toml".into(),
        source: Arc::new(source.to_owned()),
    };
    let result = file
        .parse()
        .and_then(|raw| vestige::ruleset::compile(&file, raw, Path::new("/nonexistent"), vestige::day::Day::new(2026, 1, 1).unwrap()));
    if let Err(report) = result {
        let style = Style {
            color: false,
            unicode: true,
        };
        let mut out = String::new();
        handler(style)
            .render_report(&mut out, report.as_ref())
            .expect("a diagnostic renders");
    }
});
