//! The subcommands that are more than a check and a report, one file each (ruff's
//! `commands/`); `lib.rs` wires them to the command line.

pub mod init;
pub mod migrate;
pub mod server;
pub mod watch;
