//! The `importgate` binary: parse arguments, run the library, map the outcome to an exit
//! code (0 clean, 1 violations, 2 usage, config or I/O error).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = importgate::cli::Cli::parse();
    ExitCode::from(importgate::run(cli))
}
