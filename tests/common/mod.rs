//! Running the real binary the way a user does, with output that is stable across machines.

#![allow(dead_code)]

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The repository root (where the reference rules.toml lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture directory below `tests/fixtures`.
pub fn fixture(relative: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(relative)
}

/// `importgate ARGS` in `cwd`, without colour and at a fixed width.
pub fn importgate(cwd: &Path, args: &[&str]) -> Command {
    let mut command = Command::cargo_bin("importgate").expect("the importgate binary is built");
    command
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("CI")
        .env_remove("PRE_COMMIT");
    command
}

/// The exit code, stdout and stderr of a run, as one text for a snapshot.
pub fn transcript(cwd: &Path, args: &[&str]) -> String {
    let output = importgate(cwd, args).output().expect("importgate runs");
    format!(
        "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        output
            .status
            .code()
            .map_or("signal".to_string(), |code| code.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Filters that remove what changes between runs (timings).
pub fn stable_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"in \d+\.\d+s\.", "in [TIME]s.");
    settings.add_filter(r#""elapsed_ms": \d+"#, r#""elapsed_ms": "[TIME]""#);
    settings.add_filter(r#"time="\d+\.\d+""#, r#"time="[TIME]""#);
    settings.add_filter(r#""file:///[^"]*/""#, r#""file:///[ROOT]/""#);
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Every file below `root` with its bytes, by relative path, except the caches importgate
/// keeps in `.importgate_cache` (full runs write them: they are not the user's files).
pub fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = every_file(root);
    files.retain(|path, _| !path.starts_with(".importgate_cache"));
    files
}

/// Every file below `root` with its bytes, by relative path.
pub fn every_file(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("readable").filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("below root").to_path_buf();
                files.insert(relative, fs::read(&path).expect("readable"));
            }
        }
    }
    files
}

/// Copies the files of `from` into `to`.
pub fn copy(from: &Path, to: &Path) {
    for (relative, bytes) in tree(from) {
        let target = to.join(relative);
        fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        fs::write(target, bytes).expect("write");
    }
}

/// SplitMix64: a seeded generator, so that a failing random input can be made again.
pub struct Random(pub u64);

impl Random {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// Whether an event of `percent` chance happens.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Writes `files` (relative path, content) below `root`, creating their directories.
pub fn write_files(root: &Path, files: &[(impl AsRef<str>, impl AsRef<[u8]>)]) {
    for (path, content) in files {
        let path = root.join(path.as_ref());
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, content).expect("write");
    }
}

/// The demo monorepo with the repository's rules.toml, laid out as in the repository.
pub fn copy_demo(to: &Path) {
    copy(
        &repo_root().join("fixtures/monorepo"),
        &to.join("fixtures/monorepo"),
    );
    fs::copy(repo_root().join("rules.toml"), to.join("rules.toml")).expect("copy");
}

/// A copy of every fixture tree with a registry (the cases, the baseline tree and the demo
/// monorepo with the repository's rules.toml), and the folder to run `check` in.
pub fn fixture_trees(scratch: &Path) -> Vec<(String, PathBuf)> {
    let mut trees = Vec::new();
    let cases = fixture("cases");
    let mut names: Vec<PathBuf> = fs::read_dir(&cases)
        .expect("cases")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    names.sort();
    names.push(fixture("baseline"));
    for case in names {
        let name = case
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        let target = scratch.join(&name);
        copy(&case, &target);
        trees.push((name, target));
    }
    let demo = scratch.join("demo");
    copy_demo(&demo);
    trees.push(("demo".to_string(), demo));
    trees
}
