//! The `vestige` binary: parses the command line and turns the library's outcome into an exit code.
//! Nothing here panics when standard output or standard error cannot be written: a write that
//! fails on a closed pipe ends the run quietly; any other failed write of a message makes the
//! exit code 2.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match vestige::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version exit 0, usage mistakes 2, once the text is out.
            let code = u8::try_from(err.exit_code()).unwrap_or(2);
            return match err.print() {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => ExitCode::from(2),
                _ => ExitCode::from(code),
            };
        }
    };
    match vestige::run(&cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(err) if vestige::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let mut stderr = io::stderr().lock();
            let _ = stderr
                .write_all(vestige::render_error(&cli, &err).as_bytes())
                .and_then(|()| stderr.flush());
            ExitCode::from(2)
        }
    }
}
