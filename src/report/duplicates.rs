//! `importgate audit duplicates`: every name defined in two or more production modules,
//! grouped, most widespread first.

use crate::checks::DuplicateGroup;
use crate::overview::duplicates::{duplicate_records, ordered, DuplicateRecord};
use serde::Serialize;
use std::io::{self, Write};

/// The grouped list for people; `display` turns a root-relative path into the one shown.
pub fn write_duplicates_text(
    groups: &[DuplicateGroup<'_>],
    display: &dyn Fn(&str) -> String,
    out: &mut dyn Write,
) -> io::Result<()> {
    if groups.is_empty() {
        return writeln!(
            out,
            "No public class or function is defined in more than one production module."
        );
    }
    for group in ordered(groups) {
        let registered = match group.canonical_modules.as_slice() {
            [] => String::new(),
            modules => format!(" (registered; canonical: {})", modules.join(", ")),
        };
        writeln!(
            out,
            "{}: {} modules{registered}",
            group.symbol,
            group.modules.len()
        )?;
        for site in &group.sites {
            let canonical = if group.canonical_modules.contains(&site.module.as_str()) {
                "  canonical"
            } else {
                ""
            };
            writeln!(
                out,
                "  {}:{}:{}  {}{canonical}",
                display(&site.path),
                site.span.line,
                site.span.column,
                format!("{:?}", site.kind).to_lowercase()
            )?;
        }
    }
    let definitions: usize = groups.iter().map(|group| group.sites.len()).sum();
    writeln!(
        out,
        "{} names defined in more than one production module ({definitions} definitions).",
        groups.len()
    )
}

/// `{"version": 1, "duplicates": [...]}`.
pub fn write_duplicates_json(groups: &[DuplicateGroup<'_>], out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Document<'a> {
        version: u32,
        duplicates: Vec<DuplicateRecord<'a>>,
    }
    serde_json::to_writer_pretty(
        &mut *out,
        &Document {
            version: 1,
            duplicates: duplicate_records(groups),
        },
    )?;
    writeln!(out)
}
