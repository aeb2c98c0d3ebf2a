//! What the language server keeps between checks (an engine `Session`) must never change an
//! answer: over every fixture tree, each file checked from an edited buffer through a
//! session reports exactly what the same run without one reports; and over sequences of
//! edits on disk (changed, renamed, copied, deleted, new files and directories), once the
//! session is told of each changed path as the server's watcher tells it, it still does.

mod common;

use common::Random;
use importgate::commands::server::watched;
use importgate::config::Config;
use importgate::engine::{self, CheckOptions, Session};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The registry of a tree copied from the fixtures (the demo has it at its top).
fn load(root: &Path) -> Config {
    Config::load(&root.join("rules.toml")).expect("the registry loads")
}

/// `check FILE` with `text` as FILE's buffer, through `session` or without one: every
/// diagnostic, printed in full.
fn buffer_check(
    config: &Config,
    session: Option<&Arc<Session>>,
    file: &Path,
    text: &str,
) -> String {
    let options = CheckOptions {
        paths: vec![file.to_path_buf()],
        overlay: Arc::new(HashMap::from([(file.to_path_buf(), text.to_owned())])),
        cache_dir: Some(config.cache_dir()),
        session: session.cloned(),
        ..CheckOptions::default()
    };
    let outcome = engine::check(config, &options).expect("the run is done");
    format!("{:#?}", outcome.diagnostics)
}

/// What the buffer of `file` holds in the editor: the file with a line appended.
fn edited_buffer(file: &Path, appended: &str) -> String {
    let mut text = String::from_utf8_lossy(&fs::read(file).expect("read")).into_owned();
    text.push_str(appended);
    text
}

fn python_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = common::tree(root)
        .into_keys()
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .filter(|path| !path.starts_with(".importgate_cache"))
        .map(|path| root.join(path))
        .collect();
    files.sort();
    files
}

/// Lines typed into a buffer: forbidden imports, names that are missing, a cycle's closing
/// import, broken syntax.
const TYPED: &[&str] = &[
    "\nimport jwt\n",
    "\nfrom auth_service.auth_core.core import token\n",
    "\nfrom shared.metrics import record, missing_name\n",
    "\nimport netra_backend.app.main\n",
    "\ndef broken(:\n",
    "\nimport os\nvalue = os.environ.get('X')\n",
    "",
];

#[test]
fn a_session_answers_what_a_fresh_run_answers_on_every_fixture() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let trees: Vec<PathBuf> = common::fixture_trees(scratch.path())
        .into_iter()
        .map(|(_, root)| root)
        .filter(|root| root.join("rules.toml").is_file())
        .collect();
    let mut random = Random(0x5e55_1011);
    for root in trees {
        let root = root.canonicalize().expect("canonical");
        let config = load(&root);
        let session = Arc::new(Session::new());
        // Twice over every file: the second pass finds everything already kept.
        for pass in 0..2 {
            for file in python_files(&root) {
                let text = edited_buffer(&file, TYPED[random.below(TYPED.len())]);
                let fresh = buffer_check(&config, None, &file, &text);
                let kept = buffer_check(&config, Some(&session), &file, &text);
                assert_eq!(kept, fresh, "{}, pass {pass}", file.display());
            }
        }
    }
}

#[test]
fn a_session_told_of_every_change_on_disk_answers_what_a_fresh_run_answers() {
    let scratch = tempfile::tempdir().expect("tempdir");
    common::copy_demo(scratch.path());
    let root = scratch.path().canonicalize().expect("canonical");
    let config = load(&root);
    let cache_dir = config.cache_dir();
    let session = Arc::new(Session::new());
    let originals = common::tree(&root);
    let mut random = Random(0xed17_5e55);
    let monorepo = root.join("fixtures/monorepo");
    for step in 0..60 {
        let files = python_files(&monorepo);
        // The open file: checked from its buffer before the change and after it.
        let open = random.pick(&files).clone();
        let typed = TYPED[random.below(TYPED.len())];
        let text = edited_buffer(&open, typed);
        assert_eq!(
            buffer_check(&config, Some(&session), &open, &text),
            buffer_check(&config, None, &open, &text),
            "step {step}, before the change"
        );
        let target = random.pick(&files).clone();
        let changed: Vec<PathBuf> = match random.below(8) {
            0..=2 => {
                let mut bytes = fs::read(&target).expect("read");
                bytes.extend_from_slice(TYPED[random.below(TYPED.len())].as_bytes());
                fs::write(&target, bytes).expect("write");
                vec![target]
            }
            3 => {
                let relative = target.strip_prefix(&root).expect("below the root");
                let original = originals.get(relative).cloned().unwrap_or_default();
                fs::write(&target, original).expect("write");
                vec![target]
            }
            4 => {
                // Saved as editors save: a new file renamed over the old one.
                let temporary = target.with_extension("py.tmp");
                let mut bytes = fs::read(&target).expect("read");
                bytes.extend_from_slice(b"\nfrom shared import metrics\n");
                fs::write(&temporary, bytes).expect("write");
                fs::rename(&temporary, &target).expect("rename");
                vec![temporary, target]
            }
            5 => {
                let to = target.with_file_name(format!("copied_{step}.py"));
                fs::copy(&target, &to).expect("copy");
                vec![to]
            }
            6 => {
                fs::remove_file(&target).expect("delete");
                vec![target]
            }
            _ => {
                // A new package directory with a module in it, or one renamed.
                let directory = target.parent().expect("a directory");
                let package = directory.join(format!("package_{step}"));
                fs::create_dir(&package).expect("mkdir");
                fs::write(package.join("__init__.py"), "from shared import metrics\n")
                    .expect("write");
                let renamed = directory.join(format!("renamed_{step}"));
                fs::rename(&package, &renamed).expect("rename");
                vec![package, renamed]
            }
        };
        for path in &changed {
            watched::forget(&config, &cache_dir, &session, path);
        }
        let files = python_files(&monorepo);
        let open = if open.exists() {
            open
        } else {
            random.pick(&files).clone()
        };
        let text = edited_buffer(&open, typed);
        assert_eq!(
            buffer_check(&config, Some(&session), &open, &text),
            buffer_check(&config, None, &open, &text),
            "step {step}: after changing {changed:?}"
        );
    }
}
