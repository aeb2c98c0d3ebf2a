//! The README cannot drift from the code: its rule table is generated from the check
//! registry (run with `UPDATE_README=1` to rewrite it), and every registry key is documented.

use importgate::checks::CheckCode;
use importgate::config::REGISTRY_SECTIONS;
use std::path::PathBuf;

const START: &str = "<!-- checks-table:start -->";
const END: &str = "<!-- checks-table:end -->";

fn readme_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

fn checks_table() -> String {
    let mut table = String::from("| Code | Name | What it reports | Fix |\n|---|---|---|---|\n");
    for check in CheckCode::ALL {
        let info = check.info();
        table.push_str(&format!(
            "| <a id=\"{}\"></a>{} | `{}` | {} | {} |\n",
            check.readme_anchor(),
            check.code(),
            check.name(),
            info.summary,
            info.fix.as_str()
        ));
    }
    table
}

#[test]
fn readme_rule_table_matches_the_check_registry() {
    let readme = std::fs::read_to_string(readme_path()).expect("README.md");
    let start = readme.find(START).expect("table start marker") + START.len();
    let end = readme.find(END).expect("table end marker");
    let expected = format!("\n{}", checks_table());
    if readme[start..end] != expected {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
            std::fs::write(readme_path(), updated).expect("write README.md");
        } else {
            panic!("README's rule table is stale; run `UPDATE_README=1 cargo test --test readme`");
        }
    }
}

#[test]
fn readme_documents_every_registry_key() {
    let readme = std::fs::read_to_string(readme_path()).expect("README.md");
    let missing: Vec<String> = REGISTRY_SECTIONS
        .iter()
        .flat_map(|(section, keys)| keys.iter().map(move |key| (section, key)))
        .filter(|(_, key)| !readme.contains(&format!("`{key}`")))
        .map(|(section, key)| format!("{section} {key}"))
        .collect();
    assert!(missing.is_empty(), "README does not document: {missing:?}");
}

#[test]
fn every_check_has_the_documentation_headings() {
    for check in CheckCode::ALL {
        let docs = check.info().docs();
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## Fix",
        ] {
            assert!(docs.contains(heading), "{} lacks {heading}", check.code());
        }
    }
}

#[test]
fn check_codes_and_names_are_stable() {
    let codes: Vec<String> = CheckCode::ALL
        .iter()
        .map(|check| format!("{} {}", check.code(), check.name()))
        .collect();
    insta::assert_snapshot!(codes.join("\n"), @r"
    IG001 forbidden-import
    IG002 forbidden-chain
    IG003 banned-api
    IG004 relative-import
    IG010 non-canonical-import
    IG011 deprecated-module
    IG012 duplicate-definition
    IG013 registry-error
    IG020 unresolved-module
    IG021 missing-name
    IG022 shadowed-module
    IG023 module-collision
    IG030 import-cycle
    IG031 layer-violation
    IG032 independence
    IG033 private-module-import
    IG900 parse-error
    IG901 unreadable-file
    IG902 unused-suppression
    IG903 stale-baseline
    IG904 unmatched-ignore
    ");
}

/// Every promise of "What importgate guarantees" names a test of tests/guarantees.rs, and
/// every test there is named in the section.
#[test]
fn every_guarantee_names_its_test() {
    let readme = std::fs::read_to_string(readme_path()).expect("README");
    let start = readme
        .find("## What importgate guarantees")
        .expect("the section");
    let end = start + readme[start..].find("\n## ").expect("a next section");
    let section = &readme[start..end];
    let named: std::collections::BTreeSet<&str> = section
        .split("**`")
        .skip(1)
        .filter_map(|rest| rest.split_once('`').map(|(name, _)| name))
        .collect();
    let tests = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guarantees.rs"),
    )
    .expect("tests/guarantees.rs");
    let defined: std::collections::BTreeSet<&str> = tests
        .split("\nfn ")
        .skip(1)
        .filter_map(|rest| rest.split_once("()").map(|(name, _)| name))
        .filter(|name| {
            tests.contains(&format!("#[test]\nfn {name}()"))
                || tests.contains(&format!("#[cfg(unix)]\n#[test]\nfn {name}()"))
        })
        .collect();
    assert!(!named.is_empty());
    assert_eq!(named, defined, "README guarantees vs tests/guarantees.rs");
}
