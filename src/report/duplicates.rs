//! `importgate audit duplicates`: every name defined in two or more production modules,
//! grouped, most widespread first.

use crate::checks::DuplicateGroup;
use serde::Serialize;
use std::io::{self, Write};

/// Most modules first, then by name.
fn ordered<'g, 'a>(groups: &'g [DuplicateGroup<'a>]) -> Vec<&'g DuplicateGroup<'a>> {
    let mut ordered: Vec<_> = groups.iter().collect();
    ordered.sort_by(|a, b| {
        b.modules
            .len()
            .cmp(&a.modules.len())
            .then(a.symbol.cmp(b.symbol))
    });
    ordered
}

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

#[derive(Serialize)]
struct JsonGroup<'a> {
    symbol: &'a str,
    modules: usize,
    canonical: &'a [&'a str],
    definitions: Vec<JsonSite<'a>>,
}

#[derive(Serialize)]
struct JsonSite<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    module: &'a str,
    kind: crate::model::DefinitionKind,
}

/// `{"version": 1, "duplicates": [...]}`.
pub fn write_duplicates_json(groups: &[DuplicateGroup<'_>], out: &mut dyn Write) -> io::Result<()> {
    let duplicates: Vec<JsonGroup<'_>> = ordered(groups)
        .into_iter()
        .map(|group| JsonGroup {
            symbol: group.symbol,
            modules: group.modules.len(),
            canonical: &group.canonical_modules,
            definitions: group
                .sites
                .iter()
                .map(|site| JsonSite {
                    path: &site.path,
                    line: site.span.line,
                    column: site.span.column,
                    module: &site.module,
                    kind: site.kind,
                })
                .collect(),
        })
        .collect();
    #[derive(Serialize)]
    struct Document<'a> {
        version: u32,
        duplicates: Vec<JsonGroup<'a>>,
    }
    serde_json::to_writer_pretty(
        &mut *out,
        &Document {
            version: 1,
            duplicates,
        },
    )?;
    writeln!(out)
}
