//! GitHub Actions workflow commands, one line per finding, which the runner turns into annotations
//! on the pull request: `::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=vestige
//! [RULE]::MESSAGE`. `endColumn` is exclusive, as in every vestige format.

use std::borrow::Cow;
use std::io::{self, Write};

use super::{Format, Results};
use crate::finding::Severity;

/// The GitHub Actions reporter.
pub(super) struct Github;

impl Format for Github {
    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()> {
        for finding in results.findings.iter() {
            let rule = &results.rules[finding.rule];
            let command = match rule.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "notice",
            };
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(&finding.path),
                finding.location.start().line,
                finding.location.start().column,
                finding.location.end().line,
                finding.location.end().column,
                property(&format!("vestige [{}]", rule.id)),
                data(&format!("{}: {}", finding.subject(), rule.message)),
            )?;
        }
        Ok(())
    }
}

/// A command's message, escaped as the runner unescapes it: `%`, CR and LF. Nothing else can end
/// the command, so a crafted message cannot start a second one.
fn data(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// A property value: as `data`, and also `:` and `,`, which end a value.
fn property(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// Percent-encodes the characters `data` or `property` must escape.
fn escape(text: &str, property: bool) -> Cow<'_, str> {
    let special = |c: char| matches!(c, '%' | '\r' | '\n') || (property && matches!(c, ':' | ','));
    if !text.chars().any(special) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{data, property};

    #[test]
    fn data_escapes_percent_and_line_ends_only() {
        assert_eq!(data("plain: a, b"), "plain: a, b");
        assert_eq!(data("100%\r\n::error::pwned"), "100%25%0D%0A::error::pwned");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(property("a.php"), "a.php");
        assert_eq!(
            property("x,line=1::y\n::error::z%"),
            "x%2Cline=1%3A%3Ay%0A%3A%3Aerror%3A%3Az%25"
        );
    }
}
