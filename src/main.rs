//! The `importgate` binary: parse arguments, run the library, map the outcome to an exit
//! code (0 clean, 1 violations, 2 usage, config or I/O error).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = importgate::cli::Cli::parse();
    ExitCode::from(importgate::run(cli))
}

// The parser allocates a node per syntax element and frees the tree right after the facts
// are read: with the system allocator a third of all instructions were malloc/free, and
// mimalloc cuts a full check by about a third. Its v2 line, because v3's peak RSS on the
// benchmark corpus reached 100 MB against v2's 70 MB at the same speed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
