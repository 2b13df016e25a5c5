//! The `vpcsim` command: parse the arguments, run, exit with a code that means
//! something (0 all held / reachable, 1 an expectation failed / not reachable,
//! 2 invalid input). The commands live in [`cli`].

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    ExitCode::from(cli::run(cli::Cli::parse()))
}
