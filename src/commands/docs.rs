//! The commands that print vestige's own documents: the JSON Schema of the rule file, shell
//! completions and the manual pages.

use clap::CommandFactory;

use super::Outcome;
use super::{OutputError, print};
use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::rulefile;

/// `vestige schema`: the rule file's JSON Schema.
pub fn schema() -> miette::Result<Outcome> {
    print(&format!("{}\n", rulefile::schema()))
}

/// `vestige completions SHELL`.
pub fn completions(args: &CompletionsArgs) -> miette::Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "vestige", &mut script);
    print(&String::from_utf8_lossy(&script))
}

/// `vestige man [SUBCOMMAND]`.
pub fn man(args: &ManArgs) -> miette::Result<Outcome> {
    print(&man_page(args.command.as_deref())?)
}

/// The manual page of vestige, or of its subcommand `name` (titled `vestige-NAME`, as vestige(1)
/// refers to it).
fn man_page(name: Option<&str>) -> miette::Result<String> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let page = match name {
        None => clap_mangen::Man::new(command),
        Some(name) => {
            let Some(sub) = command.find_subcommand(name) else {
                let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
                miette::bail!(
                    help = format!("the subcommands are {}", names.join(", ")),
                    "vestige has no subcommand `{name}`"
                );
            };
            clap_mangen::Man::new(sub.clone())
        }
    };
    let mut roff = Vec::new();
    page.render(&mut roff).map_err(OutputError)?;
    Ok(String::from_utf8_lossy(&roff).into_owned())
}
