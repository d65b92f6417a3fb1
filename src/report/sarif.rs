//! `--output sarif`: SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning,
//! Azure DevOps, GitLab). Rules carry each code's documentation; results point at the file,
//! line and column to edit, relative to the repository root (`%SRCROOT%`).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, file_of};
use crate::findings::{Code, Finding, Severity};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules: Vec<&Code> = Vec::new();
    for finding in report.findings {
        rule_index.entry(finding.code.code).or_insert_with(|| {
            rules.push(finding.code);
            rules.len() - 1
        });
    }
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, rule_index[f.code.code]))
        .collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "meshwright",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|c| rule(c)).collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the directory meshwright ran in"}}},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(code: &Code) -> Value {
    json!({
        "id": code.code,
        "name": code.name,
        "shortDescription": {"text": code.help},
        "fullDescription": {"text": first_paragraph(code.docs)},
        "help": {"text": code.help, "markdown": code.docs},
        "defaultConfiguration": {"level": level(code.severity)},
    })
}

/// The text under "## What it does", as one line.
fn first_paragraph(docs: &str) -> String {
    docs.lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn result(finding: &Finding, rule_index: usize) -> Value {
    let mut result = json!({
        "ruleId": finding.code.code,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": finding.message},
    });
    let mut location = serde_json::Map::new();
    if let (Some(file), Some(origin)) = (file_of(finding), &finding.origin) {
        location.insert(
            "physicalLocation".into(),
            json!({
                "artifactLocation": artifact_location(&file),
                "region": {"startLine": origin.line.max(1), "startColumn": origin.column.max(1)},
            }),
        );
    }
    if let Some(object) = &finding.object {
        let qualified = match &object.namespace {
            Some(ns) => format!("{ns}/{}/{}", object.kind, object.name),
            None => format!("{}/{}", object.kind, object.name),
        };
        location.insert(
            "logicalLocations".into(),
            json!([{"name": object.name, "fullyQualifiedName": qualified, "kind": "resource"}]),
        );
    }
    if !location.is_empty() {
        result["locations"] = json!([Value::Object(location)]);
    }
    result
}

/// A file as a SARIF artifact location: relative paths under `%SRCROOT%`, absolute ones as
/// `file://` URIs, each percent-encoded per RFC 3986.
fn artifact_location(file: &str) -> Value {
    if file.starts_with('/') {
        json!({"uri": format!("file://{}", percent_encode_path(file))})
    } else {
        json!({"uri": percent_encode_path(file), "uriBaseId": "%SRCROOT%"})
    }
}

/// Percent-encodes a `/`-separated path as an RFC 3986 URI path: every byte of its UTF-8 but
/// the unreserved characters and `/` becomes `%XX`, so spaces, `#`, `?`, `%`, `:`, `\`,
/// control characters and non-ASCII text stay part of the path.
fn percent_encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_uris_are_percent_encoded() {
        assert_eq!(
            artifact_location("odd dir/a b#1?%\\ü:\n.yaml"),
            json!({"uri": "odd%20dir/a%20b%231%3F%25%5C%C3%BC%3A%0A.yaml", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location("/elsewhere/x y.yaml"),
            json!({"uri": "file:///elsewhere/x%20y.yaml"})
        );
        assert_eq!(
            artifact_location("tenants/retail-1/base/a_b.~yaml"),
            json!({"uri": "tenants/retail-1/base/a_b.~yaml", "uriBaseId": "%SRCROOT%"})
        );
    }
}
