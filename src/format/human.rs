//! The default format: one miette diagnostic per finding, with the source line and the match
//! underlined. Colour and box drawing only when asked for or on a terminal.

use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{Format, Results};
use crate::finding::{Finding, Location, Severity, Span, visible};
use crate::ruleset::Rule;
use crate::text::diagnostic_text;

/// How diagnostics are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
    /// Use Unicode box drawing instead of ASCII.
    pub unicode: bool,
}

/// The miette handler that draws every diagnostic vestige prints, findings and errors alike.
pub fn handler(style: Style) -> GraphicalReportHandler {
    let theme = match (style.unicode, style.color) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::unicode_nocolor(),
        (false, true) => GraphicalTheme::ascii(),
        (false, false) => GraphicalTheme::none(),
    };
    // Words are never broken, so that no wrapped line starts inside one (see `diagnostic_text`).
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_break_words(false)
}

/// The human reporter.
pub(super) struct Human {
    pub(super) style: Style,
}

impl Format for Human {
    /// Each diagnostic draws the source lines of its finding.
    fn shows_source(&self) -> bool {
        true
    }

    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()> {
        let handler = handler(self.style);
        let mut text = String::new();
        for (i, finding) in results.findings.iter().enumerate() {
            text.clear();
            if i > 0 {
                text.push('\n');
            }
            let diagnostic = FindingDiagnostic {
                finding: &finding,
                rule: &results.rules[finding.rule],
                source: match &finding.location {
                    Location::Span(span) => Some(SnippetSource {
                        path: &finding.path,
                        span,
                    }),
                    Location::File => None,
                },
            };
            handler
                .render_report(&mut text, &diagnostic)
                .map_err(|_| io::Error::other("cannot render a diagnostic"))?;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            out.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}

/// One finding seen as a miette diagnostic.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    rule: &'a Rule,
    /// The source lines of text in a file; none for a whole file.
    source: Option<SnippetSource<'a>>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic")
            .field("rule", &self.rule.id)
            .field("path", &self.finding.path)
            .finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&diagnostic_text(&visible(&self.rule.message)))?;
        if self.finding.is_forbidden_path() {
            write!(
                f,
                "\n{}: this file must not exist (forbid_paths `{}`)",
                visible(&self.finding.path),
                visible(&self.finding.needle)
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{}[{}]",
            self.rule.severity, self.rule.id
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.rule.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.rule
            .help
            .as_ref()
            .map(|h| Box::new(diagnostic_text(&visible(h))) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let finding = self.finding;
        let source = self.source.as_ref()?;
        let needle = visible(&finding.needle);
        let label = if let Some(note) = &finding.note {
            visible(note).into_owned()
        } else if let Some(token) = &finding.variant_of {
            format!("`{needle}`, a variant of `{}`", visible(token))
        } else if *finding.matched() == *finding.needle {
            format!("forbidden `{needle}`")
        } else {
            format!("matches `{needle}`")
        };
        let span = SourceSpan::from(source.span.snippet().span.clone());
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(label), span),
        )))
    }
}

/// A finding's snippet as miette source code that knows its true line and column.
struct SnippetSource<'a> {
    /// The file's path, relative to the project root.
    path: &'a str,
    /// Where in the file.
    span: &'a Span,
}

impl SourceCode for SnippetSource<'_> {
    fn read_span<'a>(
        &'a self,
        _span: &SourceSpan,
        _before: usize,
        _after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let span = self.span;
        let text = &span.snippet().text;
        Ok(Box::new(MietteSpanContents::new_named(
            visible(self.path).into_owned(),
            text.as_bytes(),
            SourceSpan::from(0..text.len()),
            span.snippet().first_line - 1,
            span.start.column - 1,
            text.lines().count().max(1),
        )))
    }
}
