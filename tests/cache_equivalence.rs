//! The facts cache of full runs must never change what a run reports: over every fixture
//! tree, and over sequences of edits (changed, reverted, renamed, copied, deleted and new
//! files; registry edits, including the watched APIs that decide which facts are kept), a
//! run with the cache prints exactly what `--no-cache` prints, in every format tried.

mod common;

use common::Random;
use std::fs;
use std::path::{Path, PathBuf};

/// Exit code, stdout and stderr of `check ARGS`, without the run's duration.
fn report(root: &Path, args: &[&str]) -> String {
    without_durations(&common::transcript(root, args))
}

fn without_durations(text: &str) -> String {
    text.lines()
        .map(|line| {
            if let Some(at) = line.find("\"elapsed_ms\": ") {
                let digits = &line[at + "\"elapsed_ms\": ".len()..];
                let rest = digits.trim_start_matches(|c: char| c.is_ascii_digit());
                format!("{}\"elapsed_ms\": [TIME]{rest}", &line[..at])
            } else if line.starts_with("Checked ") {
                line.rsplit_once(" in ")
                    .map_or(line.to_string(), |(head, _)| format!("{head} in [TIME]"))
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `check` with `args` in every format below, with and without the cache, and asserts
/// the reports are identical; returns the JSON report.
fn assert_cache_changes_nothing(root: &Path, args: &[&str], context: &str) -> String {
    let mut json = String::new();
    for format in ["json", "full", "concise"] {
        let mut with_format = vec!["check", "--output-format", format];
        with_format.extend_from_slice(args);
        let cached = report(root, &with_format);
        with_format.push("--no-cache");
        let uncached = report(root, &with_format);
        assert_eq!(cached, uncached, "{context}: --output-format {format}");
        if format == "json" {
            json = cached;
        }
    }
    json
}

/// A copy of every fixture tree with a registry (the cases, the baseline tree and the demo
/// monorepo with the repository's rules.toml), and the folder to run `check` in.
fn fixture_trees(scratch: &Path) -> Vec<(String, PathBuf)> {
    let mut trees = Vec::new();
    let cases = common::fixture("cases");
    let mut names: Vec<PathBuf> = fs::read_dir(&cases)
        .expect("cases")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    names.sort();
    names.push(common::fixture("baseline"));
    for case in names {
        let name = case
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        let copy = scratch.join(&name);
        common::copy(&case, &copy);
        trees.push((name, copy));
    }
    let demo = scratch.join("demo");
    copy_demo(&demo);
    trees.push(("demo".to_string(), demo));
    trees
}

/// The demo monorepo with the repository's rules.toml, laid out as in the repository.
fn copy_demo(to: &Path) {
    common::copy(
        &common::repo_root().join("fixtures/monorepo"),
        &to.join("fixtures/monorepo"),
    );
    fs::copy(
        common::repo_root().join("rules.toml"),
        to.join("rules.toml"),
    )
    .expect("copy");
}

fn python_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = common::tree(root)
        .into_keys()
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    files.sort();
    files
}

#[test]
fn cached_runs_report_what_uncached_runs_report_on_every_fixture() {
    let scratch = tempfile::tempdir().expect("tempdir");
    for (name, root) in fixture_trees(scratch.path()) {
        // Cold (the cache is written), then warm (every file's facts come from it).
        let cold = assert_cache_changes_nothing(&root, &[], &format!("{name}, cold"));
        assert!(
            root.join(".importgate_cache/facts-v1.bin").exists(),
            "{name}: a full run writes the facts cache"
        );
        let warm = assert_cache_changes_nothing(&root, &[], &format!("{name}, warm"));
        assert_eq!(cold, warm, "{name}");
        // Every file given (a full run cut down to them) and one file given.
        let files: Vec<String> = python_files(&root)
            .iter()
            .map(|path| path.to_string_lossy().replace('\\', "/"))
            .collect();
        let every: Vec<&str> = files.iter().map(String::as_str).collect();
        assert_cache_changes_nothing(&root, &every, &format!("{name}, every file"));
        if let Some(first) = every.first() {
            assert_cache_changes_nothing(&root, &[first], &format!("{name}, {first}"));
        }
    }
}

/// What an edit step does to the tree.
#[derive(Debug)]
enum Edit {
    Append(PathBuf, &'static str),
    Revert(PathBuf),
    Rename(PathBuf, PathBuf),
    CopyTo(PathBuf, PathBuf),
    Delete(PathBuf),
    Touch(PathBuf),
    Registry(&'static str),
}

/// Lines an edit appends: forbidden imports, watched attribute uses, suppressions, broken
/// syntax, names other modules import.
const APPENDED: &[&str] = &[
    "import jwt\n",
    "from auth_service.auth_core.core import token\n",
    "from test_framework import base\n",
    "import os\nvalue = os.environ.get('X')\n",
    "import os.path\njoined = os.path.join('a', 'b')\n",
    "from . import sibling  # importgate: ignore[IG004] -- kept on purpose\n",
    "def broken(:\n",
    "class SessionManager:\n    pass\n",
    "from shared.metrics import record, missing_name\n",
    "if TYPE_CHECKING:\n    import auth_service.auth_core\n",
];

/// Registry edits: one changes the watched APIs (the cache's stamp), the others the checks
/// only (the cached facts stay valid).
const REGISTRY_EDITS: &[&str] = &[
    "\n[[banned]]\nid = \"no-path-join\"\napi = [\"os.path.join\"]\nhint = \"use pathlib\"\n",
    "\n[[boundary]]\nid = \"shared-not-metrics\"\nfrom = [\"shared\"]\nforbid = [\"shared.metrics\"]\n",
    "\n[[banned]]\nid = \"no-json-dumps\"\napi = [\"json.dumps\"]\nhint = \"use the encoder\"\n",
];

#[test]
fn cached_runs_report_what_uncached_runs_report_after_every_edit() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = scratch.path();
    copy_demo(root);
    let originals: std::collections::BTreeMap<PathBuf, Vec<u8>> = common::tree(root);
    // A file's stamp is trusted once its times are two seconds old: from the first cached
    // run on, the facts of unchanged files come from the cache unread, and the fixes built
    // for them (the demo has six) read their text then.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let mut random = Random(0x5eed_cac4e);
    assert_cache_changes_nothing(root, &[], "before any edit");
    // The cached facts of a file keep only the attribute uses the registry watches: a ban
    // added later on one that the file already used must be reported.
    let config = PathBuf::from("fixtures/monorepo/netra_backend/app/config.py");
    apply(root, &Edit::Append(config.clone(), APPENDED[4]), &originals);
    apply(root, &Edit::Append(config.clone(), APPENDED[0]), &originals);
    // Checked once its new times are trusted: the stamp, not its age, says it changed.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let before = assert_cache_changes_nothing(root, &[], "os.path.join used");
    assert!(!before.contains("no-path-join"));
    let concise = report(root, &["check", "--output-format", "concise"]);
    assert!(concise.contains("config.py:8:8: IG003"), "{concise}");
    apply(root, &Edit::Registry(REGISTRY_EDITS[0]), &originals);
    let after = assert_cache_changes_nothing(root, &[], "os.path.join banned");
    assert!(after.contains("no-path-join"), "{after}");
    apply(root, &Edit::Revert(config), &originals);
    let mut registry_edits = REGISTRY_EDITS[1..].iter();
    for step in 0..40 {
        let files = python_files(&root.join("fixtures/monorepo"));
        let file =
            |random: &mut Random| PathBuf::from("fixtures/monorepo").join(random.pick(&files));
        let edit = match random.below(9) {
            0..=2 => {
                let path = file(&mut random);
                Edit::Append(path, APPENDED[random.below(APPENDED.len())])
            }
            3 => Edit::Revert(file(&mut random)),
            4 => {
                let from = file(&mut random);
                let to = from.with_file_name(format!("renamed_{step}.py"));
                Edit::Rename(from, to)
            }
            5 => {
                let from = file(&mut random);
                let to = from.with_file_name(format!("copied_{step}.py"));
                Edit::CopyTo(from, to)
            }
            6 => Edit::Delete(file(&mut random)),
            7 => Edit::Touch(file(&mut random)),
            _ => match registry_edits.next() {
                Some(edit) => Edit::Registry(edit),
                None => Edit::Touch(file(&mut random)),
            },
        };
        apply(root, &edit, &originals);
        let context = format!("step {step}: {edit:?}");
        let json = assert_cache_changes_nothing(root, &[], &context);
        assert!(!json.contains("in the registry"), "{context}: {json}");
        // A second cached run reads what the first one wrote.
        let warm = report(root, &["check", "--output-format", "json"]);
        let uncached = report(root, &["check", "--output-format", "json", "--no-cache"]);
        assert_eq!(warm, uncached, "{context}, warm");
    }
}

fn apply(root: &Path, edit: &Edit, originals: &std::collections::BTreeMap<PathBuf, Vec<u8>>) {
    match edit {
        Edit::Append(path, text) => {
            let mut bytes = fs::read(root.join(path)).expect("read");
            bytes.extend_from_slice(text.as_bytes());
            fs::write(root.join(path), bytes).expect("write");
        }
        Edit::Revert(path) => {
            let original = originals.get(path).cloned().unwrap_or_default();
            fs::write(root.join(path), original).expect("write");
        }
        Edit::Rename(from, to) => fs::rename(root.join(from), root.join(to)).expect("rename"),
        Edit::CopyTo(from, to) => {
            fs::copy(root.join(from), root.join(to)).expect("copy");
        }
        Edit::Delete(path) => fs::remove_file(root.join(path)).expect("delete"),
        Edit::Touch(path) => {
            fs::File::options()
                .write(true)
                .open(root.join(path))
                .and_then(|file| file.set_modified(std::time::SystemTime::now()))
                .expect("touch");
        }
        Edit::Registry(text) => {
            let mut registry = fs::read_to_string(root.join("rules.toml")).expect("read");
            registry.push_str(text);
            fs::write(root.join("rules.toml"), registry).expect("write");
        }
    }
}
