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
    let trees = common::fixture_trees(scratch.path());
    // Trusted stamps: full runs record their report, and the next one replays it. (The
    // cache directory is made first: making it changes the time of the directory that
    // holds rules.toml, which resolution may have listed.)
    for (_, root) in &trees {
        fs::create_dir(root.join(".importgate_cache")).expect("mkdir");
    }
    let_times_age();
    for (name, root) in trees {
        // Cold (the caches are written), then warm (the report is replayed).
        let cold = assert_cache_changes_nothing(&root, &[], &format!("{name}, cold"));
        assert!(
            root.join(".importgate_cache/facts-v1.bin").exists(),
            "{name}: a full run writes the facts cache"
        );
        let warm = assert_cache_changes_nothing(&root, &[], &format!("{name}, warm"));
        assert_eq!(cold, warm, "{name}");
        assert!(replayed(&root, &[]), "{name}: an unchanged tree replays");
        // Every file given (a full run cut down to them) and one file given.
        let files: Vec<String> = python_files(&root)
            .iter()
            .map(|path| path.to_string_lossy().replace('\\', "/"))
            .collect();
        let every: Vec<&str> = files.iter().map(String::as_str).collect();
        assert_cache_changes_nothing(&root, &every, &format!("{name}, every file"));
        // PATHS a full run serves are cut from the replayed findings.
        assert!(replayed(&root, &every), "{name}: every file given replays");
        if let Some(first) = every.first() {
            assert_cache_changes_nothing(&root, &[first], &format!("{name}, {first}"));
            assert!(replayed(&root, &[first]), "{name}: {first} given replays");
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
    common::copy_demo(root);
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

/// Whether `check -v` says it replayed the last full run's report.
fn replayed(root: &Path, args: &[&str]) -> bool {
    let mut with_verbose = vec!["check", "-v"];
    with_verbose.extend_from_slice(args);
    report(root, &with_verbose).contains("its report is replayed")
}

/// Lets every time written so far age past the clock's resolution, so that stamps are
/// trusted and a full run records its report.
fn let_times_age() {
    std::thread::sleep(std::time::Duration::from_millis(2100));
}

/// The report cache: a full run on an unchanged tree replays the last report, and never
/// when anything the report was computed from changed — a file's bytes (as many of them),
/// the registry, the selected checks, a file added, and a module added where the walk does
/// not look (an excluded directory, which resolution reads on disk).
#[test]
fn a_replayed_report_is_the_report_of_the_tree_as_it_is() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = scratch.path();
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    };
    write(
        "rules.toml",
        "[project]\nexclude = [\"app/generated/**\"]\n",
    );
    write("app/__init__.py", "");
    write("app/generated/__init__.py", "");
    write(
        "app/main.py",
        "import app.generated.models\nimport app.gone\nfrom app.helpers import tidy\n",
    );
    write("app/helpers.py", "def tidy():\n    pass\n");
    // The plain run last: it leaves the record of the plain run.
    let assert_same = |context: &str| {
        assert_cache_changes_nothing(root, &["--select", "IG020"], context);
        assert_cache_changes_nothing(root, &["app/main.py", "app/generated"], context);
        assert_cache_changes_nothing(root, &[], context)
    };

    // Written just now: no stamp is trusted yet, so nothing is recorded.
    assert_same("fresh tree");
    assert!(!replayed(root, &[]));
    let_times_age();
    let first = report(root, &["check", "--output-format", "concise"]);
    assert!(first.contains("app.generated.models"), "{first}");
    assert!(replayed(root, &[]), "an unchanged tree replays");
    // PATHS are cut from the same findings (files, and a directory of excluded files).
    assert!(replayed(root, &["app/main.py", "app/generated"]));
    assert!(replayed(root, &["app/helpers.py"]));
    // The checks the command line selects are part of what was recorded.
    assert!(!replayed(root, &["--select", "IG020"]));
    assert!(replayed(root, &["--select", "IG020"]));
    assert!(!replayed(root, &[]));
    assert_same("unchanged");
    // --no-cache neither reads nor writes it; --fix never replays (it needs the project).
    assert!(!replayed(root, &["--no-cache"]));
    assert!(replayed(root, &[]));
    assert!(!replayed(root, &["--fix"]));

    // A module appears in the excluded directory: the import resolves now.
    write("app/generated/models.py", "");
    let_times_age();
    assert!(!replayed(root, &[]));
    let after = report(root, &["check", "--output-format", "concise"]);
    assert!(!after.contains("app.generated.models"), "{after}");
    assert_same("excluded module added");
    assert!(replayed(root, &[]));

    // The same number of bytes, another import.
    write(
        "app/main.py",
        "import app.generated.models\nimport app.gonf\nfrom app.helpers import tidy\n",
    );
    let_times_age();
    assert!(!replayed(root, &[]));
    let edited = report(root, &["check", "--output-format", "concise"]);
    assert!(edited.contains("app.gonf"), "{edited}");
    assert_same("same-length edit");

    // The name a file imports goes away from the file that defined it.
    write("app/helpers.py", "def tody():\n    pass\n");
    let_times_age();
    assert!(!replayed(root, &[]));
    assert_same("definition renamed");
    assert!(report(root, &["check", "--output-format", "concise"]).contains("IG021"));

    // A new file; a registry edit (no wait: the key, not a stamp, says it changed).
    write("app/gone.py", "");
    let_times_age();
    assert!(!replayed(root, &[]));
    assert_same("module added");
    assert!(replayed(root, &[]));
    write(
        "rules.toml",
        "[project]\nexclude = [\"app/generated/**\"]\n\n[[banned]]\nid = \"no-helpers\"\napi = [\"app.helpers\"]\nhint = \"no\"\n",
    );
    assert!(!replayed(root, &[]));
    assert_same("registry edited");
    assert!(report(root, &["check", "--output-format", "concise"]).contains("no-helpers"));
}

/// What a lookup through a symlink finds depends on more than the stamps of the
/// directories it listed (the link's target can change alone): such a run records nothing.
#[cfg(unix)]
#[test]
fn a_run_whose_lookups_followed_a_symlink_is_never_replayed() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = scratch.path().join("tree");
    let (first, second) = (scratch.path().join("first"), scratch.path().join("second"));
    for directory in [&root.join("app"), &first, &second] {
        fs::create_dir_all(directory).expect("mkdir");
    }
    fs::write(root.join("rules.toml"), "[project]\n").expect("write");
    fs::write(root.join("app/__init__.py"), "").expect("write");
    fs::write(root.join("app/main.py"), "import app.linked.models\n").expect("write");
    fs::write(second.join("models.py"), "").expect("write");
    std::os::unix::fs::symlink(&first, root.join("app/linked")).expect("symlink");
    fs::create_dir(root.join(".importgate_cache")).expect("mkdir");
    let_times_age();
    assert_cache_changes_nothing(&root, &[], "through a symlink");
    assert!(!replayed(&root, &[]));
    assert!(report(&root, &["check", "--output-format", "concise"]).contains("IG020"));
    // The link's target gains the module: only the target changed.
    fs::write(first.join("models.py"), "").expect("write");
    assert!(!replayed(&root, &[]));
    assert_cache_changes_nothing(&root, &[], "the target gained the module");
}
