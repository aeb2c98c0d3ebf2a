//! `--output-format sarif`: SARIF 2.1.0, the format GitHub code scanning, Azure DevOps and
//! most security dashboards import. Every check is a `reportingDescriptor` whose help is the
//! check's documentation; each result carries the registry rule, the hint (in the message and
//! in `properties`), the fix as SARIF `fixes`, and a `partialFingerprints` entry that
//! survives line moves (the same fingerprint as the GitLab format).

use super::json::{diagnostic_objects, JsonDiagnostic};
use super::ReportContext;
use crate::codes::CheckCode;
use crate::diagnostic::Severity;
use crate::engine::Outcome;
use serde_json::{json, Value};
use std::io::{self, Write};

/// The schema URI written into the document.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base id that every artifact URI is relative to: the governed root.
const SOURCE_ROOT: &str = "%SRCROOT%";

pub(super) fn render(
    outcome: &Outcome,
    context: &ReportContext<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rules: Vec<Value> = CheckCode::ALL
        .iter()
        .map(|code| rule_descriptor(*code))
        .collect();
    let fingerprints = crate::diagnostic::fingerprints(&outcome.diagnostics);
    let results: Vec<Value> = diagnostic_objects(outcome)
        .iter()
        .zip(&outcome.diagnostics)
        .zip(fingerprints)
        .map(|((object, diagnostic), fingerprint)| {
            let rule_index = CheckCode::ALL
                .iter()
                .position(|code| *code == diagnostic.code)
                .unwrap_or(0);
            result(object, diagnostic.severity, rule_index, fingerprint)
        })
        .collect();
    let document = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "importgate",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/importgate/importgate",
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {
                SOURCE_ROOT: { "uri": directory_uri(&context.config.root) }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

/// A check as a SARIF rule: code, name, summary, documentation and default level.
fn rule_descriptor(code: CheckCode) -> Value {
    let info = code.info();
    let docs = info.docs();
    json!({
        "id": code.code(),
        "name": code.name(),
        "shortDescription": { "text": info.summary },
        "fullDescription": { "text": docs.lines().next().unwrap_or(info.summary) },
        "help": { "text": docs, "markdown": docs },
        "defaultConfiguration": { "level": info.default_severity.as_str() },
        "properties": { "fixable": info.fix.as_str() },
    })
}

fn result(
    object: &JsonDiagnostic<'_>,
    severity: Severity,
    rule_index: usize,
    fingerprint: String,
) -> Value {
    let message = match object.hint {
        Some(hint) => format!("{}\nhelp: {hint}", object.message),
        None => object.message.to_string(),
    };
    let artifact = json!({ "uri": encode_uri_path(object.path), "uriBaseId": SOURCE_ROOT });
    let mut result = json!({
        "ruleId": object.code,
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
    let slashed = crate::discover::slash_path(path);
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
