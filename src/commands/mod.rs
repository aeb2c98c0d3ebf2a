//! One file per command (ruff's `commands/`): what each does between the parsed command
//! line and its exit code. `lib.rs` only wires them.

pub mod audit;
pub mod baseline;
pub mod check;
pub mod completions;
pub mod explain;
pub mod graph;
pub mod init;
pub mod migrate;
pub mod schema;
pub mod server;
pub(crate) mod shared;
pub mod watch;
pub mod why;
