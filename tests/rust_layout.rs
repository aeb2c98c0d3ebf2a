//! Where the `.rs` files of a tree sit in its Cargo workspaces: crates, modules spelled
//! Rust's way, the names each crate uses for the others, test targets, files no `mod`
//! reaches.

use importgate::frontend::rust::layout::{layout, LayoutProblem};
use importgate::frontend::rust::read_regular_text;
use importgate::frontend::rust::workspace::TargetKind;
use std::fs;
use std::path::{Path, PathBuf};

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().expect("parent")).expect("directories");
    fs::write(path, text).expect("write");
}

fn listed(root: &Path, extension: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|path| {
            path.is_file()
                && path
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().ends_with(extension))
        })
        .collect()
}

#[test]
fn a_virtual_workspace_places_each_file_in_its_crate_and_module() {
    let scratch = tempfile::tempdir().expect("scratch");
    let root = scratch.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\n",
    );
    write(
        root,
        "crates/app-core/Cargo.toml",
        "[package]\nname = \"app-core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nstore = { path = \"../storage\", package = \"storage\" }\n",
    );
    write(
        root,
        "crates/app-core/src/lib.rs",
        "pub mod engine;\nmod util { pub fn f() {} }\n",
    );
    write(root, "crates/app-core/src/engine.rs", "mod glue;\n");
    write(root, "crates/app-core/src/engine/glue.rs", "");
    write(
        root,
        "crates/app-core/src/main.rs",
        "mod cli;\nfn main() {}\n",
    );
    write(root, "crates/app-core/src/cli.rs", "");
    write(root, "crates/app-core/src/orphan.rs", "");
    write(root, "crates/app-core/tests/it.rs", "");
    // A trybuild fixture: compiled by the test, not by a target; not reported.
    write(root, "crates/app-core/tests/ui/compile_fail.rs", "");
    write(
        root,
        "crates/storage/Cargo.toml",
        "[package]\nname = \"storage\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(root, "crates/storage/src/lib.rs", "pub mod sql;\n");
    write(root, "crates/storage/src/sql/mod.rs", "");
    write(root, "loose/script.rs", "");

    let found = layout(
        &listed(root, "Cargo.toml"),
        &listed(root, ".rs"),
        &read_regular_text,
    );
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    let place = |relative: &str| {
        found
            .place(&root.join(relative))
            .map(|place| (place.module.clone(), place.test))
    };
    assert_eq!(
        place("crates/app-core/src/lib.rs"),
        Some(("app_core".into(), false))
    );
    assert_eq!(
        place("crates/app-core/src/engine/glue.rs"),
        Some(("app_core::engine::glue".into(), false))
    );
    assert_eq!(
        place("crates/app-core/src/cli.rs"),
        Some(("app_core::cli".into(), false))
    );
    assert_eq!(
        place("crates/app-core/tests/it.rs"),
        Some(("it".into(), true))
    );
    assert_eq!(
        place("crates/storage/src/sql/mod.rs"),
        Some(("storage::sql".into(), false))
    );
    assert_eq!(place("loose/script.rs"), None);
    assert_eq!(
        found.unreached,
        [(
            root.join("crates/app-core/src/orphan.rs"),
            "app-core".to_string()
        )]
    );

    let library = |name: &str| {
        found
            .crates
            .iter()
            .position(|krate| krate.name == name && krate.kind == TargetKind::Lib)
            .expect("library")
    };
    let app = &found.crates[library("app_core")];
    // The renamed dependency is `store` in code, and is the storage library.
    assert_eq!(
        app.extern_names.get("store"),
        Some(&Some(library("storage")))
    );
    let binary = found
        .crates
        .iter()
        .find(|krate| krate.kind == TargetKind::Bin)
        .expect("binary");
    // A package's binary uses its library by the library's name.
    assert_eq!(
        binary.extern_names.get("app_core"),
        Some(&Some(library("app_core")))
    );
    assert!(app.modules.iter().any(|(module, _)| module == "util"));
}

#[test]
fn files_outside_the_readable_tree_are_problems_not_reads() {
    let scratch = tempfile::tempdir().expect("scratch");
    let root = scratch.path().join("governed");
    write(
        &root,
        "Cargo.toml",
        "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        &root,
        "src/lib.rs",
        "#[path = \"../../secret.rs\"]\nmod secret;\n",
    );
    write(scratch.path(), "secret.rs", "mod stolen;\n");
    // As the engine reads: only what resolves inside the governed root (`..` and
    // symlinks resolved).
    let governed = importgate::guarded_io::GovernedRoot::new(&root);
    let inside = |path: &Path| {
        if governed.contains(path) {
            read_regular_text(path)
        } else {
            Err(importgate::guarded_io::ReadError::OutsideRoot)
        }
    };
    let found = layout(&listed(&root, "Cargo.toml"), &listed(&root, ".rs"), &inside);
    assert!(
        found.problems.iter().any(|problem| matches!(
            problem,
            LayoutProblem::Module(importgate::frontend::rust::modules::ModuleProblem::Unreadable { message, .. })
                if message.contains("outside the governed root")
        )),
        "{:?}",
        found.problems
    );
}
