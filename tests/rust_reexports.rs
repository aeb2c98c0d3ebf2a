//! Paths through modules a crate re-exports under other names are the modules themselves,
//! as rustc resolves them: for boundaries (and every rule), the graph and missing names.
//! What cannot be told stays unattributed: a name two `cfg` alternatives bind, two globs
//! bringing one name, and the last segment of a path in code, which is an item (a function
//! may share its name with a module a glob brings).

mod common;

use common::{importgate, write_files};
use std::collections::BTreeSet;

/// A workspace whose `api` crate uses `app_core` (as `core`) through re-exports, with a
/// boundary that forbids `app_core::internal` and `app_core::unix`.
fn workspace(root: &std::path::Path) {
    write_files(
        root,
        &[
            (
                "rules.toml",
                concat!(
                    "[project]\nlanguages = [\"rust\"]\n",
                    "[[boundary]]\nid = \"internals\"\nfrom = [\"api::**\"]\n",
                    "forbid = [\"app_core::internal\", \"app_core::unix\"]\n",
                ),
            ),
            ("Cargo.toml", "[workspace]\nmembers = [\"core\", \"api\"]\n"),
            (
                "core/Cargo.toml",
                "[package]\nname = \"app-core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            (
                "core/src/lib.rs",
                concat!(
                    "mod internal;\npub mod unix;\npub mod windows;\npub mod platform;\n",
                    "pub use crate::internal as hidden;\n",
                    "pub use hidden as twice;\n",
                    "#[cfg(unix)]\npub use unix as sys;\n#[cfg(windows)]\npub use windows as sys;\n",
                    "pub use platform::*;\n",
                    "pub mod either { pub use crate::unix::*; pub use crate::windows::*; }\n",
                    "/// A function named like the module the glob brings.\n",
                    "pub fn net() {}\n",
                ),
            ),
            ("core/src/internal.rs", "pub fn secret() {}\n"),
            ("core/src/unix.rs", "pub fn call() {}\npub mod io { pub fn read() {} }\n"),
            ("core/src/windows.rs", "pub fn call() {}\npub mod io { pub fn read() {} }\n"),
            ("core/src/platform.rs", "pub mod net { pub fn connect() {} }\n"),
            (
                "api/Cargo.toml",
                concat!(
                    "[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                    "[dependencies]\ncore = { package = \"app-core\", path = \"../core\" }\n",
                ),
            ),
            (
                "api/src/lib.rs",
                concat!(
                    "use core::hidden;\n",
                    "use core::twice as again;\n",
                    "pub fn go() {\n",
                    "    hidden::secret();\n",
                    "    again::missing();\n",
                    "    core::twice::secret();\n",
                    "    core::sys::call();\n",
                    "    core::net();\n",
                    "    core::net::connect();\n",
                    "    core::either::io::read();\n",
                    "}\n",
                ),
            ),
        ],
    );
}

#[test]
fn paths_through_reexported_modules_are_the_modules_and_ambiguous_names_are_none() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = scratch.path();
    workspace(root);
    let output = importgate(root, &["check", "--no-cache", "--output-format", "json"])
        .output()
        .expect("importgate runs");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let found: BTreeSet<(String, u64)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|diagnostic| {
            (
                diagnostic["code"].as_str().unwrap_or_default().to_string(),
                diagnostic["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, u64)> = [
        // `use core::hidden;`: the module `app_core::internal`.
        ("IG001", 1),
        // Through a re-export of a re-export.
        ("IG001", 2),
        // `again::missing()`: looked for in `app_core::internal`.
        ("IG021", 5),
        ("IG001", 6),
    ]
    .into_iter()
    .map(|(code, line)| (code.to_string(), line))
    .collect();
    // Not `core::sys::call()` (line 7: `sys` is `unix` or `windows`), nor `core::net()`
    // (line 8: a function), nor `core::either::io::read()` (line 10: two globs bring an
    // `io`); `core::net::connect()` (line 9) goes through the glob to a module no rule
    // forbids.
    assert_eq!(
        found,
        expected,
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    // `why` follows the re-export to the module.
    let why = importgate(root, &["why", "api", "app_core::internal"])
        .output()
        .expect("importgate runs");
    let why = String::from_utf8_lossy(&why.stdout);
    assert!(
        why.contains("-> app_core::internal  (api/src/lib.rs:1)"),
        "{why}"
    );
    // The graph has no edge to the re-exporting crate root for those paths, and one to the
    // module a glob brings.
    let graph = importgate(root, &["graph", "--level", "module", "--format", "json"])
        .output()
        .expect("importgate runs");
    let graph: serde_json::Value = serde_json::from_slice(&graph.stdout).expect("JSON");
    let edges: BTreeSet<(String, String)> = graph["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| {
            (
                edge["from"].as_str().unwrap_or_default().to_string(),
                edge["to"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let from_api: BTreeSet<&str> = edges
        .iter()
        .filter(|(from, _)| from == "api")
        .map(|(_, to)| to.as_str())
        .collect();
    assert!(from_api.contains("app_core::internal"), "{edges:?}");
    assert!(from_api.contains("app_core::platform::net"), "{edges:?}");
    assert!(!from_api.contains("app_core::unix"), "{edges:?}");
    assert!(!from_api.contains("app_core::windows"), "{edges:?}");
}
