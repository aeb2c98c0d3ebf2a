//! The Rust frontend reads Cargo workspaces from their manifests as Cargo does: over
//! generated workspaces (virtual and rooted, member globs and exclusions, path dependencies
//! that become members, every target kind found or declared, renamed and inherited
//! dependencies, editions 2015 and 2021), its members, targets and dependency names equal
//! what `cargo metadata --no-deps --offline` prints.

mod common;

use common::Random;
use importgate::frontend::rust::read_regular_text;
use importgate::frontend::rust::workspace::{read_workspace, TargetKind};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// (package, kind, target name, root relative to the workspace), and (package, extern
/// name, package depended on).
type Facts = (
    BTreeSet<(String, String, String, String)>,
    BTreeSet<(String, String, String)>,
);

fn kind_name(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Lib => "lib",
        TargetKind::Bin => "bin",
        TargetKind::Test => "test",
        TargetKind::Bench => "bench",
        TargetKind::Example => "example",
        TargetKind::Build => "custom-build",
    }
}

fn relative(root: &Path, path: &str) -> String {
    Path::new(path)
        .strip_prefix(root)
        .map(|path| path.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| path.to_string())
}

/// What importgate reads.
fn importgate_facts(root: &Path) -> Facts {
    let workspace =
        read_workspace(&root.join("Cargo.toml"), &read_regular_text).expect("the workspace reads");
    let mut targets = BTreeSet::new();
    let mut dependencies = BTreeSet::new();
    for package in &workspace.packages {
        for target in &package.targets {
            targets.insert((
                format!("{}@{}", package.name, package.edition),
                kind_name(target.kind).to_string(),
                target.name.clone(),
                relative(root, &target.root.to_string_lossy()),
            ));
        }
        for dependency in &package.dependencies {
            dependencies.insert((
                package.name.clone(),
                dependency.extern_name.clone(),
                dependency.package.clone(),
            ));
        }
    }
    (targets, dependencies)
}

/// What Cargo says.
fn cargo_facts(root: &Path) -> Facts {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo metadata failed in {}: {}",
        root.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let mut targets = BTreeSet::new();
    let mut dependencies = BTreeSet::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().expect("a name").to_string();
        let edition = package["edition"].as_str().expect("an edition");
        for target in package["targets"].as_array().expect("targets") {
            let kind = target["kind"][0].as_str().expect("a kind");
            let kind = match kind {
                "rlib" | "dylib" | "cdylib" | "staticlib" | "proc-macro" => "lib",
                other => other,
            };
            targets.insert((
                format!("{name}@{edition}"),
                kind.to_string(),
                target["name"].as_str().expect("a name").to_string(),
                relative(root, target["src_path"].as_str().expect("a path")),
            ));
        }
        for dependency in package["dependencies"].as_array().expect("dependencies") {
            let depended = dependency["name"].as_str().expect("a name").to_string();
            let extern_name = dependency["rename"]
                .as_str()
                .unwrap_or(&depended)
                .replace('-', "_");
            dependencies.insert((name.clone(), extern_name, depended));
        }
    }
    (targets, dependencies)
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

/// A random package at `directory` named `name`, depending on `others` (directory, name).
fn package(
    random: &mut Random,
    root: &Path,
    directory: &str,
    name: &str,
    others: &[(String, String)],
    inherited: &[String],
) {
    // Explicit, absent (Cargo reads 2015) or inherited from `[workspace.package]`.
    let edition = match random.below(4) {
        0 => "edition = \"2015\"\n",
        1 => "",
        2 => "edition.workspace = true\n",
        _ => "edition = \"2021\"\n",
    };
    let mut manifest = format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n{edition}");
    let has_lib = random.chance(80);
    // (Cargo wants a target: a package without a library keeps its src/main.rs.)
    if has_lib && random.chance(25) {
        manifest.push_str("autobins = false\n");
    }
    if random.chance(15) {
        manifest.push_str("autoexamples = false\n");
    }
    if random.chance(15) {
        manifest.push_str("build = \"tools/generate.rs\"\n");
        write(
            root,
            &format!("{directory}/tools/generate.rs"),
            "fn main() {}\n",
        );
    } else if random.chance(30) {
        write(root, &format!("{directory}/build.rs"), "fn main() {}\n");
    }
    if has_lib {
        if random.chance(25) {
            manifest.push_str("\n[lib]\nname = \"renamed_lib\"\npath = \"source/core.rs\"\n");
            write(root, &format!("{directory}/source/core.rs"), "");
        } else {
            write(root, &format!("{directory}/src/lib.rs"), "");
        }
    }
    if !has_lib || random.chance(50) {
        write(root, &format!("{directory}/src/main.rs"), "fn main() {}\n");
    }
    for (folder, chance) in [
        ("src/bin", 40),
        ("tests", 50),
        ("benches", 30),
        ("examples", 40),
    ] {
        if random.chance(chance) {
            write(
                root,
                &format!("{directory}/{folder}/one.rs"),
                "fn main() {}\n",
            );
        }
        if random.chance(chance / 2) {
            write(
                root,
                &format!("{directory}/{folder}/two/main.rs"),
                "fn main() {}\n",
            );
            // A module of the target, not a target.
            write(root, &format!("{directory}/{folder}/two/helper.rs"), "");
        }
    }
    if random.chance(30) {
        write(root, &format!("{directory}/tools/cli.rs"), "fn main() {}\n");
        manifest.push_str("\n[[bin]]\nname = \"cli\"\npath = \"tools/cli.rs\"\n");
    }
    if random.chance(25) {
        write(
            root,
            &format!("{directory}/examples/declared.rs"),
            "fn main() {}\n",
        );
        manifest.push_str("\n[[example]]\nname = \"declared\"\n");
    }
    manifest.push_str("\n[dependencies]\n");
    for (other_directory, other_name) in others {
        let up = "../".repeat(directory.split('/').count());
        if random.chance(30) {
            manifest.push_str(&format!(
                "alias-{other_name} = {{ package = \"{other_name}\", path = \"{up}{other_directory}\" }}\n"
            ));
        } else {
            manifest.push_str(&format!(
                "{other_name} = {{ path = \"{up}{other_directory}\" }}\n"
            ));
        }
    }
    for name in inherited {
        if random.chance(50) {
            manifest.push_str(&format!("{name} = {{ workspace = true }}\n"));
        }
    }
    write(root, &format!("{directory}/Cargo.toml"), &manifest);
}

/// A random workspace in `root`.
fn workspace(random: &mut Random, root: &Path) {
    let count = 1 + random.below(4);
    let names: Vec<String> = (0..count).map(|at| format!("crate-{at}")).collect();
    let directories: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(at, name)| {
            if at % 2 == 0 {
                format!("crates/{name}")
            } else {
                format!("tools/{name}")
            }
        })
        .collect();
    // The last crate is reached only as a path dependency when it is not listed.
    let listed_last = random.chance(50);
    let mut members = vec!["\"crates/*\"".to_string()];
    for (at, directory) in directories.iter().enumerate() {
        if directory.starts_with("tools/") && (at + 1 < count || listed_last) {
            members.push(format!("\"{directory}\""));
        }
    }
    let excluded = random.chance(30);
    if excluded {
        write(
            root,
            "crates/scratch/Cargo.toml",
            "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\n\n[workspace]\n",
        );
        write(root, "crates/scratch/src/lib.rs", "");
    }
    let shared = random.chance(50);
    let mut root_manifest = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
        members.join(", ")
    );
    if excluded {
        root_manifest.push_str("exclude = [\"crates/scratch\"]\n");
    }
    let mut inherited = Vec::new();
    if shared {
        write(
            root,
            "shared/util/Cargo.toml",
            "[package]\nname = \"shared-util\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        );
        write(root, "shared/util/src/lib.rs", "");
        root_manifest
            .push_str("\n[workspace.dependencies]\nshared-util = { path = \"shared/util\" }\n");
        inherited.push("shared-util".to_string());
    }
    let rooted = random.chance(30);
    if rooted {
        root_manifest = format!(
            "[package]\nname = \"root-package\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{root_manifest}"
        );
        write(root, "src/main.rs", "fn main() {}\n");
    }
    root_manifest.push_str("\n[workspace.package]\nedition = \"2018\"\n");
    write(root, "Cargo.toml", &root_manifest);
    for at in 0..count {
        // Each crate may depend on the ones after it (no cycles).
        let others: Vec<(String, String)> = (at + 1..count)
            .filter(|_| random.chance(60))
            .map(|other| (directories[other].clone(), names[other].clone()))
            .collect();
        package(
            random,
            root,
            &directories[at],
            &names[at],
            &others,
            &inherited,
        );
    }
    if !listed_last && count > 1 && directories[count - 1].starts_with("tools/") {
        // Reached only if a listed crate depends on it; make sure one does.
        let first = &directories[0];
        let manifest = root.join(first).join("Cargo.toml");
        let mut text = fs::read_to_string(&manifest).expect("read");
        let up = "../".repeat(first.split('/').count());
        let last = &names[count - 1];
        if !text.contains(&format!("{last} = ")) && !text.contains(&format!("alias-{last} = ")) {
            text.push_str(&format!(
                "{last} = {{ path = \"{up}{}\" }}\n",
                directories[count - 1]
            ));
            fs::write(manifest, text).expect("write");
        }
    }
}

#[test]
fn members_targets_and_dependency_names_are_cargos() {
    let mut random = Random(0xca_760);
    for round in 0..60 {
        let scratch = tempfile::tempdir().expect("tempdir");
        let root = scratch.path().canonicalize().expect("canonical");
        workspace(&mut random, &root);
        let ours = importgate_facts(&root);
        let cargos = cargo_facts(&root);
        assert_eq!(
            ours.0,
            cargos.0,
            "round {round}: targets ({})",
            root.display()
        );
        assert_eq!(ours.1, cargos.1, "round {round}: dependencies");
    }
}

#[test]
fn a_manifest_that_is_not_toml_is_an_error_with_its_line() {
    let scratch = tempfile::tempdir().expect("tempdir");
    write(
        scratch.path(),
        "Cargo.toml",
        "[workspace]\nmembers = [\"a\"\n",
    );
    let error = read_workspace(&scratch.path().join("Cargo.toml"), &read_regular_text)
        .expect_err("invalid");
    assert!(error.to_string().contains("line 2"), "{error}");
    let missing = read_workspace(
        &scratch.path().join("nothing/Cargo.toml"),
        &read_regular_text,
    )
    .expect_err("none");
    assert!(missing.to_string().contains("cannot read"), "{missing}");
}
