//! `--output-format json-lines`: one JSON object per diagnostic per line, the same fields
//! as the `json` format's diagnostics, for tools that stream or `grep` their input.

use super::json::diagnostic_objects;
use crate::engine::Outcome;
use std::io::{self, Write};

pub(super) fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for object in diagnostic_objects(outcome) {
        serde_json::to_writer(&mut *out, &object)?;
        writeln!(out)?;
    }
    Ok(())
}
