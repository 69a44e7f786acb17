//! Text from the rule file or the code, made safe to show people: control characters made
//! visible, no line read as a CI workflow command. The rule file's diagnostics need this as much
//! as the output formats do, so it sits below both.

use std::borrow::Cow;

use crate::finding::visible;

/// `text` as a diagnostic shows it: control characters but newlines made visible, and each `::`
/// after a space glued to the word before it with a no-break space, so that wrapping never
/// starts a line with it; then as `no_command` makes it.
pub fn diagnostic_text(text: &str) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| visible(line).replace(" ::", "\u{a0}::"))
        .collect();
    no_command(&lines.join("\n")).into_owned()
}

/// `text` with a zero-width space before each line that starts with `::` (after spaces, which a
/// CI runner ignores), so that no line of vestige's output reads as a workflow command.
pub fn no_command(text: &str) -> Cow<'_, str> {
    if !text
        .split('\n')
        .any(|line| line.trim_start().starts_with("::"))
    {
        return Cow::Borrowed(text);
    }
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            if line.trim_start().starts_with("::") {
                format!("\u{200b}{line}")
            } else {
                line.to_owned()
            }
        })
        .collect();
    Cow::Owned(lines.join("\n"))
}
