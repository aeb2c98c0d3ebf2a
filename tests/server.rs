//! `importgate server` as a process: it ends when its client does — after `shutdown` and
//! `exit` with code 0, and when stdin closes without them with code 1, also once it has
//! checked a file, which starts a watcher on the tree (the watcher once kept the server
//! alive after its client was gone) — and the most deeply nested buffer Python accepts
//! crashes none of its requests.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the server may take to exit (a slow, shared machine).
const PATIENCE: Duration = Duration::from_secs(60);

fn send(stdin: &mut ChildStdin, message: serde_json::Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
    stdin.flush().expect("flush");
}

fn receive(stdout: &mut BufReader<ChildStdout>) -> serde_json::Value {
    let mut length = 0;
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).expect("read") > 0,
            "the server closed stdout"
        );
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse().expect("a length");
        }
    }
    let mut body = vec![0; length];
    stdout.read_exact(&mut body).expect("a body");
    serde_json::from_slice(&body).expect("JSON")
}

/// Starts the server in a tree with a registry, opens `app/a.py` and waits for its
/// diagnostics (the check has started the watcher).
fn server_with_a_checked_file(tree: &Path) -> (Child, ChildStdin, BufReader<ChildStdout>) {
    server_with_a_checked_buffer(tree, "import app.missing\n")
}

/// The same, with `text` as the buffer of `app/a.py` (whose first line imports
/// `app.missing`).
fn server_with_a_checked_buffer(
    tree: &Path,
    text: &str,
) -> (Child, ChildStdin, BufReader<ChildStdout>) {
    std::fs::create_dir_all(tree.join("app")).expect("mkdir");
    std::fs::write(tree.join("app/__init__.py"), "").expect("write");
    std::fs::write(tree.join("app/a.py"), "import app.missing\n").expect("write");
    std::fs::write(tree.join("rules.toml"), "").expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_importgate"))
        .arg("server")
        .current_dir(tree)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let root = tree.canonicalize().expect("canonical");
    let uri = format!("file://{}/app/a.py", root.display());
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": null, "rootUri": null, "capabilities": {}}}),
    );
    while receive(&mut stdout).get("id") != Some(&serde_json::json!(1)) {}
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "python", "version": 1,
                "text": text}}}),
    );
    loop {
        let message = receive(&mut stdout);
        if message["method"] == "textDocument/publishDiagnostics" {
            let diagnostics = &message["params"]["diagnostics"];
            assert_eq!(diagnostics[0]["code"], "IG020", "{message}");
            break;
        }
    }
    (child, stdin, stdout)
}

/// The exit code of `child`, which must come within [`PATIENCE`].
fn exit_code(mut child: Child) -> Option<i32> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("the server did not exit within {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_server_exits_when_stdin_closes_after_a_check() {
    let tree = tempfile::tempdir().expect("tempdir");
    let (child, stdin, stdout) = server_with_a_checked_file(tree.path());
    drop(stdin);
    drop(stdout);
    assert_eq!(exit_code(child), Some(1));
}

#[test]
fn the_server_exits_zero_after_shutdown_and_exit() {
    let tree = tempfile::tempdir().expect("tempdir");
    let (child, mut stdin, mut stdout) = server_with_a_checked_file(tree.path());
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    while receive(&mut stdout).get("id") != Some(&serde_json::json!(2)) {}
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc": "2.0", "method": "exit"}),
    );
    assert_eq!(exit_code(child), Some(0));
}

#[test]
fn the_deepest_nesting_python_accepts_crashes_no_request() {
    // 199 brackets (CPython's tokenizer stops at 200) and 100,000 unary operators (refused
    // by importgate's nesting limit, after the parser has seen them: the file is small
    // enough to be parsed first). Parsing and dropping them takes more stack than a thread
    // gets by default.
    let brackets = format!("{}1{}", "[".repeat(199), "]".repeat(199));
    let unary = format!("{}1", "-".repeat(100_000));
    let text = format!("import app.missing\nvalue = {brackets}\nother = {unary}\n");
    let tree = tempfile::tempdir().expect("tempdir");
    let (child, mut stdin, mut stdout) = server_with_a_checked_buffer(tree.path(), &text);
    let root = tree.path().canonicalize().expect("canonical");
    let uri = format!("file://{}/app/a.py", root.display());
    send(
        &mut stdin,
        serde_json::json!({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": 9}}}),
    );
    let hover = loop {
        let message = receive(&mut stdout);
        if message.get("id") == Some(&serde_json::json!(3)) {
            break message;
        }
    };
    let contents = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(contents.contains("**`app.missing`**"), "{hover}");
    assert!(contents.contains("**IG020**"), "{hover}");
    drop(stdin);
    drop(stdout);
    assert_eq!(exit_code(child), Some(1));
}
