//! The differential test of module resolution: many small generated trees (regular and
//! namespace packages, `x.py` beside `x/`, compiled extensions, one package in two roots,
//! relative imports at every level, submodules and names, star imports with and without
//! `__all__`, guarded imports), each checked by importgate and asked of CPython
//! (`tests/oracle/cpython_imports.py`: `importlib`'s path finder for modules, a real import
//! for names). Every import's answer and every file's "is it what Python loads" must agree.
//!
//! python3 is on every machine this project runs on; without it the test says it is skipped
//! and passes, except in CI (`CI` set), where it fails.

mod common;

use common::Random;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// Top-level names no standard library module has.
const TOPS: &[&str] = &["igx", "igy", "igz"];
/// Names below them.
const CHILDREN: &[&str] = &["a", "b", "c"];
/// Names modules define.
const NAMES: &[&str] = &["alpha", "beta", "gamma", "_hidden"];

/// One import statement of a generated file, with what it asks.
struct Query {
    id: String,
    path: String,
    line: usize,
    level: usize,
    target: String,
    name: Option<String>,
}

/// A generated tree: files (path -> text), python roots, and the imports to compare.
#[derive(Default)]
struct Tree {
    roots: Vec<String>,
    files: BTreeMap<String, String>,
    extensions: BTreeSet<String>,
    queries: Vec<Query>,
    /// The dotted names that exist somewhere in the tree (plus a few that do not).
    names: Vec<String>,
}

impl Tree {
    fn generate(seed: u64) -> Tree {
        let mut random = Random(seed);
        let mut tree = Tree {
            roots: if random.chance(40) {
                vec!["r0".into(), "r1".into()]
            } else {
                vec!["r0".into()]
            },
            ..Tree::default()
        };
        for root in tree.roots.clone() {
            for top in TOPS {
                tree.layout(&mut random, &root, top, top, 0);
            }
        }
        // Candidate targets: every dotted name up to three deep, existing or not.
        for top in TOPS {
            tree.names.push(top.to_string());
            for child in CHILDREN {
                tree.names.push(format!("{top}.{child}"));
                for grandchild in CHILDREN {
                    tree.names.push(format!("{top}.{child}.{grandchild}"));
                }
            }
        }
        tree.fill_modules(&mut random);
        tree.add_probes(&mut random);
        tree
    }

    /// Lays out `name` in `directory` (a root, or a package directory at `depth`).
    fn layout(
        &mut self,
        random: &mut Random,
        directory: &str,
        name: &str,
        dotted: &str,
        depth: usize,
    ) {
        let base = format!("{directory}/{name}");
        // 0 nothing, 1 module, 2 package, 3 namespace, 4 module + package, 5 module + namespace,
        // 6 extension (+ module beside it sometimes).
        let kind = random.below(if depth == 0 { 7 } else { 8 });
        let package = |tree: &mut Tree, random: &mut Random, regular: bool| {
            if regular {
                tree.files
                    .insert(format!("{base}/__init__.py"), String::new());
            }
            if depth < 2 {
                for child in CHILDREN {
                    tree.layout(
                        random,
                        &base,
                        child,
                        &format!("{dotted}.{child}"),
                        depth + 1,
                    );
                }
            }
            // A namespace directory needs something in it to exist.
            if !regular
                && !tree
                    .files
                    .keys()
                    .any(|path| path.starts_with(&format!("{base}/")))
            {
                tree.files
                    .insert(format!("{base}/probe_keep.py"), String::new());
            }
        };
        match kind {
            1 | 7 => {
                self.files.insert(format!("{base}.py"), String::new());
            }
            2 => package(self, random, true),
            3 => package(self, random, false),
            4 => {
                self.files.insert(format!("{base}.py"), String::new());
                package(self, random, true);
            }
            5 => {
                self.files.insert(format!("{base}.py"), String::new());
                package(self, random, false);
            }
            6 => {
                self.extensions
                    .insert(format!("{base}.cpython-311-x86_64-linux-gnu.so"));
                if random.chance(50) {
                    self.files.insert(format!("{base}.py"), String::new());
                }
            }
            _ => {}
        }
    }

    /// Definitions, `__all__` and at most one star import in every generated module. Star
    /// imports only point "forward" (to a later top-level name, or to a later sibling), so
    /// no import cycle leaves a module half-initialised; `__init__` files hold definitions
    /// only, so importing a package never binds a submodule as a side effect.
    fn fill_modules(&mut self, random: &mut Random) {
        let paths: Vec<String> = self
            .files
            .keys()
            .filter(|path| !path.contains("probe_"))
            .cloned()
            .collect();
        for path in paths {
            let mut text = String::new();
            let mut defined = Vec::new();
            for name in NAMES {
                if random.chance(45) {
                    match random.below(3) {
                        0 => writeln!(text, "{name} = 1"),
                        1 => writeln!(text, "def {name}():\n    return 1"),
                        _ => writeln!(text, "class {name}:\n    pass"),
                    }
                    .expect("write");
                    defined.push(*name);
                }
            }
            if !defined.is_empty() && random.chance(30) {
                let listed: Vec<String> = defined
                    .iter()
                    .filter(|_| random.chance(60))
                    .map(|name| format!("\"{name}\""))
                    .collect();
                writeln!(text, "__all__ = [{}]", listed.join(", ")).expect("write");
            }
            let is_init = path.ends_with("/__init__.py");
            if !is_init && random.chance(35) {
                let module = module_name(&self.roots, &path);
                let top = module.split('.').next().unwrap_or_default();
                let later_tops: Vec<&&str> = TOPS.iter().filter(|t| **t > top).collect();
                let line = text.lines().count() + 1;
                let (level, target) = if random.chance(50) && !later_tops.is_empty() {
                    let candidates: Vec<&String> = self
                        .names
                        .iter()
                        .filter(|name| {
                            later_tops
                                .iter()
                                .any(|t| name.split('.').next() == Some(**t))
                        })
                        .collect();
                    (0, (*random.pick(&candidates)).clone())
                } else {
                    let own = module.rsplit('.').next().unwrap_or_default().to_string();
                    let later: Vec<&&str> =
                        CHILDREN.iter().filter(|c| **c > own.as_str()).collect();
                    match later.as_slice() {
                        [] => (0, String::new()),
                        later => (1, (**random.pick(later)).to_string()),
                    }
                };
                if level > 0 || !target.is_empty() {
                    writeln!(text, "from {}{target} import *", ".".repeat(level)).expect("write");
                    self.query(&path, line, level, &target, Some("*"));
                }
            }
            self.files.insert(path, text);
        }
    }

    /// Probe files (never imported by anything) full of imports to compare: absolute and
    /// relative (one to three dots), of modules and of names, some guarded.
    fn add_probes(&mut self, random: &mut Random) {
        let mut directories: BTreeSet<String> = self.roots.iter().cloned().collect();
        for path in self.files.keys() {
            let mut directory = path.as_str();
            while let Some((parent, _)) = directory.rsplit_once('/') {
                directories.insert(parent.to_string());
                directory = parent;
            }
        }
        let mut count = 0;
        for directory in directories {
            if !self
                .roots
                .iter()
                .any(|root| directory == *root || directory.starts_with(&format!("{root}/")))
            {
                continue;
            }
            if !random.chance(55) {
                continue;
            }
            let path = format!("{directory}/probe_{count}.py");
            count += 1;
            let mut text = String::new();
            for _ in 0..6 {
                let guarded = random.chance(20);
                let relative = random.chance(40);
                let (level, target) = if relative {
                    let level = 1 + random.below(3);
                    let target = if random.chance(40) {
                        String::new()
                    } else {
                        let name = random.pick(&self.names).clone();
                        name.split('.')
                            .skip(1 + random.below(2))
                            .collect::<Vec<_>>()
                            .join(".")
                    };
                    (level, target)
                } else {
                    (0, random.pick(&self.names).clone())
                };
                let name: Option<String> = if level > 0 || random.chance(70) {
                    Some(if random.chance(50) {
                        (*random.pick(NAMES)).to_string()
                    } else {
                        (*random.pick(CHILDREN)).to_string()
                    })
                } else {
                    None
                };
                let statement = match &name {
                    Some(name) => format!("from {}{target} import {name}", ".".repeat(level)),
                    None => format!("import {target}"),
                };
                let line = if guarded {
                    text.push_str("try:\n");
                    let line = text.lines().count() + 1;
                    writeln!(text, "    {statement}\nexcept ImportError:\n    pass")
                        .expect("write");
                    line
                } else {
                    let line = text.lines().count() + 1;
                    writeln!(text, "{statement}").expect("write");
                    line
                };
                self.query(&path, line, level, &target, name.as_deref());
            }
            self.files.insert(path, text);
        }
    }

    fn query(&mut self, path: &str, line: usize, level: usize, target: &str, name: Option<&str>) {
        self.queries.push(Query {
            id: format!("{path}:{line}"),
            path: path.to_string(),
            line,
            level,
            target: target.to_string(),
            name: name.map(str::to_string),
        });
    }

    fn write(&self, dir: &Path) {
        let mut rules = String::from("version = 1\n\n[project]\npython-roots = [");
        rules.push_str(
            &self
                .roots
                .iter()
                .map(|root| format!("\"{root}\""))
                .collect::<Vec<_>>()
                .join(", "),
        );
        rules.push_str("]\nfirst-party = [\"igx\", \"igy\", \"igz\"]\n");
        std::fs::write(dir.join("rules.toml"), rules).expect("rules");
        for root in &self.roots {
            std::fs::create_dir_all(dir.join(root)).expect("root");
        }
        for (path, text) in &self.files {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, text).expect("write");
        }
        for path in &self.extensions {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, b"").expect("write");
        }
    }

    /// The listing of the tree, for a failure message.
    fn describe(&self) -> String {
        let mut text = format!("python-roots = {:?}\n", self.roots);
        for (path, body) in &self.files {
            writeln!(text, "--- {path}\n{body}").expect("write");
        }
        for path in &self.extensions {
            writeln!(text, "--- {path} (compiled extension)").expect("write");
        }
        text
    }
}

/// A file's module name: its path below the deepest root, as importgate names it.
fn module_name(roots: &[String], path: &str) -> String {
    let root = roots
        .iter()
        .filter(|root| path.starts_with(&format!("{root}/")))
        .max_by_key(|root| root.len())
        .expect("generated files are below a root");
    let below = &path[root.len() + 1..];
    let stem = below.strip_suffix(".py").unwrap_or(below);
    stem.strip_suffix("/__init__")
        .unwrap_or(stem)
        .replace('/', ".")
}

/// `python3`, or `None` after saying the test is skipped; in CI (`CI` set) a missing
/// python3 fails the test instead.
fn python3_or_skip() -> Option<&'static str> {
    let found = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is missing: CI must run the CPython differential tests"
        );
        eprintln!("skipped: python3 is not on PATH, so the CPython differential test cannot run");
    }
    found.then_some("python3")
}

/// Runs an oracle of `tests/oracle/` with `request` as JSON on its stdin; its JSON answer.
fn ask_cpython(
    python: &str,
    oracle: &str,
    request: &impl serde::Serialize,
) -> Vec<serde_json::Value> {
    let mut child = Command::new(python)
        .arg("-I")
        .arg(common::repo_root().join("tests/oracle").join(oracle))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    serde_json::to_writer(child.stdin.take().expect("stdin"), request).expect("request");
    let output = child.wait_with_output().expect("the oracle finishes");
    assert!(
        output.status.success(),
        "the oracle {oracle} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the oracle's JSON")
}

#[test]
fn module_resolution_agrees_with_cpython() {
    let Some(python) = python3_or_skip() else {
        return;
    };
    let trees_wanted: u64 = std::env::var("IMPORTGATE_DIFFERENTIAL_TREES")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(150);
    let scratch = tempfile::tempdir().expect("tempdir");
    let trees: Vec<Tree> = (0..trees_wanted)
        .map(|seed| Tree::generate(seed + 1))
        .collect();

    // importgate's answers, from the real binary.
    let mut reported = Vec::new();
    let mut request = Vec::new();
    for (number, tree) in trees.iter().enumerate() {
        let dir = scratch.path().join(format!("tree{number}"));
        std::fs::create_dir_all(&dir).expect("tree dir");
        tree.write(&dir);
        let output = common::importgate(
            &dir,
            &[
                "check",
                "--output-format",
                "json",
                "--strict-guarded",
                "--no-cache",
            ],
        )
        .output()
        .expect("importgate runs");
        let document: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("a JSON report");
        let mut found: BTreeSet<(String, usize, String)> = BTreeSet::new();
        for diagnostic in document["diagnostics"].as_array().expect("diagnostics") {
            found.insert((
                diagnostic["path"].as_str().expect("path").to_string(),
                diagnostic["line"].as_u64().expect("line") as usize,
                diagnostic["code"].as_str().expect("code").to_string(),
            ));
        }
        reported.push(found);
        let files: Vec<serde_json::Value> = tree
            .files
            .keys()
            .map(|path| {
                serde_json::json!({
                    "path": path,
                    "module": module_name(&tree.roots, path),
                    "is_package": path.ends_with("/__init__.py"),
                })
            })
            .collect();
        let queries: Vec<serde_json::Value> = tree
            .queries
            .iter()
            .map(|query| {
                serde_json::json!({
                    "id": query.id,
                    "module": module_name(&tree.roots, &query.path),
                    "is_package": query.path.ends_with("/__init__.py"),
                    "level": query.level,
                    "target": query.target,
                    "name": query.name,
                })
            })
            .collect();
        request.push(serde_json::json!({
            "dir": dir.to_string_lossy(),
            "roots": tree.roots,
            "tops": TOPS,
            "files": files,
            "queries": queries,
        }));
    }

    // CPython's answers, one interpreter for every tree.
    let answers = ask_cpython(python, "cpython_imports.py", &request);

    let mut disagreements = Vec::new();
    let mut compared: BTreeMap<String, usize> = BTreeMap::new();
    for ((tree, found), answer) in trees.iter().zip(&reported).zip(&answers) {
        let mut tree_disagreements = Vec::new();
        // Nothing but the resolution checks may speak on these trees.
        for (path, line, code) in found {
            if !["IG020", "IG021", "IG022"].contains(&code.as_str()) {
                tree_disagreements.push(format!("{path}:{line}: unexpected {code}"));
            }
        }
        let shadowed: BTreeSet<&str> = answer["shadowed"]
            .as_array()
            .expect("shadowed")
            .iter()
            .filter_map(|path| path.as_str())
            .collect();
        for path in tree.files.keys() {
            let python = shadowed.contains(path.as_str());
            let importgate = found.contains(&(path.clone(), 1, "IG022".to_string()));
            *compared
                .entry(
                    if python {
                        "shadowed file"
                    } else {
                        "file Python loads"
                    }
                    .to_string(),
                )
                .or_default() += 1;
            if python != importgate {
                tree_disagreements.push(format!(
                    "{path}: CPython says {}, importgate {}",
                    if python { "shadowed" } else { "loaded" },
                    if importgate {
                        "reports IG022"
                    } else {
                        "does not"
                    }
                ));
            }
        }
        for query in &tree.queries {
            let python = answer["answers"][&query.id].as_str().expect("an answer");
            let at =
                |code: &str| found.contains(&(query.path.clone(), query.line, code.to_string()));
            let expected: &[&str] = match python {
                "ok" => &[],
                "missing-module" | "relative-error" => &["IG020"],
                "missing-name" => &["IG021"],
                // CPython could not import the module for reasons of its own (a compiled
                // extension that is an empty file here): nothing to compare.
                _ => {
                    *compared
                        .entry("unknown to CPython".to_string())
                        .or_default() += 1;
                    continue;
                }
            };
            *compared.entry(python.to_string()).or_default() += 1;
            let got: Vec<&str> = ["IG020", "IG021"]
                .into_iter()
                .filter(|code| at(code))
                .collect();
            if got != expected {
                tree_disagreements.push(format!(
                    "{}: `{}` (level {}, name {:?}): CPython says {python}, importgate reports {got:?}",
                    query.id, query.target, query.level, query.name
                ));
            }
        }
        if !tree_disagreements.is_empty() {
            disagreements.push(format!(
                "{}\n{}",
                tree_disagreements.join("\n"),
                tree.describe()
            ));
        }
    }
    eprintln!("compared with CPython over {trees_wanted} trees: {compared:?}");
    assert!(
        disagreements.is_empty(),
        "{} of {trees_wanted} trees disagree with CPython:\n\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    // Not vacuous: every kind of answer was compared many times.
    for kind in [
        "ok",
        "missing-module",
        "relative-error",
        "missing-name",
        "shadowed file",
    ] {
        assert!(
            compared.get(kind).copied().unwrap_or(0) >= 20,
            "too few `{kind}` answers compared: {compared:?}"
        );
    }
}

/// Every codec name and alias importgate decodes: a file in that encoding, declared by a
/// PEP 263 cookie on the first line, on the second after a shebang, and (ignored there, as
/// CPython ignores it) after a line of code, must decode to exactly what CPython's
/// tokenizer reads from it.
#[test]
fn source_decoding_agrees_with_cpython() {
    let Some(python) = python3_or_skip() else {
        return;
    };
    let names = importgate::source::codec_names();
    let cases = ask_cpython(python, "cpython_decoding.py", &names);
    assert_eq!(cases.len(), names.len() * 3);
    let mut disagreements = Vec::new();
    let mut non_ascii = 0;
    for case in &cases {
        let hex = case["bytes"].as_str().expect("bytes");
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("hex"))
            .collect();
        let decoded = importgate::source::decode_python(bytes.clone());
        match case["text"].as_str() {
            Some(expected) => {
                non_ascii += usize::from(!expected.is_ascii());
                if decoded.text != expected || decoded.problem.is_some() {
                    disagreements.push(format!(
                        "cookie `{}`: CPython reads {expected:?}\nimportgate reads {:?} ({:?})",
                        case["cookie"], decoded.text, decoded.problem
                    ));
                }
            }
            // CPython rejects the file (a cookie after a line of code is no cookie, so the
            // bytes are read as UTF-8 and fail): importgate must say so too.
            None => {
                if decoded.problem.is_none() {
                    disagreements.push(format!(
                        "cookie `{}`: CPython rejects the file, importgate reads {:?}",
                        case["cookie"], decoded.text
                    ));
                }
            }
        }
    }
    eprintln!(
        "compared {} files in {} codec names with CPython's decoding ({non_ascii} with non-ASCII text)",
        cases.len(),
        names.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} files decode differently:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        non_ascii > names.len(),
        "the cases must hold non-ASCII text"
    );
}

/// A source near one of CPython's nesting limits: brackets (with f-string fields),
/// indentation, or chains of operators, alone or combined.
fn nesting_source(random: &mut Random) -> String {
    let chain = |random: &mut Random, length: usize| -> String {
        match random.below(6) {
            0 => vec!["1"; length + 1].join(" + "),
            1 => format!("{}1", "-".repeat(length)),
            2 => format!("{}1", "not ".repeat(length)),
            3 => format!("a{}", ".b".repeat(length)),
            4 => format!("f{}", "()".repeat(length)),
            _ => format!("{}1", "1 if y else ".repeat(length / 2)),
        }
    };
    const NOISE: &[&str] = &["", "  # ((((((((((\n", "  # ]]]]\n", "\ns = '(((('\n"];
    let noise = |random: &mut Random| NOISE[random.below(NOISE.len())];
    match random.below(4) {
        0 | 3 => {
            let depth = 150 + random.below(70);
            let inner = if random.chance(50) {
                let length = random.below(300);
                chain(random, length)
            } else {
                "1".to_string()
            };
            let field_at = random.chance(40).then(|| random.below(depth));
            let mut opened = String::new();
            let mut closed = Vec::new();
            for level in 0..depth {
                if field_at == Some(level) {
                    opened.push_str("f'{");
                    closed.push("}'");
                    continue;
                }
                let (open, close) = *random.pick(&[("(", ")"), ("[", "]"), ("(1, ", ")")]);
                opened.push_str(open);
                closed.push(close);
            }
            closed.reverse();
            format!("x = {opened}{inner}{}{}\n", closed.concat(), noise(random))
        }
        1 => {
            let levels = 90 + random.below(15);
            let mut source = String::new();
            let mut width = 0;
            for _ in 0..levels {
                source.push_str(&" ".repeat(width));
                source.push_str("if x:\n");
                if random.chance(10) {
                    source.push_str(&" ".repeat(random.below(3)));
                    source.push_str("# an outdented comment\n\n");
                }
                width += 1 + random.below(3);
            }
            source.push_str(&" ".repeat(width));
            source.push_str("pass\n");
            source
        }
        _ => {
            let length = 1 + random.below(3_500);
            format!("x = {}{}\n", chain(random, length), noise(random))
        }
    }
}

/// importgate refuses a file as nested too deep only when CPython refuses it too, with the
/// same message for brackets and indentation (which CPython's tokenizer counts exactly).
#[test]
fn nesting_limits_agree_with_cpython() {
    let Some(python) = python3_or_skip() else {
        return;
    };
    let mut random = Random(0x1E57_1DE5);
    let sources: Vec<String> = (0..240).map(|_| nesting_source(&mut random)).collect();
    let answers = ask_cpython(python, "cpython_nesting.py", &sources);
    let mut disagreements = Vec::new();
    let (mut refused_by_both, mut accepted_by_both) = (0, 0);
    for (source, answer) in sources.iter().zip(&answers) {
        // Both ways importgate checks: the scan before parsing (big files) and the parser's
        // tokens (the others).
        let scanned = importgate::frontend::nesting::too_deep(source).map(|deep| deep.message);
        let tokens = importgate::frontend::python::nesting_problem(source).map(|deep| deep.message);
        let ours = if source.len() >= importgate::frontend::nesting::SCAN_BEFORE_PARSE_BYTES {
            scanned.clone().or(tokens.clone())
        } else {
            tokens.clone()
        };
        if tokens.is_some()
            && scanned
                .as_ref()
                .is_some_and(|scanned| Some(scanned) != tokens.as_ref())
        {
            disagreements.push(format!("the scan says {scanned:?}, the tokens {tokens:?}"));
        }
        let cpython_message = answer.get(1).and_then(|message| message.as_str());
        let exact = |message: &str| {
            message == "too many nested parentheses" || message == "too many levels of indentation"
        };
        let agrees = match (&ours, cpython_message) {
            (None, None) => {
                accepted_by_both += 1;
                true
            }
            // A tokenizer limit is found by both, with CPython's words.
            (Some(ours), Some(theirs)) if exact(theirs) || exact(ours) => ours == theirs,
            (Some(_), Some(_)) => {
                refused_by_both += 1;
                true
            }
            // CPython refuses deep chains at ~3,000; importgate parses them (bounded far
            // higher), so only a tokenizer limit must be found.
            (None, Some(theirs)) => !exact(theirs),
            (Some(_), None) => false,
        };
        if agrees && cpython_message.is_some_and(exact) {
            refused_by_both += 1;
        }
        if !agrees {
            let shown: String = source.chars().take(160).collect();
            disagreements.push(format!("importgate {ours:?}, CPython {answer}: {shown:?}…"));
        }
    }
    eprintln!(
        "compared {} sources with CPython's compile(): {accepted_by_both} accepted and {refused_by_both} refused by both",
        sources.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(refused_by_both > 20 && accepted_by_both > 20);
}
