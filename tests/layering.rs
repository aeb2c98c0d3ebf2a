//! importgate's own modules depend one way: each uses only the modules below it in the
//! stages of `.ci/self-check.toml`, so no two depend on each other, directly or in a
//! cycle — checked by importgate itself, on its Rust sources (`.ci/run` runs the same).

mod common;

use common::importgate;
use std::fs;
use std::path::Path;

const REGISTRY: &str = ".ci/self-check.toml";

#[test]
fn importgate_checks_its_own_sources_clean() {
    let root = common::repo_root();
    let output = self_check(&root);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("No violations."), "{stdout}");
    // Every source file is checked (none is left out as never compiled).
    let sources = walkdir::WalkDir::new(root.join("src"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "rs"))
        .count();
    assert!(
        stdout.contains(&format!("Checked {} files", sources + 1)),
        "{sources} files in src/ and build.rs: {stdout}"
    );
}

/// The registry catches what it is there for: a module that uses one of a stage above it.
#[test]
fn a_module_using_one_above_it_is_reported() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = common::repo_root();
    // The package as Cargo reads it: its manifest names the benches' files.
    for directory in ["src", "benches"] {
        common::copy(&root.join(directory), &scratch.path().join(directory));
    }
    for file in ["Cargo.toml", "build.rs", REGISTRY] {
        let to = scratch.path().join(file);
        fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
        fs::copy(root.join(file), to).expect("copy");
    }
    let model = scratch.path().join("src/model.rs");
    let mut text = fs::read_to_string(&model).expect("src/model.rs");
    text.push_str("#[allow(unused_imports)]\nuse crate::engine::check as upward;\n");
    fs::write(&model, text).expect("write");
    let output = self_check(scratch.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let line = text_line_count(&model);
    assert!(
        stdout.contains(&format!(
            "src/model.rs:{line}:5: IG031 [stages] `importgate::model` (layer `importgate::model`) imports `importgate::engine`"
        )),
        "{stdout}"
    );
}

/// `importgate check` with the self-check registry, in `root`.
fn self_check(root: &Path) -> std::process::Output {
    importgate(
        root,
        &[
            "check",
            "--no-cache",
            "--config",
            REGISTRY,
            "--output-format",
            "concise",
        ],
    )
    .output()
    .expect("importgate runs")
}

fn text_line_count(path: &Path) -> usize {
    fs::read_to_string(path).expect("read").lines().count()
}
