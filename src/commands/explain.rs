//! `importgate explain CODE`: a check's documentation.

use super::shared::*;
use crate::checks;
use crate::cli::ExplainArgs;
use crate::{EXIT_CLEAN, EXIT_TROUBLE};
use std::path::PathBuf;

/// `importgate explain [CODE]`: every check listed, or one check's documentation.
pub(crate) fn run_explain(args: ExplainArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let check = match args.code.as_deref().map(checks::CheckCode::find) {
        Some(None) => {
            say!(
                "error: unknown check `{}`; `importgate explain` lists them",
                args.code.as_deref().unwrap_or_default()
            );
            return EXIT_TROUBLE;
        }
        Some(Some(check)) => Some(check),
        None => None,
    };
    let written = write_output(None, &cwd, true, |out, _| match check {
        Some(check) => {
            let info = check.info();
            writeln!(out, "# {} ({})\n", check.name(), check.code())
                .and_then(|()| write!(out, "{}", info.docs()))
        }
        None => checks::CheckCode::ALL.iter().try_for_each(|check| {
            let info = check.info();
            writeln!(
                out,
                "{}  {:<21} {}",
                check.code(),
                check.name(),
                info.summary
            )
        }),
    });
    written.err().unwrap_or(EXIT_CLEAN)
}
