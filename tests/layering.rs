//! importgate's own modules depend one way: each uses only modules below it in [`STAGES`],
//! so no two depend on each other, directly or in a cycle. (Until importgate can check
//! its Rust sources itself, this test reads the `crate::` paths of `src/`.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// importgate's top-level modules, lowest first: the plain data and I/O guards, the
/// registry, diagnostics and sources, the frontend, what the walk and the caches know,
/// the analysis, the engine that runs it, the views and reports of its outcome, and the
/// command line. A module may use the ones before it, never one after it.
const STAGES: &[&str] = &[
    "guarded_io",
    "atomic_file",
    "paths",
    "stamp",
    "suggest",
    "codes",
    "model",
    "config",
    "diagnostic",
    "source",
    "file_text",
    "baseline",
    "frontend",
    "cache",
    "facts_cache",
    "resolve",
    "classify",
    "discover",
    "tree_listing",
    "layout",
    "report_cache",
    "project",
    "graph",
    "checks",
    "engine",
    "progress",
    "fix",
    "overview",
    "report",
    "cli",
    "commands",
];

/// The top-level modules each module of `src/` names (`crate::x`, `crate::{x, y}`),
/// comments left out.
fn module_uses() -> BTreeMap<String, BTreeSet<String>> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let single = regex::Regex::new(r"crate::([a-z_][a-z0-9_]*)").expect("a pattern");
    let grouped = regex::Regex::new(r"(?s)crate::\{(.*?)\};").expect("a pattern");
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&source) {
        let entry = entry.expect("src/ is readable");
        if entry
            .path()
            .extension()
            .is_none_or(|extension| extension != "rs")
        {
            continue;
        }
        let relative = entry.path().strip_prefix(&source).expect("below src/");
        let module = relative
            .components()
            .next()
            .and_then(|first| first.as_os_str().to_str())
            .map(|first| first.trim_end_matches(".rs").to_string())
            .expect("a name");
        if module == "lib" || module == "main" {
            continue;
        }
        let text: String = std::fs::read_to_string(entry.path())
            .expect("UTF-8 source")
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .map(|line| format!("{line}\n"))
            .collect();
        let used = uses.entry(module.clone()).or_default();
        for found in single.captures_iter(&text) {
            used.insert(found[1].to_string());
        }
        for group in grouped.captures_iter(&text) {
            // The names at the group's top level: `a::{b, c}` names `a`.
            let mut depth = 0;
            let mut at_start = true;
            for (at, character) in group[1].char_indices() {
                match character {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_start = true,
                    c if at_start && (c.is_ascii_lowercase() || c == '_') => {
                        let name: String = group[1][at..]
                            .chars()
                            .take_while(|c| {
                                c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'
                            })
                            .collect();
                        used.insert(name);
                        at_start = false;
                    }
                    c if !c.is_whitespace() => at_start = false,
                    _ => {}
                }
            }
        }
        used.remove(&module);
    }
    uses
}

#[test]
fn every_module_uses_only_modules_below_it() {
    let uses = module_uses();
    let place = |module: &str| STAGES.iter().position(|stage| *stage == module);
    let unplaced: Vec<&String> = uses
        .keys()
        .filter(|module| place(module).is_none())
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules missing from STAGES (put each above what it uses): {unplaced:?}"
    );
    let mut upward = Vec::new();
    for (module, used) in &uses {
        let level = place(module).expect("placed");
        for other in used.iter().filter(|other| uses.contains_key(*other)) {
            if place(other).expect("placed") > level {
                upward.push(format!("{module} uses {other}, which is above it"));
            }
        }
    }
    assert!(upward.is_empty(), "{upward:#?}");
}

#[test]
fn the_scan_sees_grouped_and_single_uses() {
    let uses = module_uses();
    // `use crate::{atomic_file, engine, fix, ...}` in commands/check.rs; `crate::model::...`
    // in the engine.
    assert!(uses["commands"].contains("fix"), "{:?}", uses["commands"]);
    assert!(uses["engine"].contains("model"), "{:?}", uses["engine"]);
}
