//! "What importgate guarantees" (the README section of that name): one test per promise,
//! named after it, run through the binary as a user or an attacker would run it.

mod common;

use common::importgate;
use std::fs;
use std::path::Path;
use std::time::Duration;

/// Every output format of `check`.
const FORMATS: &[&str] = &[
    "full",
    "concise",
    "json",
    "json-lines",
    "github",
    "gitlab",
    "junit",
    "sarif",
];

/// A tree from `(path, content)` pairs.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, content) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, content).expect("write");
    }
    dir
}

const RULES: &str = r#"
[[service]]
name = "app"
modules = ["app"]

[[boundary]]
id = "no-secrets"
from = ["app"]
forbid = ["billing"]
"#;

/// stdout and stderr of `check` in every format, with the exit codes.
fn every_format(root: &Path, extra: &[&str]) -> Vec<(String, i32, Vec<u8>)> {
    FORMATS
        .iter()
        .map(|format| {
            let mut args = vec!["check", "--output-format", format];
            args.extend_from_slice(extra);
            let output = importgate(root, &args)
                .timeout(Duration::from_secs(60))
                .output()
                .expect("runs");
            let mut bytes = output.stdout;
            bytes.extend_from_slice(&output.stderr);
            (
                format.to_string(),
                output.status.code().unwrap_or(-1),
                bytes,
            )
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[cfg(unix)]
#[test]
fn never_reads_outside_the_root_through_a_symlink() {
    let outside = tree(&[("environ", "import billing  # SECRET_TOKEN=hunter2\n")]);
    let root = tree(&[
        ("rules.toml", RULES),
        ("app/__init__.py", ""),
        ("app/views.py", "import billing\n"),
        ("billing/__init__.py", ""),
    ]);
    std::os::unix::fs::symlink(
        outside.path().join("environ"),
        root.path().join("app/leak.py"),
    )
    .expect("symlink");
    // A symlink to a file inside the root is checked like the file.
    std::os::unix::fs::symlink("views.py", root.path().join("app/alias.py")).expect("symlink");
    for (format, code, output) in every_format(root.path(), &[]) {
        assert!(
            !contains(&output, "SECRET_TOKEN"),
            "{format} leaked the file"
        );
        assert_eq!(code, 1, "{format}");
        assert!(contains(&output, "app/leak.py"), "{format} names the link");
        assert!(
            contains(&output, "app/alias.py"),
            "{format} checks the inside link"
        );
    }
    let concise = importgate(root.path(), &["check", "--output-format", "concise"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&concise.stdout);
    assert!(
        stdout.contains(
            "app/leak.py:1:1: IG901 a symlink to a file outside the governed root; skipped"
        ),
        "{stdout}"
    );
}

#[test]
fn never_prints_a_file_a_baseline_entry_names_outside_the_root() {
    let outside = tree(&[("passwd", "root:SECRET_HASH:0:0\n")]);
    let root = tree(&[
        ("rules.toml", RULES),
        ("app/__init__.py", ""),
        ("app/views.py", "import os\n"),
    ]);
    let absolute = outside.path().join("passwd");
    let entries: Vec<String> = [absolute.to_string_lossy().into_owned(), {
        // `..` out of the root to the same file.
        let depth = root.path().components().count();
        let mut up = std::iter::repeat_n("..", depth).collect::<Vec<_>>().join("/");
        up.push_str(&absolute.to_string_lossy());
        up
    }]
    .iter()
    .map(|path| {
        format!(
            r#"{{"path": {}, "code": "IG001", "rule": "no-secrets", "target": "billing", "count": 1}}"#,
            serde_json::to_string(path).expect("json")
        )
    })
    .collect();
    fs::write(
        root.path().join("importgate-baseline.json"),
        format!(r#"{{"version": 1, "entries": [{}]}}"#, entries.join(",")),
    )
    .expect("write");
    for (format, _, output) in every_format(root.path(), &[]) {
        assert!(
            !contains(&output, "SECRET_HASH"),
            "{format} leaked the file"
        );
        assert!(
            contains(&output, "IG903"),
            "{format} reports the stale entries"
        );
    }
}

#[cfg(unix)]
#[test]
fn never_blocks_on_a_fifo_or_a_device() {
    let root = tree(&[
        ("rules.toml", RULES),
        ("app/__init__.py", ""),
        ("app/views.py", "import billing\n"),
    ]);
    let fifo = |path: &Path| {
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: `name` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    };
    // The baseline and the import cache as FIFOs: refused, not waited on.
    fifo(&root.path().join("importgate-baseline.json"));
    let output = importgate(root.path(), &["check", "--output-format", "concise"])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a regular file (a FIFO)"));
    fs::remove_file(root.path().join("importgate-baseline.json")).expect("rm");

    fs::create_dir(root.path().join(".importgate_cache")).expect("mkdir");
    fifo(&root.path().join(".importgate_cache/imports.postcard"));
    let output = importgate(
        root.path(),
        &["check", "--output-format", "concise", "app/views.py"],
    )
    .timeout(Duration::from_secs(30))
    .output()
    .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{output:?}");

    // A registry that is a device.
    let output = importgate(root.path(), &["check", "--config", "/dev/zero"])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a regular file (a device)"));
}

#[test]
fn a_baseline_with_a_byte_order_mark_is_read() {
    let root = tree(&[
        ("rules.toml", RULES),
        ("app/__init__.py", ""),
        ("app/views.py", "import billing\n"),
        ("billing/__init__.py", ""),
    ]);
    let output = importgate(root.path(), &["baseline"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let path = root.path().join("importgate-baseline.json");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(fs::read(&path).expect("read"));
    fs::write(&path, bytes).expect("write");
    let output = importgate(root.path(), &["check"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}
