//! `importgate check --watch`: a change to a Python file makes a new report, and Ctrl-C ends
//! the watch with exit code 0.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// How long any one wait may take before the test fails (a slow, shared machine).
const PATIENCE: Duration = Duration::from_secs(60);

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("below"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Forwards each line of a stream to a channel.
fn lines(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Waits for a line that satisfies `wanted`, returning the lines read until then.
fn wait_for(lines: &Receiver<String>, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match lines.recv_timeout(PATIENCE) {
            Ok(line) => {
                let done = wanted(&line);
                seen.push(line);
                if done {
                    return seen;
                }
            }
            Err(error) => panic!("no such line ({error}); read: {seen:#?}"),
        }
    }
}

#[test]
fn a_saved_change_makes_a_new_report_and_ctrl_c_exits_zero() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tree = tempfile::tempdir().expect("tempdir");
    copy_tree(
        &repository.join("fixtures/monorepo"),
        &tree.path().join("fixtures/monorepo"),
    );
    std::fs::copy(
        repository.join("rules.toml"),
        tree.path().join("rules.toml"),
    )
    .expect("copy");
    let mut watch = Command::new(env!("CARGO_BIN_EXE_importgate"))
        .args(["check", "--watch", "--output-format", "concise"])
        .current_dir(tree.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // A failed assertion must not leave the watch running.
    struct KillOnDrop(u32);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = Command::new("kill").arg(self.0.to_string()).status();
        }
    }
    let _guard = KillOnDrop(watch.id());
    let stdout = lines(watch.stdout.take().expect("stdout"));
    let stderr = lines(watch.stderr.take().expect("stderr"));
    wait_for(&stdout, |line| line.contains(" IG001 "));
    wait_for(&stderr, |line| {
        line.starts_with("Watching for file changes")
    });

    let ingest = tree
        .path()
        .join("fixtures/monorepo/analytics_service/pipeline/ingest.py");
    let mut text = std::fs::read_to_string(&ingest).expect("read");
    let added_line = text.lines().count() + 1;
    text.push_str("from netra_backend.app.database.session_manager import SessionManager as SM\n");
    // Saved the way editors save: a new file renamed over the old one.
    let saved = ingest.with_extension("py.tmp");
    std::fs::write(&saved, text).expect("write");
    std::fs::rename(&saved, &ingest).expect("rename");

    let location = format!("analytics_service/pipeline/ingest.py:{added_line}:");
    wait_for(&stdout, |line| {
        line.contains(&location) && line.contains(" IG001 ")
    });
    wait_for(&stderr, |line| {
        line.starts_with("Watching for file changes")
    });

    let interrupted = Command::new("kill")
        .args(["-INT", &watch.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    let status = watch.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "Ctrl-C ends a watch cleanly");
}
