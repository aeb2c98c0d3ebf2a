//! `--fix` on Rust: an IG011 import of a deprecated module is rewritten to its
//! replacement, spelled as the importing crate spells it (`crate::` in the library itself,
//! the dependency's renamed name in another crate), the renamed item aliased to its old
//! name so that every use stays valid — and the package still compiles
//! (`cargo check --offline`). A leaf of a group is left for a person.

mod common;

use common::{importgate, write_files};

const FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[workspace]\nmembers = [\"lib_a\", \"app\"]\nresolver = \"2\"\n",
    ),
    (
        "lib_a/Cargo.toml",
        "[package]\nname = \"lib_a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    ),
    (
        "lib_a/src/lib.rs",
        "pub mod legacy;\npub mod parse;\npub mod user;\n",
    ),
    (
        "lib_a/src/legacy.rs",
        "pub fn old_fn() -> u8 {\n    crate::parse::new_fn()\n}\n",
    ),
    ("lib_a/src/parse.rs", "pub fn new_fn() -> u8 {\n    1\n}\n"),
    (
        "lib_a/src/user.rs",
        "use crate::legacy::old_fn as first;\n\npub fn run() -> u8 {\n    first()\n}\n",
    ),
    (
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nlib = { package = \"lib_a\", path = \"../lib_a\" }\n",
    ),
    (
        "app/src/main.rs",
        concat!(
            "use lib::legacy::old_fn;\n",
            "use lib::{legacy::old_fn as grouped, parse};\n",
            "\n",
            "fn main() {\n",
            "    let _ = old_fn() + grouped();\n",
            "    let _ = lib::legacy::old_fn();\n",
            "    let _ = parse::new_fn();\n",
            "}\n",
        ),
    ),
    (
        "rules.toml",
        concat!(
            "[project]\nroot = \".\"\nlanguages = [\"rust\"]\n\n",
            "[[deprecated]]\nmodule = \"lib_a::legacy\"\nreplacement = \"lib_a::parse\"\n",
            "names = { old_fn = \"new_fn\" }\n",
        ),
    ),
];

#[test]
fn deprecated_rust_imports_are_rewritten_and_still_compile() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = scratch.path();
    write_files(root, FILES);
    let output = importgate(
        root,
        &["check", "--no-cache", "--fix", "--output-format", "concise"],
    )
    .output()
    .expect("importgate runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The grouped leaf is still reported; every other import was rewritten.
    let remaining: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains(": IG011"))
        .collect();
    assert_eq!(remaining.len(), 1, "{stdout}");
    assert!(remaining[0].starts_with("app/src/main.rs:2:"), "{stdout}");
    let read = |relative: &str| std::fs::read_to_string(root.join(relative)).expect("read");
    assert_eq!(
        read("lib_a/src/user.rs"),
        "use crate::parse::new_fn as first;\n\npub fn run() -> u8 {\n    first()\n}\n"
    );
    assert_eq!(
        read("app/src/main.rs"),
        concat!(
            "use lib::parse::new_fn as old_fn;\n",
            "use lib::{legacy::old_fn as grouped, parse};\n",
            "\n",
            "fn main() {\n",
            "    let _ = old_fn() + grouped();\n",
            "    let _ = lib::parse::new_fn();\n",
            "    let _ = parse::new_fn();\n",
            "}\n",
        )
    );
    // What the fix wrote compiles.
    let cargo = std::process::Command::new(env!("CARGO"))
        .args(["check", "--offline", "--workspace", "--quiet"])
        .env("CARGO_TARGET_DIR", root.join("target"))
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        cargo.status.success(),
        "{}",
        String::from_utf8_lossy(&cargo.stderr)
    );
}
