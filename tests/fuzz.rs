//! A fuzz harness over the library, for stable Rust (no cargo-fuzz): a seeded random driver
//! that mutates real inputs for a bounded time per target.
//!
//! - `python_trees`: trees of mutated Python files (the fixtures' files, spliced, flipped,
//!   truncated, stuffed with tokens that reach the frontend's odd paths) through a check,
//!   `--fix` rounds until none applies, every output format, and a second check of the
//!   fixed tree, which must plan no fix (idempotence).
//! - `registries`: mutated rules.toml text through loading.
//! - `baselines`: mutated baseline JSON through loading.
//!
//! Nothing may panic, overflow the stack or hang, and no output may hold a raw control
//! character. Each target runs `IMPORTGATE_FUZZ_SECONDS` seconds (default 3; CI gives
//! each 60) from `IMPORTGATE_FUZZ_SEED` (default: the clock, printed, so that a failure
//! can be run again). An input that fails is written to `target/fuzz-failures/` and the
//! test fails; a crash it found belongs in `tests/fuzz-regressions/`, which every run
//! replays first.

mod common;

use common::Random;

use importgate::config::Config;
use importgate::engine::{check, CheckOptions};
use importgate::fix::FixSession;
use importgate::report::{render, OutputFormat, ReportContext};
use std::fs;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Tokens that reach the frontend's and the checks' odd paths.
const TOKENS: &[&str] = &[
    "import ",
    "from ",
    " import ",
    "from . import ",
    "from .. import x\n",
    "from pkg.old import *\n",
    "import pkg.old as po\n",
    "from pkg.legacy import Manager\n",
    "import billing\n",
    "import pickle\n",
    "os.environ['X']\n",
    "importlib.import_module('pkg.sub')\n",
    "__import__('pkg', level=1)\n",
    "if TYPE_CHECKING:\n    import billing\n",
    "try:\n    import missing\nexcept ImportError:\n    pass\n",
    "def __getattr__(name):\n    pass\n",
    "__all__ = ['A', 'B']\n",
    "# importgate: ignore[IG001] -- reason\n",
    "# importgate: ignore\n",
    "# -*- coding: latin-1 -*-\n",
    "# coding: cp1252\n",
    "\u{feff}",
    "\r\n",
    "\r",
    "\t",
    "\\\n",
    "(",
    ")",
    "[",
    "{",
    "\"\"\"",
    "'",
    "f'{",
    "\0",
    "\x1b[31m",
    "\u{9b}",
    "é",
    "🦀",
    "    ",
    "class Manager:\n    pass\n",
    "lambda: ",
    "not ",
    "-",
];

/// The fixture files `wanted` picks (`.py` files, registries): the seeds the mutations
/// start from.
fn fixture_files(wanted: impl Fn(&Path) -> bool) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut pending = vec![common::repo_root().join("tests/fixtures")];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if wanted(&path) {
                files.extend(fs::read(&path));
            }
        }
    }
    files.sort();
    files
}

/// One mutation of `bytes`.
fn mutate(random: &mut Random, bytes: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    let at = random.below(bytes.len() + 1);
    match random.below(8) {
        0 if !bytes.is_empty() => {
            let at = at.min(bytes.len() - 1);
            bytes[at] ^= 1 << random.below(8);
        }
        1 => {
            let token = random.pick(TOKENS).as_bytes();
            bytes.splice(at..at, token.iter().copied());
        }
        2 => bytes.truncate(at),
        3 => {
            let other = random.pick(seeds);
            let from = random.below(other.len() + 1);
            let to = (from + random.below(200)).min(other.len());
            bytes.splice(at..at, other[from..to].iter().copied());
        }
        4 => {
            // A run of one nesting token: deep brackets, indentation, operators.
            let token = random.pick(&["(", "[", "    if x:\n", "-", "not ", "x.", "f'{"]);
            let count = random.below(400);
            bytes.splice(at..at, token.repeat(count).bytes());
        }
        5 => {
            let end = (at + random.below(40)).min(bytes.len());
            bytes.drain(at..end);
        }
        6 => bytes.insert(at.min(bytes.len()), random.below(256) as u8),
        _ => {
            let token = random.pick(TOKENS).as_bytes();
            bytes.extend_from_slice(token);
        }
    }
}

fn mutated(random: &mut Random, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = random.pick(seeds).clone();
    for _ in 0..1 + random.below(6) {
        mutate(random, &mut bytes, seeds);
    }
    bytes
}

const REGISTRY: &str = r#"
[project]
ban-relative-imports = true

[[service]]
name = "app"
modules = ["app"]

[[service]]
name = "billing"
modules = ["billing"]

[[boundary]]
id = "app-not-billing"
from = ["app"]
forbid = ["billing.internal"]
hint = "use billing.api"

[[banned]]
id = "no-pickle"
api = ["pickle", "os.environ"]

[[canonical]]
symbol = "Manager"
module = "pkg.new"

[[deprecated]]
module = "pkg.old"
replacement = "pkg.new"

[[deprecated]]
module = "pkg.legacy"
replacement = "pkg.new"

[[cycles]]
within = "app"

[[layers]]
id = "app-layers"
layers = ["app.api", "app.domain"]
"#;

/// The seconds each target runs, and the seed.
fn budget() -> (Duration, u64) {
    let seconds = std::env::var("IMPORTGATE_FUZZ_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(3);
    let seed = std::env::var("IMPORTGATE_FUZZ_SEED")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |since| since.as_nanos() as u64)
        });
    (Duration::from_secs(seconds), seed)
}

/// Saves a failing input and fails the test with how to run it again.
fn fail(target: &str, seed: u64, round: usize, inputs: &[(String, Vec<u8>)], why: &str) -> ! {
    let dir = common::repo_root()
        .join("target/fuzz-failures")
        .join(format!("{target}-{seed}-{round}"));
    for (name, bytes) in inputs {
        let path = dir.join(name);
        let _ = fs::create_dir_all(path.parent().unwrap_or(&dir));
        let _ = fs::write(path, bytes);
    }
    panic!(
        "{target}: {why}\nthe input is in {}; run again with IMPORTGATE_FUZZ_SEED={seed}",
        dir.display()
    );
}

fn raw_control(output: &[u8]) -> bool {
    String::from_utf8_lossy(output)
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// A check of the tree at `root`, `--fix` rounds, every format, and the idempotence of the
/// fixes; an error says what went wrong.
fn check_fix_render(root: &Path) -> Result<(), String> {
    let config = Config::load(&root.join("rules.toml")).map_err(|error| error.to_string())?;
    let mut options = CheckOptions {
        threads: Some(1),
        ..Default::default()
    };
    let mut session = FixSession::default();
    let mut outcome = check(&config, &options).map_err(|error| error.to_string())?;
    let mut converged = false;
    for _ in 0..10 {
        if !session.plan_round(&outcome.files, &outcome.diagnostics, true) {
            converged = true;
            break;
        }
        options.overlay = std::sync::Arc::new(session.overlay());
        outcome = check(&config, &options).map_err(|error| error.to_string())?;
    }
    let context = ReportContext::new(&config, root);
    for format in [
        OutputFormat::Full,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::JsonLines,
        OutputFormat::Github,
        OutputFormat::Gitlab,
        OutputFormat::Sarif,
        OutputFormat::Junit,
        OutputFormat::Markdown,
    ] {
        let mut out = Vec::new();
        render(format, &outcome, &context, &mut out).map_err(|error| error.to_string())?;
        if raw_control(&out) {
            return Err(format!("{format:?} output holds a raw control character"));
        }
    }
    // Write the fixes, check again: a converged --fix leaves nothing to fix.
    let (changes, _) = session.changes();
    if converged && changes.len() == session.files_fixed() {
        for change in &changes {
            fs::write(&change.path, &change.bytes).map_err(|error| error.to_string())?;
        }
        let again = check(&config, &CheckOptions::default()).map_err(|error| error.to_string())?;
        let mut second = FixSession::default();
        second.plan_round(&again.files, &again.diagnostics, true);
        let (more, _) = second.changes();
        if !more.is_empty() {
            return Err(format!(
                "a second --fix changes {} again",
                more.iter()
                    .map(|change| change.shown.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(())
}

const TREE_FILES: &[&str] = &[
    "app/__init__.py",
    "app/api.py",
    "app/domain.py",
    "app/views.py",
    "billing/__init__.py",
    "billing/internal.py",
    "pkg/__init__.py",
    "pkg/new.py",
    "pkg/old.py",
    "pkg/legacy.py",
];

fn replay_regressions(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir = common::repo_root()
        .join("tests/fuzz-regressions")
        .join(kind);
    let mut found: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            fs::read(entry.path()).ok().map(|bytes| (name, bytes))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn python_trees() {
    let (budget, seed) = budget();
    eprintln!("python_trees: seed {seed}, {} s", budget.as_secs());
    let seeds = fixture_files(|path| path.extension().is_some_and(|ext| ext == "py"));
    let mut random = Random(seed);
    let started = Instant::now();
    let mut rounds = 0;
    // Known crashes first: each becomes one file of a tree.
    let regressions = replay_regressions("python");
    let mut pending_regressions = regressions.into_iter();
    while started.elapsed() < budget || rounds == 0 {
        let mut files: Vec<(String, Vec<u8>)> = TREE_FILES
            .iter()
            .map(|name| (name.to_string(), mutated(&mut random, &seeds)))
            .collect();
        if let Some((_, bytes)) = pending_regressions.next() {
            files[3].1 = bytes;
        }
        files.push(("rules.toml".to_string(), REGISTRY.as_bytes().to_vec()));
        let dir = tempfile::tempdir().expect("tempdir");
        common::write_files(dir.path(), &files);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| check_fix_render(dir.path())));
        match result {
            Ok(Ok(())) => {}
            Ok(Err(why)) => fail("python_trees", seed, rounds, &files, &why),
            Err(_) => fail("python_trees", seed, rounds, &files, "panicked"),
        }
        rounds += 1;
    }
    eprintln!("python_trees: {rounds} trees of {} files", TREE_FILES.len());
}

/// Runs `one` on mutations of `seeds` for the time budget; an input that makes it panic is
/// saved as `file_name` and fails the test.
fn fuzz_inputs(target: &str, file_name: &str, seeds: &[Vec<u8>], one: impl Fn(&[u8])) {
    let (budget, seed) = budget();
    eprintln!("{target}: seed {seed}, {} s", budget.as_secs());
    let mut random = Random(seed);
    let started = Instant::now();
    let mut rounds = 0;
    while started.elapsed() < budget || rounds == 0 {
        let bytes = mutated(&mut random, seeds);
        if std::panic::catch_unwind(AssertUnwindSafe(|| one(&bytes))).is_err() {
            fail(
                target,
                seed,
                rounds,
                &[(file_name.into(), bytes)],
                "panicked",
            );
        }
        rounds += 1;
    }
    eprintln!("{target}: {rounds} inputs");
}

#[test]
fn registries() {
    let mut seeds = fixture_files(|path| {
        path.file_name()
            .is_some_and(|name| name == "rules.toml" || name == "pyproject.toml")
    });
    seeds.push(REGISTRY.as_bytes().to_vec());
    seeds.extend(
        replay_regressions("registry")
            .into_iter()
            .map(|(_, bytes)| bytes),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules.toml");
    let pyproject = dir.path().join("pyproject.toml");
    fuzz_inputs("registries", "rules.toml", &seeds, |bytes| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        // Both formats: the same bytes as rules.toml, and as pyproject.toml when they hold a
        // `[tool.importgate]` table.
        let path = if text.contains("tool.importgate") {
            &pyproject
        } else {
            &rules
        };
        if let Err(importgate::config::LoadError::Invalid(errors)) = Config::from_text(path, text) {
            let mut out = Vec::new();
            importgate::report::render_config_errors(&errors, dir.path(), false, 100, &mut out)
                .expect("rendered");
        }
    });
}

#[test]
fn baselines() {
    let entry = r#"{"path": "app/a.py", "code": "IG001", "rule": "r", "target": "billing", "name": "X", "count": 2}"#;
    let mut seeds: Vec<Vec<u8>> = vec![
        format!(r#"{{"version": 1, "entries": [{entry}, {entry}]}}"#).into_bytes(),
        b"{\"version\": 1, \"entries\": []}".to_vec(),
    ];
    seeds.extend(
        replay_regressions("baseline")
            .into_iter()
            .map(|(_, bytes)| bytes),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path: PathBuf = dir.path().join("importgate-baseline.json");
    fuzz_inputs("baselines", "importgate-baseline.json", &seeds, |bytes| {
        fs::write(&path, bytes).expect("write");
        if let Ok(Some(baseline)) = importgate::baseline::Baseline::load(&path, "baseline") {
            let _ = baseline.violations();
            let _ = baseline.to_json();
        }
    });
}
