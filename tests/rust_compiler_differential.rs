//! IG020/IG021 on Rust agree with the compiler. A workspace of generated crates: per
//! round a library with modules (file and inline, some named `_m..`), items of every
//! namespace, `#[macro_export]` macros and `pub use` re-exports (of items, renamed, of
//! modules under another name, globs), and two crates depending on it (one under a
//! renamed dependency) with modules, re-exports and globs of their own. Their references
//! are right or wrong at random (a missing name, a missing module on the way, an
//! undeclared crate or the sibling crate not depended on): `use` trees (renames, groups,
//! nested groups, `self`, a leading `::`, in blocks), paths in code (calls, values, types,
//! trait bounds, enum variants, macros), paths through module aliases, modules spelled
//! through re-exports and globs, `crate::`/`self::`/`super::` paths, and names used
//! unqualified beside `use super::*;`. The lines importgate reports as IG020/IG021 are the
//! lines `cargo check --offline` reports a resolution error on (E0432/E0433 and the
//! "cannot find" family), and checking some files alone reports the same on them.
//!
//! Not generated: a glob import that fails (rustc then stops reporting its other
//! resolution errors — recovery, not the language: importgate reports them), private
//! items (E0603 is privacy, not resolution), and enum variants that do not exist
//! (importgate checks paths up to the item; what follows an item is the item's own).

mod common;

use common::Random;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The namespaces a generated item can be in, and how code names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Function,
    Constant,
    UnitStruct,
    Enum,
    Trait,
    /// The module's index in its crate.
    Module(usize),
    Macro,
}

/// Rustc's codes for a path that does not resolve.
const RESOLUTION_ERRORS: &[&str] = &[
    "E0405", // cannot find trait
    "E0412", // cannot find type
    "E0422", // cannot find struct
    "E0425", // cannot find value or function
    "E0432", // unresolved import
    "E0433", // failed to resolve (a module or crate on the way)
    "E0531", // cannot find tuple struct or variant
];

struct Module {
    name: String,
    inline: bool,
    /// Below the crate root.
    path: Vec<String>,
    /// Items and re-exports, one per line.
    lines: Vec<String>,
    /// Statements of the module's function.
    body: Vec<String>,
    children: Vec<usize>,
    /// Names the module binds for other modules (its items, child modules, `pub use`).
    names: Vec<(String, Kind)>,
    /// Modules whose names a `pub use ..::*` brings.
    globs: Vec<usize>,
}

struct Crate {
    modules: Vec<Module>,
}

impl Crate {
    /// A crate of a few modules (nested, some inline), each with a few items.
    fn new(random: &mut Random, counter: &mut usize) -> Self {
        let mut krate = Crate {
            modules: vec![Module::new("", false, Vec::new())],
        };
        for _ in 0..2 + random.below(5) {
            let parent = random.below(krate.modules.len());
            if krate.modules[parent].path.len() >= 3 {
                continue;
            }
            *counter += 1;
            // A leading underscore is no privacy in Rust: a glob brings the name.
            let name = if random.chance(15) {
                format!("_m{counter}")
            } else {
                format!("m{counter}")
            };
            let mut path = krate.modules[parent].path.clone();
            path.push(name.clone());
            let index = krate.modules.len();
            krate
                .modules
                .push(Module::new(&name, random.chance(30), path));
            krate.modules[parent].children.push(index);
            krate.modules[parent]
                .names
                .push((name, Kind::Module(index)));
        }
        for index in 0..krate.modules.len() {
            for _ in 0..1 + random.below(3) {
                *counter += 1;
                let n = *counter;
                let (name, line, kind) = match random.below(5) {
                    0 => (
                        format!("f{n}"),
                        format!("pub fn f{n}() {{}}"),
                        Kind::Function,
                    ),
                    1 => (
                        format!("C{n}"),
                        format!("pub const C{n}: u8 = 0;"),
                        Kind::Constant,
                    ),
                    2 => (
                        format!("S{n}"),
                        format!("pub struct S{n};"),
                        Kind::UnitStruct,
                    ),
                    3 => (
                        format!("E{n}"),
                        format!("pub enum E{n} {{ A, B }}"),
                        Kind::Enum,
                    ),
                    _ => (format!("T{n}"), format!("pub trait T{n} {{}}"), Kind::Trait),
                };
                krate.modules[index].lines.push(line);
                krate.modules[index].names.push((name, kind));
            }
        }
        krate
    }

    /// `#[macro_export]` macros and `pub use` re-exports (renamed, globs) between modules.
    fn add_reexports(&mut self, random: &mut Random, counter: &mut usize) {
        for _ in 0..random.below(2) {
            *counter += 1;
            let name = format!("mac{counter}");
            let module = random.below(self.modules.len());
            self.modules[module].lines.push(format!(
                "#[macro_export]\nmacro_rules! {name} {{ () => {{}}; }}"
            ));
            self.modules[0].names.push((name, Kind::Macro));
        }
        for index in 0..self.modules.len() {
            if random.chance(40) {
                let from = random.below(self.modules.len());
                let own: Vec<(String, Kind)> = self.modules[from]
                    .names
                    .iter()
                    .filter(|(_, kind)| !matches!(kind, Kind::Module(_) | Kind::Macro))
                    .cloned()
                    .collect();
                if from != index && !own.is_empty() {
                    let (name, kind) = random.pick(&own).clone();
                    let path = crate_path(&self.modules[from].path, &name);
                    // A module cannot bind one name twice (it may have the item itself,
                    // re-exported back).
                    let bound = self.modules[index].names.iter().any(|(n, _)| *n == name);
                    if bound || random.chance(50) {
                        *counter += 1;
                        let alias = format!("{}R{counter}", &name[..1]);
                        self.modules[index]
                            .lines
                            .push(format!("pub use {path} as {alias};"));
                        self.modules[index].names.push((alias, kind));
                    } else {
                        self.modules[index].lines.push(format!("pub use {path};"));
                        self.modules[index].names.push((name, kind));
                    }
                }
            }
            // A module re-exported under another name (`pub use crate::a::b as alias;`).
            if random.chance(25) && self.modules.len() > 1 {
                let module = 1 + random.below(self.modules.len() - 1);
                *counter += 1;
                let alias = format!("alias{counter}");
                let path = crate_path(&self.modules[module].path, "");
                self.modules[index].lines.push(format!(
                    "pub use {} as {alias};",
                    path.trim_end_matches("::")
                ));
                self.modules[index]
                    .names
                    .push((alias, Kind::Module(module)));
            }
            if random.chance(25) {
                let from = random.below(self.modules.len());
                if from != index {
                    let path = ["crate".to_string()]
                        .into_iter()
                        .chain(self.modules[from].path.iter().cloned())
                        .collect::<Vec<_>>()
                        .join("::");
                    self.modules[index]
                        .lines
                        .push(format!("pub use {path}::*;"));
                    self.modules[index].globs.push(from);
                }
            }
        }
    }

    /// A way to spell module `to` below the crate root, at random: through the modules,
    /// their aliases and what globs bring (`visible`), at most four segments deep.
    fn route(
        &self,
        visible: &[Vec<(String, Kind)>],
        to: usize,
        random: &mut Random,
    ) -> Vec<String> {
        let mut routes: Vec<Vec<String>> = Vec::new();
        let mut stack: Vec<(usize, Vec<String>)> = vec![(0, Vec::new())];
        while let Some((at, route)) = stack.pop() {
            if at == to {
                routes.push(route.clone());
            }
            if route.len() >= 4 {
                continue;
            }
            for (name, kind) in &visible[at] {
                if let Kind::Module(next) = kind {
                    let mut longer = route.clone();
                    longer.push(name.clone());
                    stack.push((*next, longer));
                }
            }
        }
        if routes.is_empty() {
            return self.modules[to].path.clone();
        }
        random.pick(&routes).clone()
    }

    /// The names each module binds for other modules, glob re-exports followed.
    fn visible_names(&self) -> Vec<Vec<(String, Kind)>> {
        let mut visible: Vec<Vec<(String, Kind)>> = self
            .modules
            .iter()
            .map(|module| module.names.clone())
            .collect();
        loop {
            let mut changed = false;
            for index in 0..self.modules.len() {
                for &from in &self.modules[index].globs {
                    for (name, kind) in visible[from].clone() {
                        // Macros are bound at the root by `#[macro_export]`, and a glob
                        // brings them too; enough to leave them at the root.
                        if kind != Kind::Macro && !visible[index].iter().any(|(n, _)| *n == name) {
                            visible[index].push((name, kind));
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                return visible;
            }
        }
    }

    fn render(&self, index: usize) -> String {
        let module = &self.modules[index];
        let mut text = String::new();
        for line in &module.lines {
            text.push_str(line);
            text.push('\n');
        }
        if !module.body.is_empty() {
            text.push_str(&format!("pub fn run_{}() {{\n", module.path.join("_")));
            for statement in &module.body {
                text.push_str("    ");
                text.push_str(statement);
                text.push('\n');
            }
            text.push_str("}\n");
        }
        for &child in &module.children {
            let name = &self.modules[child].name;
            if self.modules[child].inline {
                text.push_str(&format!("pub mod {name} {{\n{}}}\n", self.render(child)));
            } else {
                text.push_str(&format!("pub mod {name};\n"));
            }
        }
        text
    }

    /// Writes the crate's source files below `source` (its `src/`): the root, and each
    /// file module at `path/to/name.rs` (the 2018 layout).
    fn write_files(&self, source: &Path) {
        write(&source.join("lib.rs"), &self.render(0));
        for (index, module) in self.modules.iter().enumerate().skip(1) {
            if !module.inline {
                let file = source.join(format!("{}.rs", module.path.join("/")));
                write(&file, &self.render(index));
            }
        }
    }
}

impl Module {
    fn new(name: &str, inline: bool, path: Vec<String>) -> Self {
        Module {
            name: name.to_string(),
            inline,
            path,
            lines: Vec::new(),
            body: Vec::new(),
            children: Vec::new(),
            names: Vec::new(),
            globs: Vec::new(),
        }
    }
}

/// `crate::a::b::name`.
fn crate_path(module: &[String], name: &str) -> String {
    let mut segments = vec!["crate".to_string()];
    segments.extend(module.iter().cloned());
    segments.push(name.to_string());
    segments.join("::")
}

/// How code at module `from` spells module `to` of its own crate: from `crate`, or
/// through `self`/`super` when `to` is below `from` or its parent.
fn spell_own(krate: &Crate, from: usize, to: usize, random: &mut Random) -> Vec<String> {
    let here = &krate.modules[from].path;
    let there = &krate.modules[to].path;
    if random.chance(30) && there.starts_with(here) {
        let mut segments = vec!["self".to_string()];
        segments.extend(there[here.len()..].iter().cloned());
        return segments;
    }
    if random.chance(30) && !here.is_empty() && there.starts_with(&here[..here.len() - 1]) {
        let mut segments = vec!["super".to_string()];
        segments.extend(there[here.len() - 1..].iter().cloned());
        return segments;
    }
    let mut segments = vec!["crate".to_string()];
    segments.extend(there.iter().cloned());
    segments
}

/// A statement (or nested item) that names `path` as code does for an item of `kind`.
fn statement(path: &str, kind: Kind, random: &mut Random, counter: &mut usize) -> String {
    *counter += 1;
    match kind {
        Kind::Function => format!("{path}();"),
        Kind::Constant | Kind::UnitStruct => format!("let _ = {path};"),
        Kind::Enum if random.chance(50) => format!("let _ = {path}::A;"),
        Kind::Enum => format!("let _: Option<{path}> = None;"),
        Kind::Trait => format!("fn bound{counter}<X: {path}>() {{}}"),
        Kind::Macro => format!("{path}!();"),
        Kind::Module(_) => unreachable!("a module is named on the way to an item"),
    }
}

/// A kind's name when it is missing (rustc's error differs by namespace only).
fn missing_name(kind: Kind, counter: &mut usize) -> String {
    *counter += 1;
    match kind {
        Kind::Function => format!("gone{counter}"),
        Kind::Constant => format!("GONE{counter}"),
        _ => format!("Gone{counter}"),
    }
}

/// References from every module of `user` into `base` (named `base_name` there), into
/// `user` itself, to undeclared crates and to std, right or wrong at random.
fn add_references(
    user: &mut Crate,
    base: &Crate,
    base_name: &str,
    stranger: &str,
    random: &mut Random,
    counter: &mut usize,
) {
    let base_visible = base.visible_names();
    let own_visible = user.visible_names();
    for from in 0..user.modules.len() {
        for _ in 0..2 + random.below(6) {
            // The module the reference goes through, spelled; what it binds.
            let (mut module, names): (Vec<String>, &Vec<(String, Kind)>) = match random.below(10) {
                0..=5 => {
                    let to = random.below(base.modules.len());
                    let mut segments = vec![base_name.to_string()];
                    segments.extend(base.route(&base_visible, to, random));
                    (segments, &base_visible[to])
                }
                6..=8 => {
                    let to = random.below(user.modules.len());
                    (spell_own(user, from, to, random), &own_visible[to])
                }
                _ => {
                    *counter += 1;
                    let crate_name = if random.chance(50) {
                        stranger.to_string()
                    } else {
                        format!("nocrate{counter}")
                    };
                    let segments = [crate_name, "inner".to_string()];
                    let kind = Kind::Function;
                    let name = missing_name(kind, counter);
                    let path = format!("{}::{name}", segments.join("::"));
                    let line = if random.chance(50) {
                        format!("use {path} as u{counter};")
                    } else {
                        user.modules[from]
                            .body
                            .push(statement(&path, kind, random, counter));
                        continue;
                    };
                    user.modules[from].lines.push(line);
                    continue;
                }
            };
            let usable: Vec<(String, Kind)> = names
                .iter()
                .filter(|(_, kind)| !matches!(kind, Kind::Module(_)))
                .cloned()
                .collect();
            if usable.is_empty() {
                continue;
            }
            let (mut name, kind) = random.pick(&usable).clone();
            // Wrong at random: a missing name, or a missing module on the way.
            match random.below(10) {
                0..=1 if kind != Kind::Macro => name = missing_name(kind, counter),
                2 if kind != Kind::Macro => {
                    *counter += 1;
                    module.push(format!("nomod{counter}"));
                }
                _ => {}
            }
            // Another crate's path may start with `::`.
            let external = module[0] != "crate" && module[0] != "self" && module[0] != "super";
            if external && random.chance(15) {
                module[0] = format!("::{}", module[0]);
            }
            let path = format!("{}::{name}", module.join("::"));
            *counter += 1;
            let n = *counter;
            match random.below(8) {
                // `use` with a rename (a plain `use` could bind a name twice).
                0 => user.modules[from]
                    .lines
                    .push(format!("use {path} as u{n};")),
                // A group with `self`.
                1 if kind != Kind::Macro => user.modules[from].lines.push(format!(
                    "use {}::{{{name} as u{n}, self as um{n}}};",
                    module.join("::")
                )),
                // Nested groups.
                5 if kind != Kind::Macro && module.len() >= 2 => {
                    user.modules[from].lines.push(format!(
                        "use {}::{{{}::{{{name} as u{n}, self as um{n}}}}};",
                        module[0],
                        module[1..].join("::")
                    ))
                }
                // A `use` in a block.
                6 => user.modules[from].body.push(format!("use {path} as u{n};")),
                // Through a module alias.
                2 if kind != Kind::Macro && module[0] != "self" && module[0] != "super" => {
                    user.modules[from]
                        .lines
                        .push(format!("use {} as am{n};", module.join("::")));
                    let through = format!("am{n}::{name}");
                    let line = statement(&through, kind, random, counter);
                    user.modules[from].body.push(line);
                }
                _ => {
                    let line = statement(&path, kind, random, counter);
                    user.modules[from].body.push(line);
                }
            }
        }
        // Names a glob import brings, used unqualified.
        if random.chance(30) {
            let to = random.below(base.modules.len());
            let usable: Vec<&(String, Kind)> = base_visible[to]
                .iter()
                .filter(|(_, kind)| !matches!(kind, Kind::Module(_) | Kind::Macro))
                .collect();
            if !usable.is_empty() {
                let mut segments = vec![base_name.to_string()];
                segments.extend(base.modules[to].path.iter().cloned());
                user.modules[from]
                    .lines
                    .push(format!("use {}::*;", segments.join("::")));
                let (name, kind) = (*random.pick(&usable)).clone();
                let line = statement(&name, kind, random, counter);
                user.modules[from].body.push(line);
            }
        }
        // Names a glob import of a module of the crate brings (`use super::*;` as test
        // modules have), used unqualified.
        if random.chance(30) && from > 0 {
            let to = if random.chance(50) {
                random.below(user.modules.len())
            } else {
                // The parent.
                let parent = &user.modules[from].path[..user.modules[from].path.len() - 1];
                (0..user.modules.len())
                    .find(|&index| user.modules[index].path == parent)
                    .expect("a parent")
            };
            let usable: Vec<(String, Kind)> = own_visible[to]
                .iter()
                .filter(|(_, kind)| !matches!(kind, Kind::Module(_) | Kind::Macro))
                .cloned()
                .collect();
            if to != from && !usable.is_empty() {
                let spelled = spell_own(user, from, to, random);
                user.modules[from]
                    .lines
                    .push(format!("use {}::*;", spelled.join("::")));
                let (name, kind) = random.pick(&usable).clone();
                let line = statement(&name, kind, random, counter);
                user.modules[from].body.push(line);
            }
        }
        // Std, always there.
        if random.chance(30) {
            user.modules[from]
                .body
                .push("let _ = std::env::var(\"HOME\");".to_string());
        }
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

fn manifest(name: &str, dependencies: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\n{dependencies}"
    )
}

/// (file relative to the workspace, line) of every resolution error `cargo check` reports;
/// any other error fails the test (the generator wrote code that is wrong otherwise).
fn compiler_errors(workspace: &Path, target: &Path) -> BTreeSet<(String, usize)> {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "check",
            "--offline",
            "--keep-going",
            "--workspace",
            "--message-format=json",
        ])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(workspace)
        .output()
        .expect("cargo runs");
    let mut errors = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let message: serde_json::Value = serde_json::from_str(line).expect("JSON lines");
        if message["reason"] != "compiler-message" || message["message"]["level"] != "error" {
            continue;
        }
        let diagnostic = &message["message"];
        let rendered = diagnostic["rendered"].as_str().unwrap_or_default();
        let code = diagnostic["code"]["code"].as_str().unwrap_or_default();
        if code.is_empty() && rendered.starts_with("error: aborting") {
            continue;
        }
        assert!(
            RESOLUTION_ERRORS.contains(&code),
            "the generated code has an error other than resolution:\n{rendered}"
        );
        let span = diagnostic["spans"]
            .as_array()
            .and_then(|spans| spans.iter().find(|span| span["is_primary"] == true))
            .expect("a primary span");
        errors.insert((
            span["file_name"].as_str().expect("a file").to_string(),
            span["line_start"].as_u64().expect("a line") as usize,
        ));
    }
    errors
}

/// (file, line) of every IG020/IG021 importgate reports checking `paths`; any other
/// finding fails the test.
fn importgate_errors(workspace: &Path, paths: &[&str]) -> BTreeSet<(String, usize)> {
    let mut arguments = vec!["check", "--no-cache", "--output-format", "concise"];
    arguments.extend_from_slice(paths);
    let output = common::importgate(workspace, &arguments)
        .output()
        .expect("importgate runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut errors = BTreeSet::new();
    for line in stdout.lines() {
        let Some((location, rest)) = line.split_once(": IG") else {
            continue;
        };
        let code = &rest[..3];
        assert!(
            code == "020" || code == "021",
            "a finding other than IG020/IG021: {line}"
        );
        let mut parts = location.rsplitn(3, ':');
        let _column = parts.next();
        let line_number: usize = parts.next().expect("a line").parse().expect("a number");
        let file = parts.next().expect("a file");
        errors.insert((file.to_string(), line_number));
    }
    errors
}

#[test]
fn unresolved_paths_are_the_ones_cargo_check_rejects() {
    let scratch = tempfile::tempdir().expect("tempdir");
    // `IMPORTGATE_KEEP_DIFFERENTIAL=DIR` keeps the generated workspace there, to look at.
    let workspace = match std::env::var_os("IMPORTGATE_KEEP_DIFFERENTIAL") {
        Some(directory) => {
            let directory = std::path::PathBuf::from(directory);
            let _ = fs::remove_dir_all(&directory);
            directory
        }
        None => scratch.path().join("workspace"),
    };
    let mut random = Random(0xca_7e0c);
    let mut counter = 0;
    let mut members = Vec::new();
    for round in 0..30 {
        let base_name = format!("base{round}");
        let mut base = Crate::new(&mut random, &mut counter);
        base.add_reexports(&mut random, &mut counter);
        // One user names the library as the package does, the other through a rename.
        let renamed = format!("renamed{round}");
        let users = [
            (format!("user{round}a"), base_name.clone(), String::new()),
            (format!("user{round}b"), renamed.clone(), base_name.clone()),
        ];
        for (user_name, extern_name, package) in &users {
            let mut user = Crate::new(&mut random, &mut counter);
            user.add_reexports(&mut random, &mut counter);
            let stranger = if user_name.ends_with('a') {
                format!("user{round}b")
            } else {
                format!("user{round}a")
            };
            add_references(
                &mut user,
                &base,
                extern_name,
                &stranger,
                &mut random,
                &mut counter,
            );
            let dependency = if package.is_empty() {
                format!("{extern_name} = {{ path = \"../{base_name}\" }}\n")
            } else {
                format!(
                    "{extern_name} = {{ package = \"{package}\", path = \"../{base_name}\" }}\n"
                )
            };
            write(
                &workspace.join(user_name).join("Cargo.toml"),
                &manifest(user_name, &dependency),
            );
            user.write_files(&workspace.join(user_name).join("src"));
            members.push(user_name.clone());
        }
        write(
            &workspace.join(&base_name).join("Cargo.toml"),
            &manifest(&base_name, ""),
        );
        base.write_files(&workspace.join(&base_name).join("src"));
        members.push(base_name);
    }
    let members: Vec<String> = members.iter().map(|name| format!("\"{name}\"")).collect();
    write(
        &workspace.join("Cargo.toml"),
        &format!(
            "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
            members.join(", ")
        ),
    );
    write(
        &workspace.join("rules.toml"),
        "[project]\nroot = \".\"\nlanguages = [\"rust\"]\n",
    );
    let compiler = compiler_errors(&workspace, &scratch.path().join("target"));
    let ours = importgate_errors(&workspace, &["."]);
    let lines = |set: &BTreeSet<(String, usize)>| -> Vec<String> {
        set.iter()
            .map(|(file, line)| {
                let text = fs::read_to_string(workspace.join(file)).unwrap_or_default();
                let text = text.lines().nth(line - 1).unwrap_or_default().to_string();
                format!("{file}:{line}: {}", text.trim())
            })
            .collect()
    };
    let missed: BTreeSet<_> = compiler.difference(&ours).cloned().collect();
    let extra: BTreeSet<_> = ours.difference(&compiler).cloned().collect();
    let by_file: BTreeMap<&str, usize> =
        compiler.iter().fold(BTreeMap::new(), |mut map, (file, _)| {
            *map.entry(file.as_str()).or_default() += 1;
            map
        });
    assert!(
        compiler.len() > 100 && by_file.len() > 30,
        "too few errors generated to say much: {}",
        compiler.len()
    );
    assert!(
        missed.is_empty() && extra.is_empty(),
        "rustc rejects, importgate does not:\n{}\nimportgate reports, rustc accepts:\n{}",
        lines(&missed).join("\n"),
        lines(&extra).join("\n")
    );
    // Checking some files alone reports on them what checking the tree does: the modules
    // their paths go through (re-exports, globs) are read though not checked.
    let some: Vec<String> = by_file
        .keys()
        .step_by(7)
        .map(|file| file.to_string())
        .collect();
    let some: Vec<&str> = some.iter().map(String::as_str).collect();
    let alone = importgate_errors(&workspace, &some);
    let expected: BTreeSet<_> = ours
        .iter()
        .filter(|(file, _)| some.contains(&file.as_str()))
        .cloned()
        .collect();
    assert_eq!(alone, expected, "checking {some:?} alone");
}
