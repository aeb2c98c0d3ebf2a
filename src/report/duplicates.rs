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

/// A duplicated name as the JSON documents show it.
#[derive(Debug, Serialize)]
pub struct DuplicateRecord<'a> {
    /// The name.
    pub symbol: &'a str,
    /// How many modules define it.
    pub modules: usize,
    /// Its `[[canonical]]` modules (empty: unregistered).
    pub canonical: Vec<&'a str>,
    /// Each definition.
    pub definitions: Vec<DefinitionRecord<'a>>,
}

/// One definition of a duplicated name.
#[derive(Debug, Serialize)]
pub struct DefinitionRecord<'a> {
    /// The file, relative to the governed root.
    pub path: &'a str,
    /// The line of the name.
    pub line: u32,
    /// Its column.
    pub column: u32,
    /// The defining module.
    pub module: &'a str,
    /// Class, function or assignment.
    pub kind: crate::model::DefinitionKind,
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

/// The groups as records, most widespread first.
pub fn duplicate_records<'a>(groups: &[DuplicateGroup<'a>]) -> Vec<DuplicateRecord<'a>> {
    ordered(groups)
        .into_iter()
        .map(|group| DuplicateRecord {
            symbol: group.symbol,
            modules: group.modules.len(),
            canonical: group.canonical_modules.clone(),
            definitions: group
                .sites
                .iter()
                .map(|site| DefinitionRecord {
                    path: &site.path,
                    line: site.span.line,
                    column: site.span.column,
                    module: &site.module,
                    kind: site.kind,
                })
                .collect(),
        })
        .collect()
}
