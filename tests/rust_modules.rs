//! The Rust frontend's module tree reaches exactly the files rustc reads: over generated
//! crates whose modules are flat files (`x.rs`), `x/mod.rs` files, inline modules,
//! `#[path]` files inside and outside inline modules, children of non-`mod.rs` files (the
//! 2018 rule) and raw identifiers, the files `module_tree` lists equal the sources in
//! `rustc --emit=dep-info`; a missing and an ambiguous module are the problems rustc
//! reports as E0583 and E0761.

mod common;

use common::Random;
use importgate::frontend::rust::modules::{module_tree, ModuleProblem};
use importgate::frontend::rust::read_regular_text;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Writes the items of a module whose file is being written: its child modules, each
/// declared one of the ways rustc accepts, their files written where rustc looks.
/// `children` is where file modules declared here are looked for; `file_directory` the
/// declaring file's own directory; `inline` whether this is inside an inline module.
fn module_items(
    random: &mut Random,
    children: &Path,
    file_directory: &Path,
    inline: bool,
    depth: usize,
    counter: &mut usize,
) -> String {
    let mut text = String::new();
    let count = if depth >= 3 { 0 } else { random.below(4) };
    for _ in 0..count {
        *counter += 1;
        let raw = random.chance(10);
        let name = if raw {
            "r#match".to_string()
        } else {
            format!("m{counter}")
        };
        let plain = name.trim_start_matches("r#").to_string();
        match random.below(8) {
            0 => {
                // Inline: its file modules go to `children/name/`.
                let inner = module_items(
                    random,
                    &children.join(&plain),
                    file_directory,
                    true,
                    depth + 1,
                    counter,
                );
                text.push_str(&format!("pub mod {name} {{\n{inner}}}\n"));
            }
            which @ (1 | 7) => {
                // `#[path]`: relative to the file's directory, or inside an inline module
                // to the inline modules' directory; the file places children as mod.rs.
                // `#[cfg_attr(predicate, path)]` under a configuration that holds (`all()`
                // always does) puts the module where its path says just the same.
                let (relative, attribute) = if which == 1 {
                    let relative = format!("custom_{counter}/impl_{counter}.rs");
                    let attribute = format!("#[path = \"{relative}\"]");
                    (relative, attribute)
                } else {
                    let relative = format!("conditional_{counter}.rs");
                    let attribute = format!("#[cfg_attr(all(), path = \"{relative}\")]");
                    (relative, attribute)
                };
                let base = if inline { children } else { file_directory };
                let file = base.join(&relative);
                let directory = file.parent().expect("a parent").to_path_buf();
                let inner = module_items(random, &directory, &directory, false, depth + 1, counter);
                write(&file, &inner);
                text.push_str(&format!("{attribute}\npub mod {name};\n"));
            }
            6 if !inline => {
                // `include!`d: the included file's declarations are looked for beside it.
                let included_name = format!("included_{counter}.rs");
                let included = file_directory.join(&included_name);
                let file = file_directory.join(format!("{plain}.rs"));
                let inner = module_items(
                    random,
                    &file_directory.join(&plain),
                    file_directory,
                    false,
                    depth + 1,
                    counter,
                );
                write(&file, &inner);
                write(&included, &format!("pub mod {name};\n"));
                text.push_str(&format!("include!(\"{included_name}\");\n"));
            }
            2 => {
                let file = children.join(&plain).join("mod.rs");
                let directory = children.join(&plain);
                let inner = module_items(random, &directory, &directory, false, depth + 1, counter);
                write(&file, &inner);
                text.push_str(&format!("pub mod {name};\n"));
            }
            choice => {
                // `x.rs`: its children go to `x/` (the 2018 rule).
                let file = children.join(format!("{plain}.rs"));
                let inner = module_items(
                    random,
                    &children.join(&plain),
                    children,
                    false,
                    depth + 1,
                    counter,
                );
                write(&file, &inner);
                if choice == 5 {
                    // Declared by an item macro (as `cfg_if!` declares modules): rustc loads
                    // it once the macro expands, where a plain declaration would have.
                    text.push_str(&format!("items! {{ pub mod {name}; }}\n"));
                } else {
                    text.push_str(&format!("pub mod {name};\n"));
                }
            }
        }
        if raw {
            // One `match` per parent: the name is not numbered.
            break;
        }
    }
    text
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

/// The source files rustc reads for the crate rooted at `root`.
fn rustc_files(root: &Path, scratch: &Path) -> BTreeSet<PathBuf> {
    let dep_info = scratch.join("deps.d");
    let output = std::process::Command::new("rustc")
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "lib",
            "--crate-name",
            "generated",
        ])
        .arg(format!("--emit=dep-info={}", dep_info.display()))
        .arg(root)
        .current_dir(scratch)
        .output()
        .expect("rustc runs");
    assert!(
        output.status.success(),
        "rustc: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = fs::read_to_string(&dep_info).expect("dep-info");
    let first = text.lines().next().expect("a rule");
    let (_, sources) = first.split_once(": ").expect("target: sources");
    sources
        .split_whitespace()
        .map(|source| {
            let path = Path::new(source);
            let path = if path.is_absolute() {
                path.to_path_buf()
            } else {
                scratch.join(path)
            };
            path.canonicalize().expect("a file rustc read")
        })
        .collect()
}

#[test]
fn the_tree_reaches_the_files_rustc_reads() {
    let mut random = Random(0x70d_7ee);
    for round in 0..40 {
        let scratch = tempfile::tempdir().expect("tempdir");
        let base = scratch.path().canonicalize().expect("canonical");
        let source = base.join("src");
        let mut counter = 0;
        let items = module_items(&mut random, &source, &source, false, 0, &mut counter);
        let root = source.join("lib.rs");
        // The item macro the generated declarations use, in scope in every module below.
        let macro_definition = "macro_rules! items { ($($item:item)*) => { $($item)* }; }\n";
        write(&root, &format!("{macro_definition}{items}"));
        // A stray file no `mod` reaches.
        write(&source.join("stray.rs"), "");
        let tree = module_tree(&root, &read_regular_text);
        assert_eq!(tree.problems, Vec::new(), "round {round}: {items}");
        let ours: BTreeSet<PathBuf> = tree
            .files()
            .into_iter()
            .chain(tree.included.iter().map(|(_, file)| file.as_path()))
            .map(|file| file.canonicalize().expect("a file"))
            .collect();
        assert_eq!(ours, rustc_files(&root, &base), "round {round}: {items}");
    }
}

#[test]
fn a_missing_and_an_ambiguous_module_are_problems() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let source = scratch.path().join("src");
    write(&source.join("lib.rs"), "mod gone;\nmod twice;\nmod fine;\n");
    write(&source.join("twice.rs"), "");
    write(&source.join("twice/mod.rs"), "");
    // A file that does not parse still declares what its tokens say.
    write(
        &source.join("fine.rs"),
        "fn broken() { let = ; }\nmod child;\n",
    );
    write(&source.join("fine/child.rs"), "");
    let tree = module_tree(&source.join("lib.rs"), &read_regular_text);
    let summary: Vec<String> = tree
        .problems
        .iter()
        .map(|problem| match problem {
            ModuleProblem::NotFound {
                module,
                declared_in,
                ..
            } => format!("E0583 {module} line {}", declared_in.1),
            ModuleProblem::Ambiguous { module, .. } => format!("E0761 {module}"),
            ModuleProblem::Unreadable { message, .. } => format!("unparsable: {message}"),
        })
        .collect();
    assert_eq!(summary, ["E0583 gone line 1", "E0761 twice"]);
    // The modules that load are still in the tree.
    assert!(tree.modules.iter().any(|(module, _)| module == "fine"));
    assert!(tree
        .modules
        .iter()
        .any(|(module, _)| module == "fine::child"));
}

#[test]
fn files_no_target_reaches_are_listed_and_nothing_else() {
    use importgate::frontend::rust::modules::unreached_files;
    use importgate::frontend::rust::workspace::read_workspace;
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = scratch.path().canonicalize().expect("canonical");
    write(
        &root.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        &root.join("src/lib.rs"),
        "mod used;\ninclude!(\"generated.rs\");\n",
    );
    write(&root.join("src/used.rs"), "");
    write(&root.join("src/generated.rs"), "pub fn generated() {}\n");
    write(&root.join("src/main.rs"), "mod cli;\nfn main() {}\n");
    write(&root.join("src/cli.rs"), "");
    write(&root.join("src/bin/tool.rs"), "fn main() {}\n");
    write(&root.join("tests/it.rs"), "mod common;\n");
    write(&root.join("tests/common/mod.rs"), "");
    write(&root.join("examples/demo.rs"), "fn main() {}\n");
    write(&root.join("build.rs"), "fn main() {}\n");
    // Never compiled: a module file nobody declares (the old name of a moved module), and
    // one in the directory of a module that does not declare it. (Every `tests/*.rs` is a
    // test crate of its own.)
    write(&root.join("src/old_used.rs"), "");
    write(&root.join("src/cli/forgotten.rs"), "");
    // Not this package's: build output, a nested package, a hidden directory.
    write(&root.join("target/debug/build/out.rs"), "");
    write(
        &root.join("nested/Cargo.toml"),
        "[package]\nname = \"nested\"\nversion = \"0.1.0\"\n",
    );
    write(&root.join("nested/src/lib.rs"), "");
    write(&root.join(".cargo/helper.rs"), "");
    let workspace = read_workspace(&root.join("Cargo.toml"), &read_regular_text).expect("reads");
    let package = &workspace.packages[0];
    let trees: Vec<_> = package
        .targets
        .iter()
        .map(|target| module_tree(&target.root, &read_regular_text))
        .collect();
    assert!(trees.iter().all(|tree| tree.problems.is_empty()));
    assert_eq!(
        unreached_files(&package.directory, &trees),
        vec![
            root.join("src/cli/forgotten.rs"),
            root.join("src/old_used.rs")
        ]
    );
}

/// A module file nested deeper than any real one is followed without a crash on a test
/// thread's small stack: the scan is a loop, and item lists nested past its bound are
/// not looked into.
#[test]
fn a_file_nested_too_deep_is_followed_without_a_crash() {
    let scratch = tempfile::tempdir().expect("scratch");
    let root = scratch.path().join("lib.rs");
    write(&root, "mod deep;\n");
    let depth = 100_000;
    write(
        &scratch.path().join("deep.rs"),
        &format!(
            "fn f() {{ x = {}1; }}\n{}{}\nmod after;\n",
            "-".repeat(depth),
            "mod m { items! { ".repeat(depth),
            "} }".repeat(depth)
        ),
    );
    write(&scratch.path().join("deep/after.rs"), "");
    let tree = module_tree(&root, &read_regular_text);
    assert_eq!(tree.problems, Vec::new());
    assert!(tree
        .modules
        .iter()
        .any(|(module, _)| module == "deep::after"));
    let deepest = tree
        .modules
        .iter()
        .map(|(module, _)| module.matches("::").count())
        .max();
    assert!(deepest < Some(200), "{deepest:?}");
}
