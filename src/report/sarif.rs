//! `--output-format sarif`: SARIF 2.1.0, the format GitHub code scanning, Azure DevOps and
//! most security dashboards import.
//!
//! Every check is a `reportingDescriptor` (`IG001`) whose full description is its one-line
//! summary, whose help is its documentation and whose `helpUri` is its row in the README.
//! Every registry rule that has findings is a descriptor of its own (`IG001/backend-not-auth`),
//! related to its check (`relationships`, kind `superset`: the check's findings include the
//! rule's) and naming it in `properties`, so that code scanning can filter alerts by rule.
//! Each result carries the registry rule, the hint (in the message and in `properties`), the
//! fix as SARIF `fixes`, and a `partialFingerprints` entry that survives line moves (the
//! same fingerprint as the GitLab format). URIs are relative to `%SRCROOT%`, the top level of
//! the git repository that holds the governed root (the governed root outside git), so they
//! name files as the repository does wherever rules.toml is.

use super::json::{diagnostic_objects, JsonDiagnostic};
use super::ReportContext;
use crate::codes::CheckCode;
use crate::diagnostic::Severity;
use crate::engine::Outcome;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

/// The schema URI written into the document.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base id that every artifact URI is relative to.
const SOURCE_ROOT: &str = "%SRCROOT%";

pub(super) fn render(
    outcome: &Outcome,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rules: Vec<Value> = CheckCode::ALL
        .iter()
        .map(|code| check_descriptor(*code))
        .collect();
    // The registry rules with findings, sorted by check and id, after the checks.
    let mut rule_indexes: BTreeMap<(CheckCode, &str), usize> = BTreeMap::new();
    for diagnostic in &outcome.diagnostics {
        if let Some(rule) = &diagnostic.rule {
            rule_indexes.insert((diagnostic.code, rule.id.as_str()), 0);
        }
    }
    let sections: HashMap<&str, &str> = context
        .config
        .rule_ids()
        .into_iter()
        .map(|(section, id)| (id, section))
        .collect();
    for ((code, rule), index) in rule_indexes.iter_mut() {
        *index = rules.len();
        rules.push(registry_rule_descriptor(
            *code,
            rule,
            sections.get(rule).copied(),
        ));
    }
    let fingerprints = crate::diagnostic::fingerprints(&outcome.diagnostics);
    let results: Vec<Value> = diagnostic_objects(outcome)
        .iter()
        .zip(&outcome.diagnostics)
        .zip(fingerprints)
        .map(|((object, diagnostic), fingerprint)| {
            let (rule_id, rule_index) = match &diagnostic.rule {
                Some(rule) => (
                    registry_rule_id(diagnostic.code, &rule.id),
                    rule_indexes[&(diagnostic.code, rule.id.as_str())],
                ),
                None => (
                    diagnostic.code.code().to_string(),
                    check_index(diagnostic.code),
                ),
            };
            let uri = context
                .repository_relative(object.path)
                .unwrap_or_else(|| object.path.to_string());
            result(
                object,
                diagnostic.severity,
                &rule_id,
                rule_index,
                &uri,
                fingerprint,
            )
        })
        .collect();
    let source_root = context
        .repository_root
        .as_deref()
        .unwrap_or(&context.config.root);
    let document = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "importgate",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {
                SOURCE_ROOT: { "uri": directory_uri(source_root) }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

/// The check's place among the descriptors (they come first, in code order).
fn check_index(code: CheckCode) -> usize {
    CheckCode::ALL
        .iter()
        .position(|check| *check == code)
        .unwrap_or(0)
}

/// `IG001/backend-not-auth`.
fn registry_rule_id(code: CheckCode, rule: &str) -> String {
    format!("{}/{rule}", code.code())
}

/// A check as a SARIF rule: code, name, one-line summary, documentation, README link and
/// default level.
fn check_descriptor(code: CheckCode) -> Value {
    let info = code.info();
    let docs = info.docs();
    json!({
        "id": code.code(),
        "name": code.name(),
        "shortDescription": { "text": info.summary },
        "fullDescription": { "text": info.summary },
        "help": { "text": docs, "markdown": docs },
        "helpUri": code.help_uri(),
        "defaultConfiguration": { "level": info.default_severity.as_str() },
        "properties": { "fixable": info.fix.as_str(), "tags": [code.name()] },
    })
}

/// A registry rule's findings of one check as a SARIF rule of their own, related to the
/// check's descriptor.
fn registry_rule_descriptor(code: CheckCode, rule: &str, section: Option<&str>) -> Value {
    let info = code.info();
    let mut help = format!("Rule `{rule}` of the registry");
    if let Some(section) = section {
        help.push_str(&format!(" (`[[{section}]]`)"));
    }
    help.push_str(&format!(
        ", reported by {} `{}`.\n\n{}",
        code.code(),
        code.name(),
        info.docs()
    ));
    let mut properties = json!({
        "check": code.code(),
        "checkName": code.name(),
        "registryRule": rule,
        "fixable": info.fix.as_str(),
        "tags": [code.name(), rule],
    });
    if let (Some(section), Some(properties)) = (section, properties.as_object_mut()) {
        properties.insert("registrySection".to_string(), json!(section));
    }
    json!({
        "id": registry_rule_id(code, rule),
        "name": rule,
        "shortDescription": { "text": format!("{rule}: {}", info.summary) },
        "fullDescription": { "text": info.summary },
        "help": { "text": help, "markdown": help },
        "helpUri": code.help_uri(),
        "defaultConfiguration": { "level": info.default_severity.as_str() },
        "relationships": [{
            "target": { "id": code.code(), "index": check_index(code) },
            "kinds": ["superset"],
        }],
        "properties": properties,
    })
}

fn result(
    object: &JsonDiagnostic<'_>,
    severity: Severity,
    rule_id: &str,
    rule_index: usize,
    uri: &str,
    fingerprint: String,
) -> Value {
    let message = match object.hint {
        Some(hint) => format!("{}\nhelp: {hint}", object.message),
        None => object.message.to_string(),
    };
    let artifact = json!({ "uri": encode_uri_path(uri), "uriBaseId": SOURCE_ROOT });
    let mut result = json!({
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": severity.as_str(),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": {
                    "startLine": object.line,
                    "startColumn": object.column,
                    "endLine": object.end_line,
                    "endColumn": object.end_column,
                }
            }
        }],
        "partialFingerprints": { "importgate/v1": fingerprint },
        "properties": {
            "rule": object.rule,
            "hint": object.hint,
            "context": object.context,
            "target": object.target,
            "nameImported": object.name_imported,
        },
    });
    // A property bag holds what is known; absent fields are left out, not null.
    if let Some(properties) = result["properties"].as_object_mut() {
        properties.retain(|_, value| !value.is_null());
    }
    if let Some(fix) = &object.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| {
                json!({
                    "deletedRegion": {
                        "startLine": edit.start.line,
                        "startColumn": edit.start.column,
                        "endLine": edit.end.line,
                        "endColumn": edit.end.column,
                    },
                    "insertedContent": { "text": edit.content },
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": format!("{} ({} fix)", fix.description, fix.applicability) },
            "artifactChanges": [{ "artifactLocation": artifact, "replacements": replacements }],
        }]);
    }
    result
}

/// `file:///abs/path/`, percent-encoded, ending in `/` so relative URIs resolve below it.
fn directory_uri(path: &std::path::Path) -> String {
    let slashed = crate::paths::slash_path(path);
    let mut uri = String::from("file://");
    match slashed.split_once(':') {
        // A Windows drive letter (`C:/...`) keeps its colon.
        Some((drive, rest)) if drive.len() == 1 && !slashed.starts_with('/') => {
            uri.push('/');
            uri.push_str(drive);
            uri.push(':');
            uri.push_str(&encode_uri_path(rest));
        }
        _ => uri.push_str(&encode_uri_path(&slashed)),
    }
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// A `/`-separated path as a URI path: every byte outside RFC 3986's unreserved set and `/`
/// percent-encoded (paths with spaces or non-ASCII names stay valid URIs).
fn encode_uri_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::{directory_uri, encode_uri_path};
    use std::path::Path;

    #[test]
    fn directory_uris_are_percent_encoded_and_end_with_a_slash() {
        assert_eq!(directory_uri(Path::new("/srv/repo")), "file:///srv/repo/");
        assert_eq!(
            directory_uri(Path::new("/srv/my repo/é")),
            "file:///srv/my%20repo/%C3%A9/"
        );
        assert_eq!(encode_uri_path("a b/ü.py"), "a%20b/%C3%BC.py");
    }
}
