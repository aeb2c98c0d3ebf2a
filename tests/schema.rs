//! The registry's JSON Schema (`importgate schema`, committed as importgate.schema.json) is
//! held to the reader both ways, and every registry of the repository is validated against
//! it by Taplo, the validator behind the most used TOML editor extension.

mod common;

use importgate::config::schema::{registry_schema, schema_sections};
use importgate::config::{Config, LoadError, REGISTRY_SECTIONS};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn schema_path() -> PathBuf {
    common::repo_root().join("importgate.schema.json")
}

/// The committed file is what `importgate schema` prints (`UPDATE_SCHEMA=1` rewrites it).
#[test]
fn committed_schema_is_current() {
    let printed = format!(
        "{}\n",
        serde_json::to_string_pretty(&registry_schema()).expect("serializable")
    );
    let output = common::importgate(&common::repo_root(), &["schema"])
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&output.stdout), printed);
    let committed = std::fs::read_to_string(schema_path()).unwrap_or_default();
    if committed != printed {
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(schema_path(), &printed).expect("write the schema");
        } else {
            panic!(
                "importgate.schema.json is stale; run `UPDATE_SCHEMA=1 cargo test --test schema`"
            );
        }
    }
}

/// Every key the reader accepts is in the schema, and every key of the schema is one the
/// reader accepts, section by section.
#[test]
fn schema_keys_are_the_readers_keys() {
    let schema: Vec<(String, Vec<&str>)> = schema_sections();
    for (section, keys) in REGISTRY_SECTIONS {
        let (_, in_schema) = schema
            .iter()
            .find(|(name, _)| name == section)
            .unwrap_or_else(|| panic!("{section} is not in the schema"));
        let mut expected: Vec<&str> = keys.to_vec();
        let mut got = in_schema.clone();
        expected.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, expected, "{section}");
    }
    for (section, keys) in &schema {
        // `[project]` is the reader's alias of `[settings]`, with the same keys.
        let reader_name = if section == "[project]" {
            "[settings]"
        } else {
            section.as_str()
        };
        let reader = REGISTRY_SECTIONS
            .iter()
            .find(|(name, _)| *name == reader_name)
            .unwrap_or_else(|| {
                panic!("{section} is in the schema but the reader has no such section")
            });
        for key in keys {
            assert!(reader.1.contains(key), "{section} {key} is not read");
        }
    }
}

/// A TOML value of the type the schema gives a key, and one of another type.
fn sample_values(schema: &Value) -> (String, String) {
    match schema["type"].as_str() {
        Some("string") => {
            let value = schema["enum"]
                .get(0)
                .and_then(Value::as_str)
                .unwrap_or("sample");
            (format!("{value:?}"), "7".to_string())
        }
        Some("boolean") => ("true".to_string(), "\"yes\"".to_string()),
        Some("integer") => ("1".to_string(), "\"one\"".to_string()),
        Some("array") => (
            "[\"sample.a\", \"sample.b\"]".to_string(),
            "\"sample\"".to_string(),
        ),
        Some("object") if schema["additionalProperties"]["type"] == "array" => (
            "{ \"x/**\" = [\"IG020\"] }".to_string(),
            "[\"x\"]".to_string(),
        ),
        Some("object") => ("{ a = \"b\" }".to_string(), "[\"x\"]".to_string()),
        other => panic!("no sample for {other:?}"),
    }
}

/// For every key: a value of the schema's type is read without a type error, and a value of
/// another type is refused by the reader too (so the schema's types are the reader's).
#[test]
fn the_reader_accepts_the_schemas_types_and_refuses_others() {
    let schema = registry_schema();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rules.toml");
    let type_errors = |text: String| -> Vec<String> {
        match Config::from_text(&path, text) {
            Ok(_) => Vec::new(),
            Err(LoadError::Invalid(errors)) => errors
                .errors
                .into_iter()
                .map(|error| error.message)
                .filter(|message| {
                    message.contains(" must be ") || message.starts_with("unknown key")
                })
                .collect(),
            Err(other) => panic!("{other}"),
        }
    };
    for (section, definition) in schema["properties"].as_object().expect("sections") {
        let (header, table) = match definition["type"].as_str() {
            Some("array") => (format!("[[{section}]]"), &definition["items"]),
            Some("object") => (format!("[{section}]"), definition),
            _ => continue,
        };
        for (key, key_schema) in table["properties"].as_object().expect("keys") {
            let (right, wrong) = sample_values(key_schema);
            let errors = type_errors(format!("{header}\n{key} = {right}\n"));
            assert!(
                errors
                    .iter()
                    .all(|message| !message.contains(&format!("`{key}`"))
                        && !message.contains(&format!("key `{key}`"))),
                "{header} {key} = {right}: {errors:?}"
            );
            let errors = type_errors(format!("{header}\n{key} = {wrong}\n"));
            assert!(
                errors
                    .iter()
                    .any(|message| message.contains(&format!("`{key}`"))),
                "{header} {key} = {wrong} is read, but the schema refuses it"
            );
        }
    }
}

/// Taplo's CLI (`@taplo/cli` from npm): `IMPORTGATE_TAPLO`, else `taplo` on PATH. CI
/// installs it; elsewhere the Taplo tests say they did not run (and fail in CI).
fn taplo() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("IMPORTGATE_TAPLO") {
        return Some(PathBuf::from(path));
    }
    let found = Command::new("taplo").arg("--version").output();
    if found.is_ok_and(|output| output.status.success()) {
        return Some(PathBuf::from("taplo"));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the Taplo tests: install @taplo/cli and set IMPORTGATE_TAPLO"
    );
    eprintln!("taplo not found: the schema was not validated with Taplo (set IMPORTGATE_TAPLO)");
    None
}

/// Runs `taplo lint` with the committed schema; returns (success, output).
fn taplo_lint(taplo: &Path, files: &[PathBuf]) -> (bool, String) {
    let schema = format!("file://{}", schema_path().display());
    let output = Command::new(taplo)
        .args([
            "lint",
            "--no-auto-config",
            "--colors",
            "never",
            "--schema",
            &schema,
        ])
        .args(files)
        .output()
        .expect("taplo runs");
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

/// The registry part of a pyproject.toml, as a rules.toml: its `[tool.importgate]` table.
fn tool_importgate(pyproject: &str) -> String {
    let document: toml::Table = toml::from_str(pyproject).expect("valid TOML");
    let registry = document
        .get("tool")
        .and_then(|tool| tool.get("importgate"))
        .cloned()
        .unwrap_or(toml::Value::Table(toml::Table::new()));
    toml::to_string(&registry).expect("serializable")
}

/// Every registry of the repository that importgate accepts, and every TOML snippet of the
/// README, as rules.toml files in `dir`.
fn repository_registries(dir: &Path) -> Vec<PathBuf> {
    let root = common::repo_root();
    let mut registries = Vec::new();
    let mut add = |name: String, text: String| {
        let path = dir.join(format!("{}.toml", registries.len()));
        std::fs::write(&path, text).expect("write");
        registries.push((name, path));
    };
    add(
        "rules.toml".to_string(),
        std::fs::read_to_string(root.join("rules.toml")).expect("read"),
    );
    for entry in walkdir::WalkDir::new(root.join("tests/fixtures"))
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        // The config fixtures are broken on purpose.
        if path.starts_with(root.join("tests/fixtures/config")) {
            continue;
        }
        let text = || std::fs::read_to_string(path).expect("read");
        match path.file_name().and_then(|name| name.to_str()) {
            Some("rules.toml") => add(path.display().to_string(), text()),
            Some("pyproject.toml") if text().contains("tool.importgate") => {
                add(path.display().to_string(), tool_importgate(&text()))
            }
            _ => {}
        }
    }
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    // A block fenced ```toml is a registry; another tool's TOML file is fenced with its
    // name after the language (```toml languages.toml), and is not split out here.
    for (position, block) in readme.split("```toml\n").skip(1).enumerate() {
        let snippet = block.split("```").next().unwrap_or_default();
        let text = if snippet.contains("[tool.importgate") {
            tool_importgate(snippet)
        } else {
            snippet.to_string()
        };
        add(format!("README snippet {position}"), text);
    }
    assert!(registries.len() > 30, "found only {}", registries.len());
    registries.into_iter().map(|(_, path)| path).collect()
}

#[test]
fn every_registry_of_the_repository_validates_with_taplo() {
    let Some(taplo) = taplo() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let registries = repository_registries(dir.path());
    for registry in &registries {
        // Each is a registry importgate reads: the schema must accept what the reader does.
        let text = std::fs::read_to_string(registry).expect("read");
        if let Err(LoadError::Invalid(errors)) = Config::from_text(registry, text.clone()) {
            let shape_errors: Vec<&String> = errors
                .errors
                .iter()
                .map(|error| &error.message)
                .filter(|message| {
                    message.contains(" must be ") || message.starts_with("unknown key")
                })
                .collect();
            assert!(shape_errors.is_empty(), "{text}\n{shape_errors:?}");
        }
    }
    let (valid, output) = taplo_lint(&taplo, &registries);
    assert!(valid, "{output}");
}

/// Taplo really validates with the schema: an unknown key, a wrong type, a value outside an
/// enumeration and a missing required key are each refused.
#[test]
fn taplo_refuses_what_the_reader_refuses() {
    let Some(taplo) = taplo() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in [
        ("unknown-key", "[settings]\npython-root = [\"src\"]\n"),
        (
            "wrong-type",
            "[[boundary]]\nid = \"x\"\nfrom = \"a\"\nforbid = [\"b\"]\n",
        ),
        (
            "enumeration",
            "[[banned]]\nid = \"x\"\napi = [\"pickle\"]\nseverity = \"fatal\"\n",
        ),
        ("required", "[[layers]]\nlayers = [\"a\", \"b\"]\n"),
    ] {
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).expect("write");
        let (valid, output) = taplo_lint(&taplo, &[path]);
        assert!(!valid, "{name}: taplo accepted it\n{output}");
    }
}
