//! "What importgate guarantees" (the README section of that name): one test per promise,
//! named after it, run through the binary as a user or an attacker would run it.

mod common;

use common::importgate;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
    common::write_files(dir.path(), files);
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
    for (format, code, output) in every_format(root.path(), &[]) {
        assert!(
            !contains(&output, "SECRET_HASH"),
            "{format} leaked the file"
        );
        assert_eq!(code, 2, "{format}");
        assert!(
            contains(&output, "is not a path inside the governed root"),
            "{format}: {}",
            String::from_utf8_lossy(&output)
        );
    }
    // An entry naming a file inside the root that is not a checked file: stale, and no
    // frame is drawn from it.
    fs::write(root.path().join("notes.txt"), "SECRET_HASH\n").expect("write");
    fs::write(
        root.path().join("importgate-baseline.json"),
        r#"{"version": 1, "entries": [{"path": "notes.txt", "code": "IG001", "rule": "no-secrets", "target": "billing", "count": 1}]}"#,
    )
    .expect("write");
    for (format, _, output) in every_format(root.path(), &[]) {
        assert!(
            !contains(&output, "SECRET_HASH"),
            "{format} leaked the file"
        );
        assert!(
            contains(&output, "IG903"),
            "{format} reports the stale entry"
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

    fs::create_dir_all(root.path().join(".importgate_cache")).expect("mkdir");
    fifo(&root.path().join(".importgate_cache/imports.postcard"));
    let output = importgate(
        root.path(),
        &["check", "--output-format", "concise", "app/views.py"],
    )
    .timeout(Duration::from_secs(30))
    .output()
    .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    // The facts cache of full runs as a FIFO: refused, not waited on.
    let _ = fs::remove_file(root.path().join(".importgate_cache/facts-v1.bin"));
    fifo(&root.path().join(".importgate_cache/facts-v1.bin"));
    let output = importgate(root.path(), &["check", "--output-format", "concise"])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    // The tree listing as a FIFO, likewise.
    let _ = fs::remove_file(root.path().join(".importgate_cache/tree-v1.bin"));
    fifo(&root.path().join(".importgate_cache/tree-v1.bin"));
    let output = importgate(root.path(), &["check", "--output-format", "concise"])
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

/// `importgate ARGS` as a plain process, for its standard streams.
fn plain(cwd: &Path, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_importgate"));
    command
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CI");
    command
}

/// Whether `output` holds a control character other than newline and tab (C0, DEL, C1).
fn raw_control(output: &[u8]) -> Option<usize> {
    let text = String::from_utf8_lossy(output);
    text.char_indices()
        .find(|(_, c)| c.is_control() && *c != '\n' && *c != '\t')
        .map(|(at, _)| at)
}

#[cfg(unix)]
#[test]
fn no_control_character_from_the_tree_reaches_the_terminal() {
    use std::os::unix::ffi::OsStrExt;
    let rules = format!(
        "{RULES}hint = \"Use the \\u001b]0;pwned\\u0007 API\"\n\n[[banned]]\nid = \"no-pickle\"\napi = [\"pickle\"]\nhint = \"\\u009b31m\"\n"
    );
    let root = tree(&[
        ("rules.toml", &rules),
        ("app/__init__.py", ""),
        (
            "app/views.py",
            "import billing  # \x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07 \u{9b}31m\r\nimport pickle\n",
        ),
        ("billing/__init__.py", ""),
    ]);
    let name = std::ffi::OsStr::from_bytes(b"app/evil\x1b[31m.py");
    fs::write(root.path().join(name), "import billing\n").expect("write");
    for (format, code, output) in every_format(root.path(), &["--color", "never"]) {
        assert_eq!(code, 1, "{format}");
        if let Some(at) = raw_control(&output) {
            let text = String::from_utf8_lossy(&output);
            panic!(
                "{format}: a raw control character: {:?}",
                &text[at.saturating_sub(40)..]
            );
        }
        assert!(contains(&output, "evil"), "{format} reports the file");
    }
    // With colour, importgate's own escapes are the only ones.
    let output = importgate(root.path(), &["check", "--color", "always"])
        .output()
        .expect("runs");
    for injected in ["\x1b]", "\x1b[2J", "\x07", "\u{9b}", "\x1b[31m.py"] {
        assert!(
            !contains(&output.stdout, injected),
            "{injected:?} got through"
        );
    }
    // In registry errors too.
    fs::write(
        root.path().join("rules.toml"),
        "[[boundary]]\nid = \"\x1b]0;pwned\x07\"\nfrom = []\n",
    )
    .expect("write");
    let output = importgate(root.path(), &["check"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(raw_control(&output.stderr), None, "{output:?}");
}

/// Every command, with stdout or stderr closed early or full: no panic, and the exit code
/// the command would have had (2 when its own output could not be written).
#[cfg(unix)]
#[test]
fn output_errors_never_panic() {
    let root = tree(&[
        ("rules.toml", RULES),
        ("app/__init__.py", ""),
        ("app/views.py", "import billing\n"),
        ("billing/__init__.py", ""),
    ]);
    let commands: &[&[&str]] = &[
        &["check"],
        &["check", "--output-format", "concise"],
        &["check", "--diff"],
        &["check", "nosuch.py"],
        &["check", "--config", "nosuch.toml"],
        &["check", "--prune-baseline"],
        &["baseline"],
        &["explain"],
        &["explain", "IG001"],
        &["explain", "IG999"],
        &["why", "app", "billing"],
        &["why", "app", "nosuch"],
        &["graph"],
        &["graph", "--focus", "nosuch"],
        &["audit"],
        &["audit", "duplicates"],
    ];
    let full = || {
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    for command in commands {
        let normal = importgate(root.path(), command).output().expect("runs");
        let normal_code = normal.status.code().expect("an exit code");
        assert!(!contains(&normal.stderr, "panicked"), "{command:?}");
        // stderr full: the same exit code.
        let output = plain(root.path(), command)
            .stderr(full())
            .output()
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(normal_code),
            "{command:?}, stderr full"
        );
        // stdout full: 2 when there was output to write, else the same.
        let output = plain(root.path(), command)
            .stdout(full())
            .output()
            .expect("runs");
        let expected = if normal.stdout.is_empty() {
            normal_code
        } else {
            2
        };
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{command:?}, stdout full"
        );
        assert!(!contains(&output.stderr, "panicked"), "{command:?}");
        // stdout closed by its reader (`| head`): quietly the normal exit code.
        let shell = format!(
            "exec 3>&1; {} 2>/dev/null | (exec 0<&-; exit 0); echo \"${{PIPESTATUS[0]}}\" >&3",
            std::iter::once(env!("CARGO_BIN_EXE_importgate"))
                .chain(command.iter().copied())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let output = std::process::Command::new("bash")
            .args(["-c", &shell])
            .current_dir(root.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("bash runs");
        let code: i32 = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .expect("an exit code");
        assert_eq!(code, normal_code, "{command:?}, stdout closed");
    }
}

#[test]
fn a_long_line_is_cut_around_the_span_in_a_code_frame() {
    let line = format!(
        "{}import billing; {}\n",
        "x = 1; ".repeat(150_000),
        "y = 2; ".repeat(150_000)
    );
    let root = tree(&[
        ("rules.toml", RULES),
        ("app/__init__.py", ""),
        ("app/views.py", &line),
        ("billing/__init__.py", ""),
    ]);
    let output = importgate(root.path(), &["check"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.len() < 4_000, "{} bytes", stdout.len());
    assert!(
        stdout.contains("x = 1; import billing; y = 2;") && stdout.contains(" 1 │ …"),
        "{stdout}"
    );
    assert!(stdout.contains("app/views.py:1:1050008"), "{stdout}");
}

#[test]
fn one_pathological_file_never_costs_the_report() {
    let just_under = 9_990;
    let mut blocks = String::new();
    for level in 0..5_000 {
        blocks.push_str(&" ".repeat(level));
        blocks.push_str("if x:\n");
    }
    blocks.push_str(&" ".repeat(5_000));
    blocks.push_str("pass\n");
    let files: Vec<(String, String)> = vec![
        ("blocks".into(), blocks),
        (
            "brackets".into(),
            format!("x = {}1{}\n", "(".repeat(32_000), ")".repeat(32_000)),
        ),
        (
            "dunder".into(),
            format!("m = __import__('os')\nx = {}1\n", "-".repeat(5_700)),
        ),
        (
            "sum".into(),
            format!("import os\nx = {}\n", vec!["1"; just_under].join("+")),
        ),
        ("unary".into(), format!("x = {}1\n", "-".repeat(just_under))),
        (
            "nots".into(),
            format!("x = {}1\n", "not ".repeat(just_under)),
        ),
        (
            "lambdas".into(),
            format!("x = {}1\n", "lambda: ".repeat(just_under)),
        ),
        (
            "attributes".into(),
            format!("x = a{}\n", ".b".repeat(just_under)),
        ),
        (
            "calls".into(),
            format!("x = f{}\n", "()".repeat(just_under)),
        ),
        (
            "ternaries".into(),
            format!("x = {}1\n", "1 if y else ".repeat(just_under / 2)),
        ),
        (
            "fields".into(),
            format!("x = f'{{{}1{}}}'\n", "(".repeat(199), ")".repeat(199)),
        ),
        // Just under the size (128 KiB) from which files are scanned before parsing: parsed first,
        // as deep as so few bytes can nest.
        (
            "small_brackets".into(),
            format!("x = {}1\n", "(".repeat(130_000)),
        ),
        (
            "small_unary".into(),
            format!("x = {}1\n", "-".repeat(130_000)),
        ),
        (
            "small_nots".into(),
            format!("x = {}1\n", "not ".repeat(32_000)),
        ),
        // With `__import__` in the file, the expressions are walked too.
        (
            "small_walked_unary".into(),
            format!("m = __import__('os')\nx = {}1\n", "-".repeat(130_000)),
        ),
        (
            "small_walked_attributes".into(),
            format!("m = __import__('os')\nx = a{}\n", ".b".repeat(65_000)),
        ),
        (
            "small_lambdas".into(),
            format!("x = {}1\n", "lambda:".repeat(18_000)),
        ),
        (
            "small_attributes".into(),
            format!("x = a{}\n", ".b".repeat(65_000)),
        ),
        (
            "small_calls".into(),
            format!("x = f{}\n", "()".repeat(65_000)),
        ),
        (
            "small_subscripts".into(),
            format!("x = a{}\n", "[0]".repeat(43_000)),
        ),
        (
            "small_awaits".into(),
            format!("async def f():\n    x = {}1\n", "await ".repeat(21_000)),
        ),
        (
            "mixed".into(),
            format!(
                "x = {}{}1{}\n",
                "(-".repeat(199),
                "-".repeat(just_under - 400),
                ")".repeat(199)
            ),
        ),
    ];
    let mut listed: Vec<(String, String)> = files
        .iter()
        .map(|(name, text)| (format!("app/{name}.py"), text.clone()))
        .collect();
    listed.push(("rules.toml".into(), RULES.into()));
    listed.push(("app/__init__.py".into(), String::new()));
    listed.push(("app/views.py".into(), "import billing\n".into()));
    listed.push(("billing/__init__.py".into(), String::new()));
    let borrowed: Vec<(&str, &str)> = listed
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let root = tree(&borrowed);
    for extra in [
        &[][..],
        &["-j", "1"][..],
        &["app/unary.py", "app/views.py"][..],
    ] {
        let mut args = vec!["check", "--output-format", "concise"];
        args.extend_from_slice(extra);
        let output = importgate(root.path(), &args)
            .timeout(Duration::from_secs(120))
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{extra:?}: {output:?}");
        assert!(
            stdout.contains("app/views.py:1:8: IG001 [no-secrets]"),
            "{stdout}"
        );
        if extra.is_empty() {
            for refused in ["blocks", "brackets"] {
                assert!(
                    stdout.contains(&format!("app/{refused}.py")),
                    "{refused}: {stdout}"
                );
            }
            assert!(stdout.contains("IG900 syntax error: too many levels of indentation"));
            assert!(stdout.contains("IG900 syntax error: too many nested parentheses"));
        }
    }
}

#[test]
fn an_absurd_thread_count_is_capped() {
    let root = tree(&[
        ("rules.toml", RULES),
        ("app/__init__.py", ""),
        ("app/views.py", "import billing\n"),
    ]);
    let output = importgate(root.path(), &["check", "-j", "100000"])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: -j 100000 is more than 4 threads per core; using"),
        "{stderr}"
    );
}

/// `--fix` over files in three encodings, a read-only file, two hard links to one file, a
/// symlink inside the root and one out of it, a file of another user and one with an
/// extended attribute: each file ends exactly fixed (in its own encoding, with its mode,
/// owner and attributes) or untouched, and Python imports every fixed module.
#[cfg(unix)]
#[test]
fn fix_writes_exactly_the_fix_or_nothing_and_keeps_each_file_itself() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let rules = "[[deprecated]]\nmodule = \"app.old\"\nreplacement = \"app.new\"\n";
    let outside = tree(&[("shared.py", "from app.old import X\n")]);
    let root = tree(&[
        ("rules.toml", rules),
        ("app/__init__.py", ""),
        ("app/old.py", "X = 1\n"),
        ("app/new.py", "X = 1\n"),
        ("app/plain.py", "from app.old import X\nS = 'é'\n"),
        ("app/target.py", "from app.old import X\n"),
        ("app/readonly.py", "from app.old import X\n"),
        ("app/hard.py", "from app.old import X\n"),
    ]);
    let app = root.path().join("app");
    let write = |name: &str, bytes: &[u8]| fs::write(app.join(name), bytes).expect("write");
    write(
        "latin.py",
        b"# -*- coding: latin-1 -*-\nfrom app.old import X\nS = '\xe9'\n",
    );
    write(
        "windows.py",
        b"# coding: cp1252\nfrom app.old import X\nS = '\x80 \xe9'\n",
    );
    fs::set_permissions(app.join("windows.py"), fs::Permissions::from_mode(0o750)).expect("chmod");
    fs::set_permissions(app.join("readonly.py"), fs::Permissions::from_mode(0o444)).expect("chmod");
    fs::hard_link(app.join("hard.py"), app.join("hard_twin.py")).expect("link");
    std::os::unix::fs::symlink("target.py", app.join("link.py")).expect("symlink");
    std::os::unix::fs::symlink(outside.path().join("shared.py"), app.join("outside.py"))
        .expect("symlink");
    // SAFETY: geteuid has no preconditions.
    let root_user = unsafe { libc::geteuid() } == 0;
    if root_user {
        std::os::unix::fs::chown(app.join("plain.py"), Some(1234), Some(1234)).expect("chown");
    }
    let attribute = {
        let path = std::ffi::CString::new(app.join("plain.py").as_os_str().as_encoded_bytes())
            .expect("path");
        // SAFETY: NUL-terminated strings and a valid buffer.
        unsafe {
            libc::setxattr(
                path.as_ptr(),
                c"user.importgate-test".as_ptr(),
                b"kept".as_ptr().cast(),
                4,
                0,
            ) == 0
        }
    };
    let before = common::tree(root.path());
    let metadata = |name: &str| fs::symlink_metadata(app.join(name)).expect("metadata");
    let (hard_inode, plain_owner) = (metadata("hard.py").ino(), metadata("plain.py").uid());

    let output = importgate(
        root.path(),
        &["check", "--fix", "--output-format", "concise"],
    )
    .output()
    .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);

    let after = common::tree(root.path());
    let fixed = |bytes: &[u8]| -> Vec<u8> {
        let text = bytes.to_vec();
        let at = text
            .windows(7)
            .position(|window| window == b"app.old")
            .expect("the import");
        [&text[..at], b"app.new", &text[at + 7..]].concat()
    };
    let file = |name: &str| PathBuf::from(format!("app/{name}"));
    for name in ["plain.py", "latin.py", "windows.py", "target.py"] {
        assert_eq!(
            after[&file(name)],
            fixed(&before[&file(name)]),
            "{name}: {stdout}{stderr}"
        );
    }
    for name in ["readonly.py", "hard.py", "hard_twin.py"] {
        assert_eq!(
            after[&file(name)],
            before[&file(name)],
            "{name} must be untouched"
        );
    }
    assert!(
        stderr.contains("app/readonly.py: it is read-only; not fixed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("app/hard.py: it has 2 hard links"),
        "{stderr}"
    );
    assert_eq!(metadata("hard.py").ino(), hard_inode);
    assert!(metadata("link.py").file_type().is_symlink());
    assert_eq!(
        fs::read(outside.path().join("shared.py")).expect("read"),
        b"from app.old import X\n"
    );
    assert_eq!(metadata("windows.py").permissions().mode() & 0o7777, 0o750);
    assert_eq!(metadata("readonly.py").permissions().mode() & 0o7777, 0o444);
    assert_eq!(metadata("plain.py").uid(), plain_owner);
    if attribute {
        let path = std::ffi::CString::new(app.join("plain.py").as_os_str().as_encoded_bytes())
            .expect("path");
        let mut value = [0u8; 16];
        // SAFETY: NUL-terminated strings and a valid buffer.
        let size = unsafe {
            libc::getxattr(
                path.as_ptr(),
                c"user.importgate-test".as_ptr(),
                value.as_mut_ptr().cast(),
                value.len(),
            )
        };
        assert_eq!(&value[..size.max(0) as usize], b"kept");
    }
    assert!(
        !after
            .keys()
            .any(|path| path.to_string_lossy().contains(".importgate-fix.")),
        "a temporary file was left"
    );
    // The report says what is on disk: the untouched files still import the old module.
    assert!(stdout.contains("app/readonly.py:1:21: IG011"), "{stdout}");
    // Python imports every module, with its text intact.
    let python = std::process::Command::new("python3")
        .args([
            "-c",
            "import app.plain, app.latin, app.windows, app.target, app.link\n\
             assert app.plain.S == 'é' and app.latin.S == 'é' and app.windows.S == '€ é'",
        ])
        .current_dir(root.path())
        .output()
        .expect("python3 runs");
    assert!(python.status.success(), "{python:?}");
}

/// Two files whose names differ only in a byte that is not UTF-8 and its replacement
/// character: the fix goes to the file that has it, and the report shows the name escaped.
#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_fixed_under_its_own_name() {
    use std::os::unix::ffi::OsStrExt;
    let rules = "[[deprecated]]\nmodule = \"app.old\"\nreplacement = \"app.new\"\n";
    let root = tree(&[
        ("rules.toml", rules),
        ("app/__init__.py", ""),
        ("app/old.py", "X = 1\n"),
        ("app/new.py", "X = 1\n"),
        ("app/x\u{FFFD}.py", "import os\n"),
    ]);
    let latin = root
        .path()
        .join("app")
        .join(std::ffi::OsStr::from_bytes(b"x\xe9.py"));
    fs::write(&latin, "from app.old import X\n").expect("write");
    let output = importgate(root.path(), &["check", "--output-format", "concise"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("app/x\\xe9.py:1:21: IG011"), "{stdout}");
    importgate(root.path(), &["check", "--fix"])
        .output()
        .expect("runs");
    assert_eq!(fs::read(&latin).expect("read"), b"from app.new import X\n");
    assert_eq!(
        fs::read(root.path().join("app/x\u{FFFD}.py")).expect("read"),
        b"import os\n"
    );
}

/// A registry that retires `app.old` for `app.new`, and `count` files `app/mNNNN.py` that
/// import from it: a tree where `--fix` writes `count` files.
fn deprecated_module_files(count: usize) -> Vec<(String, String)> {
    let rules = "[[deprecated]]\nmodule = \"app.old\"\nreplacement = \"app.new\"\n";
    let mut files: Vec<(String, String)> = (0..count)
        .map(|n| {
            (
                format!("app/m{n:04}.py"),
                "from app.old import X\n".to_string(),
            )
        })
        .collect();
    files.extend([
        ("rules.toml".to_string(), rules.to_string()),
        ("app/__init__.py".to_string(), String::new()),
        ("app/old.py".to_string(), "X = 1\n".to_string()),
        ("app/new.py".to_string(), "X = 1\n".to_string()),
    ]);
    files
}

/// SIGINT or SIGTERM at any moment of `--fix`: no temporary file is left, and every file
/// holds its old bytes or its whole fix.
#[cfg(unix)]
#[test]
fn an_interrupted_fix_leaves_no_temporary_and_no_half_file() {
    let files = deprecated_module_files(1_500);
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    for (round, signal) in [libc::SIGINT, libc::SIGTERM]
        .into_iter()
        .cycle()
        .take(8)
        .enumerate()
    {
        let root = tree(&borrowed);
        let mut child = plain(
            root.path(),
            &["check", "--fix", "--output-format", "concise"],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
        std::thread::sleep(Duration::from_millis(150 + 150 * round as u64));
        // SAFETY: the child's pid; a signal to a process that ended is harmless.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = child.wait().expect("ends");
        let fixed = common::tree(root.path())
            .values()
            .filter(|bytes| bytes.as_slice() == b"from app.new import X\n")
            .count();
        eprintln!("round {round}: {status}, {fixed} of 1500 files fixed");
        for (path, bytes) in common::every_file(root.path()) {
            let name = path.to_string_lossy();
            // No temporary file, whatever its name: only the files of the tree, and the
            // facts cache when the run got to write it.
            assert!(
                files.iter().any(|(known, _)| *known == name)
                    || [
                        ".importgate_cache/.gitignore",
                        ".importgate_cache/CACHEDIR.TAG",
                        ".importgate_cache/facts-v1.bin",
                        ".importgate_cache/tree-v1.bin"
                    ]
                    .contains(&name.as_ref()),
                "round {round}: {name} left ({status})"
            );
            if name.starts_with("app/m") {
                assert!(
                    bytes == b"from app.old import X\n" || bytes == b"from app.new import X\n",
                    "round {round}: {name} holds {bytes:?}"
                );
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn baseline_counts_never_overflow_and_the_file_gets_the_usual_mode() {
    use std::os::unix::fs::PermissionsExt;
    let root = tree(&[
        ("rules.toml", RULES),
        ("app/__init__.py", ""),
        ("app/views.py", "import billing\n"),
        ("billing/__init__.py", ""),
    ]);
    let entry = r#"{"path": "app/views.py", "code": "IG001", "rule": "no-secrets", "target": "billing", "count": 18446744073709551615}"#;
    fs::write(
        root.path().join("importgate-baseline.json"),
        format!(r#"{{"version": 1, "entries": [{entry}, {entry}]}}"#),
    )
    .expect("write");
    let output = importgate(root.path(), &["check", "--prune-baseline"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    // Written under the usual umask: a committed file, readable by all.
    fs::remove_file(root.path().join("importgate-baseline.json")).expect("rm");
    let output = plain(root.path(), &["baseline"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let mode = fs::metadata(root.path().join("importgate-baseline.json"))
        .expect("written")
        .permissions()
        .mode();
    // SAFETY: umask only swaps the process's mask; it is put back at once.
    let umask = unsafe {
        let mask = libc::umask(0o022);
        libc::umask(mask);
        mask
    };
    assert_eq!(mode & 0o777, 0o666 & !(umask as u32), "mode {mode:o}");
}

/// The import cache answers as `--no-cache` does after edits that keep a file's size and
/// modification time: a tree whose times are all 1 (as Nix makes them), `cp -p`, or two
/// files swapped.
#[cfg(unix)]
#[test]
fn the_cache_never_answers_for_a_file_that_changed() {
    let rules = "[[cycles]]\nid = \"no-cycles\"\nwithin = \"app\"\n";
    let root = tree(&[
        ("rules.toml", rules),
        ("app/__init__.py", ""),
        ("app/high.py", "import app.low\n"),
        ("app/low.py", "import app.zzzz\n"),
        ("app/other.py", "import app.high\n"),
        ("app/zzzz.py", ""),
    ]);
    let epoch_plus_one = std::time::UNIX_EPOCH + Duration::from_secs(1);
    let set_time = |name: &str| {
        fs::File::options()
            .write(true)
            .open(root.path().join(name))
            .and_then(|file| file.set_modified(epoch_plus_one))
            .expect("set time");
    };
    for name in ["app/high.py", "app/low.py", "app/other.py", "app/zzzz.py"] {
        set_time(name);
    }
    let run = |extra: &[&str]| {
        let mut args = vec!["check", "--output-format", "concise", "app/high.py"];
        args.extend_from_slice(extra);
        let output = importgate(root.path(), &args).output().expect("runs");
        // Without the timing line.
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| !line.starts_with("Checked "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let first = run(&[]);
    assert!(!first.contains("IG030"), "{first}");
    // Same size, same time, new content: low now imports high (a cycle).
    fs::write(root.path().join("app/low.py"), "import app.high\n").expect("write");
    set_time("app/low.py");
    let uncached = run(&["--no-cache"]);
    assert!(uncached.contains("IG030"), "{uncached}");
    assert_eq!(run(&[]), uncached);
    // `cp -p` of a file of the same size and time over it: back to no cycle.
    fs::copy(
        root.path().join("app/other.py"),
        root.path().join("scratch"),
    )
    .expect("copy");
    fs::write(root.path().join("app/low.py"), "import app.zzzz\n").expect("write");
    set_time("app/low.py");
    assert_eq!(run(&[]), run(&["--no-cache"]));
    // Two files of one size and time swapped by renames.
    fs::rename(root.path().join("app/low.py"), root.path().join("swap")).expect("mv");
    fs::rename(
        root.path().join("app/other.py"),
        root.path().join("app/low.py"),
    )
    .expect("mv");
    fs::rename(root.path().join("swap"), root.path().join("app/other.py")).expect("mv");
    let swapped = run(&[]);
    assert_eq!(swapped, run(&["--no-cache"]));
    assert!(swapped.contains("IG030"), "{swapped}");
}

/// A star or module-alias import of a deprecated module is rewritten by `--fix` only when
/// the replacement provides every name the code can reach, under the same name; the code
/// still runs after a safe fix.
#[test]
fn a_fix_is_safe_only_when_every_reachable_name_stays() {
    let rules = "[[deprecated]]\nmodule = \"pkg.full\"\nreplacement = \"pkg.new\"\n\n\
                 [[deprecated]]\nmodule = \"pkg.lacking\"\nreplacement = \"pkg.new\"\n\n\
                 [[deprecated]]\nmodule = \"pkg.renamed\"\nreplacement = \"pkg.new\"\n\
                 names = { OldThing = \"Thing\" }\n";
    let root = tree(&[
        ("rules.toml", rules),
        ("pkg/__init__.py", ""),
        ("pkg/new.py", "Thing = 1\nOther = 2\n"),
        ("pkg/full.py", "Thing = 1\n"),
        ("pkg/lacking.py", "Thing = 1\nGone = 3\n"),
        ("pkg/renamed.py", "OldThing = 1\n"),
        ("app/__init__.py", ""),
        ("app/star_full.py", "from pkg.full import *\nprint(Thing)\n"),
        (
            "app/star_lacking.py",
            "from pkg.lacking import *\nprint(Gone)\n",
        ),
        (
            "app/alias_lacking.py",
            "import pkg.lacking as po\nprint(po.Gone)\n",
        ),
        (
            "app/alias_renamed.py",
            "import pkg.renamed as po\nprint(po.OldThing)\n",
        ),
        (
            "app/alias_full.py",
            "import pkg.full as po\nprint(po.Thing)\n",
        ),
    ]);
    let output = importgate(
        root.path(),
        &["check", "--fix", "--output-format", "concise"],
    )
    .output()
    .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let read = |name: &str| fs::read_to_string(root.path().join(name)).expect("read");
    assert_eq!(
        read("app/star_full.py"),
        "from pkg.new import *\nprint(Thing)\n",
        "{stdout}"
    );
    assert_eq!(
        read("app/alias_full.py"),
        "import pkg.new as po\nprint(po.Thing)\n"
    );
    for (name, before) in [
        (
            "app/star_lacking.py",
            "from pkg.lacking import *\nprint(Gone)\n",
        ),
        (
            "app/alias_lacking.py",
            "import pkg.lacking as po\nprint(po.Gone)\n",
        ),
        (
            "app/alias_renamed.py",
            "import pkg.renamed as po\nprint(po.OldThing)\n",
        ),
    ] {
        assert_eq!(read(name), before, "{name} must be left alone: {stdout}");
    }
    // They are unsafe fixes: offered with --unsafe-fixes.
    let output = importgate(root.path(), &["check", "--diff", "--unsafe-fixes"])
        .output()
        .expect("runs");
    let diff = String::from_utf8_lossy(&output.stdout);
    for name in [
        "app/star_lacking.py",
        "app/alias_lacking.py",
        "app/alias_renamed.py",
    ] {
        assert!(diff.contains(&format!("+++ b/{name}")), "{name}: {diff}");
    }
    for module in [
        "app.star_full",
        "app.alias_full",
        "app.star_lacking",
        "app.alias_lacking",
    ] {
        let python = std::process::Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .current_dir(root.path())
            .output()
            .expect("python3 runs");
        assert!(python.status.success(), "{module}: {python:?}");
    }
}

/// A registry whose entries contradict each other (a cycle of deprecations, a module
/// replaced by itself, a deprecated canonical module) is an error that names the line:
/// `--fix` never moves imports around on every run.
#[test]
fn contradictory_registries_are_refused_before_any_fix() {
    let registries = [
        "[[deprecated]]\nmodule = \"app.a\"\nreplacement = \"app.b\"\n\n[[deprecated]]\nmodule = \"app.b\"\nreplacement = \"app.c\"\n\n[[deprecated]]\nmodule = \"app.c\"\nreplacement = \"app.a\"\n",
        "[[deprecated]]\nmodule = \"app.a\"\nreplacement = \"app.a\"\n",
        "[[deprecated]]\nmodule = \"app.a\"\nreplacement = \"app.b\"\n\n[[canonical]]\nsymbol = \"X\"\nmodule = \"app.a\"\n",
    ];
    for rules in registries {
        let root = tree(&[
            ("rules.toml", rules),
            ("app/__init__.py", ""),
            ("app/a.py", "X = 1\n"),
            ("app/b.py", "X = 1\n"),
            ("app/c.py", "X = 1\n"),
            (
                "app/user.py",
                "from app.a import X\nfrom app.b import X as Y\n",
            ),
        ]);
        let output = importgate(root.path(), &["check", "--fix"])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{rules}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("rules.toml:"), "{stderr}");
        assert_eq!(
            fs::read_to_string(root.path().join("app/user.py")).expect("read"),
            "from app.a import X\nfrom app.b import X as Y\n"
        );
    }
}

/// A registry's TOML mistakes are reported once per line, at most ten, and never followed
/// by guesses about keys the broken syntax hid; the line numbers are right for CR-only
/// line endings too.
#[test]
fn registry_syntax_errors_are_few_and_point_at_their_line() {
    let names: Vec<String> = (0..2_000).map(|n| format!("dir{n}")).collect();
    let cases = [
        (
            format!("[project]\nexclude = [{}]\n", names.join(", ")),
            "rules.toml:2:",
        ),
        (
            "[project]\nroot = \".\"\n[[boundary]\nid = \"x\"\n".to_string(),
            "rules.toml:3:12",
        ),
        (
            "[[cycles]]\r\r[[boundary]]\rid = 3\r".to_string(),
            "rules.toml:1:",
        ),
    ];
    for (rules, place) in cases {
        let root = tree(&[("rules.toml", &rules)]);
        let output = importgate(root.path(), &["check"]).output().expect("runs");
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.len() < 2_000, "{} bytes of errors", stderr.len());
        assert_eq!(stderr.matches("×").count(), 1, "{stderr}");
        assert!(stderr.contains("not valid TOML"), "{stderr}");
        assert!(stderr.contains(place), "{stderr}");
        assert!(!stderr.contains(":0:"), "{stderr}");
    }
}

/// A file over 16 MiB is reported (IG901), not read or parsed: its syntax tree would cost
/// gigabytes. The other files are checked as usual.
#[test]
fn a_file_over_the_size_limit_is_reported_not_parsed() {
    let root = tree(&[
        ("rules.toml", RULES),
        ("app/__init__.py", ""),
        ("app/views.py", "import billing\n"),
    ]);
    let huge = fs::File::create(root.path().join("app/generated.py")).expect("create");
    huge.set_len(17 << 20).expect("sized");
    let output = importgate(root.path(), &["check", "--output-format", "concise"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("app/generated.py:1:1: IG901 cannot read the file: larger than 16 MiB"),
        "{stdout}"
    );
    assert!(stdout.contains("app/views.py:1:8: IG001"), "{stdout}");
}

/// Edits saved while `--fix` runs all survive: a file that changed after it was checked
/// is left alone (and reported), never overwritten with a fix planned on its old text.
#[cfg(unix)]
#[test]
fn an_edit_saved_during_a_fix_is_never_overwritten() {
    let files = deprecated_module_files(1_500);
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let root = tree(&borrowed);
    let mut child = plain(
        root.path(),
        &["check", "--fix", "--output-format", "concise"],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .expect("starts");
    // Once the first file is written, the others' fixes are planned: ten edits are saved
    // then, as editors save (a new file renamed over), in files not yet written.
    let first = root.path().join("app/m0000.py");
    let started = Instant::now();
    while fs::read_to_string(&first).is_ok_and(|text| text.contains("app.old"))
        && started.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(1));
    }
    let edited: Vec<String> = (0..10)
        .map(|n| format!("app/m{:04}.py", 1_050 + n * 45))
        .collect();
    for (n, name) in edited.iter().enumerate() {
        let path = root.path().join(name);
        let text = fs::read_to_string(&path).expect("read");
        let saved = root.path().join(format!("{name}.swp"));
        fs::write(&saved, format!("{text}# edit {n}\n")).expect("write");
        fs::rename(&saved, &path).expect("save");
    }
    child.wait().expect("ends");
    for (n, name) in edited.iter().enumerate() {
        let text = fs::read_to_string(root.path().join(name)).expect("read");
        assert!(
            text.ends_with(&format!("# edit {n}\n")),
            "{name} lost its edit: {text:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_baseline_or_cache_linked_to_a_device_is_refused() {
    let root = tree(&[
        ("rules.toml", RULES),
        ("app/__init__.py", ""),
        ("app/views.py", "import billing\n"),
    ]);
    std::os::unix::fs::symlink("/dev/zero", root.path().join("importgate-baseline.json"))
        .expect("symlink");
    let output = importgate(root.path(), &["check"])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a regular file (a device)"));
    fs::remove_file(root.path().join("importgate-baseline.json")).expect("rm");
    fs::create_dir_all(root.path().join(".importgate_cache")).expect("mkdir");
    std::os::unix::fs::symlink(
        "/dev/zero",
        root.path().join(".importgate_cache/imports-v3.bin"),
    )
    .expect("symlink");
    let output = importgate(root.path(), &["check", "app/views.py"])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    // The caches of full runs, likewise.
    for cache_file in ["facts-v1.bin", "tree-v1.bin"] {
        let place = root.path().join(".importgate_cache").join(cache_file);
        let _ = fs::remove_file(&place);
        std::os::unix::fs::symlink("/dev/zero", &place).expect("symlink");
        let output = importgate(root.path(), &["check"])
            .timeout(Duration::from_secs(30))
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "{cache_file}: {output:?}");
    }
}
