//! The `vestige` binary: parses the command line and turns the library's outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = vestige::cli::Cli::parse();
    match vestige::run(&cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(err) if vestige::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprint!("{}", vestige::render_error(&cli, &err));
            ExitCode::from(2)
        }
    }
}
