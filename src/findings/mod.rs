//! Findings: what `validate` and the analyzers report, independent of any output format.
//!
//! A finding has a stable code from the catalog (`codes`), a severity, a one-line message,
//! the file:line:column a person must edit, the object it concerns and a help text.

pub mod codes;

use std::fmt;

use serde::Serialize;

use crate::manifest::{Node, Origin};

pub use codes::{Code, lookup};

/// How serious a finding is; `Error` findings make the run exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// The Kubernetes object a finding concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    /// The identity of a manifest object (empty strings where fields are missing).
    pub fn of(object: &Node) -> ObjectRef {
        let text = |path: &[&str]| object.str_at(path).unwrap_or_default().to_string();
        ObjectRef {
            api_version: text(&["apiVersion"]),
            kind: text(&["kind"]),
            namespace: object
                .str_at(&["metadata", "namespace"])
                .map(str::to_string),
            name: text(&["metadata", "name"]),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.name.is_empty() {
            "(unnamed)"
        } else {
            &self.name
        };
        match &self.namespace {
            Some(namespace) => write!(f, "{} {namespace}/{name}", self.kind),
            None => write!(f, "{} {name}", self.kind),
        }
    }
}

/// One problem found in a manifest, pointing at the value a person must edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static Code,
    pub severity: Severity,
    pub message: String,
    /// Where to edit; `None` only for problems that have no place (e.g. an unreadable root).
    pub origin: Option<Origin>,
    pub object: Option<ObjectRef>,
}

impl Finding {
    /// A finding with the code's default severity.
    pub fn new(code: &'static Code, message: impl Into<String>, origin: Option<Origin>) -> Self {
        Finding {
            code,
            severity: code.severity,
            message: message.into(),
            origin,
            object: None,
        }
    }

    /// The same finding, attributed to `object`.
    pub fn on(mut self, object: &Node) -> Self {
        self.object = Some(ObjectRef::of(object));
        self
    }

    /// Whether the finding is about a Secret, whose source lines are never shown.
    pub fn about_secret(&self) -> bool {
        self.object
            .as_ref()
            .is_some_and(|o| crate::manifest::is_secret_kind(&o.kind))
    }

    /// The one-line help text shown under the finding.
    pub fn help(&self) -> &'static str {
        self.code.help
    }
}

/// Sorts findings by file, line, column and code, so every output format is stable.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            f.origin
                .as_ref()
                .map(|o| (o.file.clone(), o.line, o.column))
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.code.code.cmp(b.code.code))
            .then_with(|| a.message.cmp(&b.message))
    });
}
