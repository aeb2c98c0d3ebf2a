//! Names defined in more than one production module, as records: what `importgate audit`
//! and `audit duplicates --output-format json` show.

use crate::checks::DuplicateGroup;
use serde::Serialize;

/// Most modules first, then by name.
pub fn ordered<'g, 'a>(groups: &'g [DuplicateGroup<'a>]) -> Vec<&'g DuplicateGroup<'a>> {
    let mut ordered: Vec<_> = groups.iter().collect();
    ordered.sort_by(|a, b| {
        b.modules
            .len()
            .cmp(&a.modules.len())
            .then(a.symbol.cmp(b.symbol))
    });
    ordered
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
