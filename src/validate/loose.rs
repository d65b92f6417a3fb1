//! Reading a manifest file that no kustomization reads: its objects, or the findings that
//! say why it has none (invalid YAML, a Helm template, a file that is not a manifest, a
//! meshwright intent file checked with the intent's own rules).

use std::path::Path;
use std::sync::Arc;

use crate::findings::{Finding, codes};
use crate::manifest::load::{read_capped, text_of};
use crate::manifest::{Node, Origin, parse_documents, unwrap_lists};

/// The API group of meshwright's own intent file.
const INTENT_GROUP: &str = "meshwright.dev/";

/// What a loose file holds: objects to validate and findings about the file itself.
#[derive(Debug, Default)]
pub struct LooseFile {
    pub objects: Vec<Node>,
    pub findings: Vec<Finding>,
}

impl LooseFile {
    fn finding(finding: Finding) -> LooseFile {
        LooseFile {
            objects: Vec::new(),
            findings: vec![finding],
        }
    }
}

fn origin(path: &Path, line: u32, column: u32) -> Option<Origin> {
    Some(Origin::new(Arc::from(path), line, column))
}

/// Reads `path` and sorts its documents into objects and findings. `named`: the file was
/// named as an argument (a changed file), so not being a manifest is an error unless it is
/// a file known not to be one; found by walking, a JSON file that is not a manifest (a
/// `package.json`) is passed over in silence and a YAML one is a note.
pub fn read(path: &Path, named: bool) -> LooseFile {
    let bytes = match read_capped(path) {
        Ok(bytes) => bytes,
        Err(message) => {
            return LooseFile::finding(Finding::new(
                &codes::INVALID_YAML,
                message,
                origin(path, 1, 1),
            ));
        }
    };
    if in_chart_templates(path) {
        let at = helm_directive(&bytes).unwrap_or((1, 1));
        return LooseFile::finding(helm_template(path, at));
    }
    if path.file_name().is_some_and(|n| n == "Chart.yaml") {
        return LooseFile::finding(Finding::new(
            &codes::NOT_A_MANIFEST,
            "Helm chart metadata (Chart.yaml), not a Kubernetes manifest: skipped",
            origin(path, 1, 1),
        ));
    }
    let documents = match parse_documents(path, &bytes) {
        Ok(documents) => documents,
        Err(error) => {
            // Unparsable YAML with template directives is an unrendered template.
            if let Some(at) = helm_directive(&bytes) {
                return LooseFile::finding(helm_template(path, at));
            }
            return LooseFile::finding(Finding::new(
                &codes::INVALID_YAML,
                error.message,
                origin(path, error.line.max(1), error.column.max(1)),
            ));
        }
    };
    if documents.iter().any(|d| {
        d.str_at(&["apiVersion"])
            .is_some_and(|v| v.starts_with(INTENT_GROUP))
    }) {
        return read_intent(path, &bytes);
    }
    if !documents.iter().any(has_type_meta) {
        let at = documents
            .first()
            .map(|d| d.origin.clone())
            .or_else(|| origin(path, 1, 1));
        return match (named, known_non_manifest(path, &documents)) {
            (true, None) if !documents.is_empty() => LooseFile::finding(Finding::new(
                &codes::MISSING_TYPE_META,
                "`apiVersion` and `kind` are missing: a file named for validation must be a Kubernetes manifest",
                at,
            )),
            (false, _) if is_json(path) => LooseFile::default(),
            (_, known) => LooseFile::finding(Finding::new(
                &codes::NOT_A_MANIFEST,
                format!(
                    "{}: not a Kubernetes manifest, skipped",
                    known.unwrap_or("no document has `apiVersion` or `kind`")
                ),
                at,
            )),
        };
    }
    let mut file = LooseFile::default();
    for document in unwrap_lists(documents) {
        if let Some(tool) = tool_configuration(&document) {
            // One note per file and tool: a Skaffold file holds several configs.
            if file.findings.iter().any(|f| f.message.starts_with(tool)) {
                continue;
            }
            file.findings.push(
                Finding::new(
                    &codes::NOT_A_MANIFEST,
                    format!("{tool}, not an object the API server serves: not validated"),
                    Some(document.origin.clone()),
                )
                .on(&document),
            );
            continue;
        }
        match missing_type_meta(&document) {
            Some(problem) => {
                let at = document.get("metadata").unwrap_or(&document).origin.clone();
                let at = if problem.contains("metadata") {
                    at
                } else {
                    document.origin.clone()
                };
                file.findings
                    .push(Finding::new(&codes::MISSING_TYPE_META, problem, Some(at)).on(&document));
            }
            None => file.objects.push(document),
        }
    }
    file
}

/// Files of other tools that borrow Kubernetes' `apiVersion`/`kind` shape: API group prefix
/// and what the file is.
const TOOL_CONFIGURATIONS: [(&str, &str); 4] = [
    (
        "install.istio.io/",
        "`istioctl install` input (IstioOperator)",
    ),
    ("skaffold/", "Skaffold configuration"),
    ("kind.x-k8s.io/", "kind cluster configuration"),
    ("k3d.io/", "k3d cluster configuration"),
];

/// What tool's configuration `document` is, if it is one.
fn tool_configuration(document: &Node) -> Option<&'static str> {
    let api_version = document.str_at(&["apiVersion"])?;
    TOOL_CONFIGURATIONS
        .iter()
        .find(|(group, _)| api_version.starts_with(group))
        .map(|(_, tool)| *tool)
}

/// Directories of CI and editor configuration.
const TOOL_DIRECTORIES: [&str; 6] = [
    ".github",
    ".gitlab",
    ".circleci",
    ".buildkite",
    ".devcontainer",
    ".vscode",
];

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// What a file without `apiVersion` and `kind` is, when it is a kind of file that sits in
/// GitOps repositories and is known not to be a manifest (Helm values, CI and tool
/// configuration, API descriptions).
fn known_non_manifest(path: &Path, documents: &[Node]) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let beside_chart = path
        .ancestors()
        .skip(1)
        .any(|dir| dir.join("Chart.yaml").is_file());
    if name.starts_with("values") || beside_chart {
        return Some("Helm values");
    }
    let in_tool_dir = path.ancestors().skip(1).any(|dir| {
        dir.file_name()
            .is_some_and(|n| TOOL_DIRECTORIES.iter().any(|tool| n == *tool))
    });
    if in_tool_dir || name.starts_with('.') {
        return Some("tool configuration");
    }
    if name.starts_with("docker-compose") || name.starts_with("compose.") {
        return Some("Docker Compose file");
    }
    let has = |key: &str| documents.iter().any(|d| d.get(key).is_some());
    if has("openapi") || has("swagger") {
        return Some("OpenAPI description");
    }
    if has("jobs") || has("stages") || has("steps") || has("pipeline") {
        return Some("CI pipeline");
    }
    None
}

/// Whether `path` lies in the `templates/` directory of a Helm chart.
fn in_chart_templates(path: &Path) -> bool {
    path.ancestors()
        .filter(|dir| dir.file_name().is_some_and(|n| n == "templates"))
        .any(|dir| {
            dir.parent()
                .is_some_and(|chart| chart.join("Chart.yaml").is_file())
        })
}

/// Line and column of the first `{{ … }}` directive in `bytes`, if there is one.
fn helm_directive(bytes: &[u8]) -> Option<(u32, u32)> {
    let text = text_of(bytes).ok()?;
    let offset = text.find("{{").filter(|_| text.contains("}}"))?;
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let column = (offset - before.rfind('\n').map_or(0, |i| i + 1)) as u32 + 1;
    Some((line, column))
}

fn helm_template(path: &Path, (line, column): (u32, u32)) -> Finding {
    Finding::new(
        &codes::HELM_TEMPLATE,
        "Helm template (`{{ … }}` directives): not Kubernetes YAML until rendered, not validated",
        origin(path, line, column),
    )
}

fn has_type_meta(document: &Node) -> bool {
    document.get("apiVersion").is_some() || document.get("kind").is_some()
}

/// Why `document` is not a complete Kubernetes object, if it is not.
fn missing_type_meta(document: &Node) -> Option<&'static str> {
    if document.as_map().is_none() {
        return Some("a Kubernetes object must be a mapping");
    }
    match (document.str_at(&["apiVersion"]), document.str_at(&["kind"])) {
        (None, _) => Some("`apiVersion` is missing"),
        (_, None) => Some("`kind` is missing"),
        _ if document.str_at(&["metadata", "name"]).is_none()
            && document.str_at(&["metadata", "generateName"]).is_none() =>
        {
            Some("`metadata.name` is missing")
        }
        _ => None,
    }
}

/// A meshwright intent file, checked with the rules `generate` applies.
fn read_intent(path: &Path, bytes: &[u8]) -> LooseFile {
    let findings = match crate::intent::parse(path, bytes) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .problems
            .into_iter()
            .map(|problem| {
                Finding::new(
                    &codes::INVALID_INTENT,
                    problem.message,
                    origin(
                        path,
                        problem.at.line.max(1) as u32,
                        problem.at.column.max(1) as u32,
                    ),
                )
            })
            .collect(),
    };
    LooseFile {
        objects: Vec::new(),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> LooseFile {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("file.yaml");
        std::fs::write(&path, text).unwrap();
        read(&path, false)
    }

    fn codes_and_lines(file: &LooseFile) -> Vec<(&str, u32)> {
        file.findings
            .iter()
            .map(|f| (f.code.code, f.origin.as_ref().unwrap().line))
            .collect()
    }

    #[test]
    fn objects_lists_and_incomplete_documents() {
        let file = read_text(
            "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n---\nkind: Service\nmetadata:\n  name: b\n",
        );
        assert_eq!(file.objects.len(), 1);
        assert_eq!(codes_and_lines(&file), [("MW120", 9)]);
        assert_eq!(file.findings[0].message, "`apiVersion` is missing");
    }

    #[test]
    fn helm_templates_invalid_yaml_and_plain_config_are_reported_as_such() {
        let helm =
            read_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n");
        assert_eq!(codes_and_lines(&helm), [("MW106", 4)]);
        // Go templates inside string values (Argo CD ApplicationSets, dashboards) are data.
        let appset = read_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  t: '{{ .path }}'\n",
        );
        assert!(appset.findings.is_empty() && appset.objects.len() == 1);
        let broken = read_text("a: 1\nb: [\n");
        assert_eq!(broken.findings[0].code.code, "MW100");
        let values = read_text("pilot:\n  env: {}\n");
        assert_eq!(codes_and_lines(&values), [("MW105", 1)]);
        assert_eq!(values.findings[0].origin.as_ref().unwrap().column, 1);
        assert!(values.objects.is_empty());
    }

    #[test]
    fn intent_files_are_checked_with_the_intent_rules() {
        let file = read_text(
            "apiVersion: meshwright.dev/v1alpha1\nkind: Mesh\nmetadata:\n  name: m\nspec:\n  bogus: 1\n",
        );
        assert!(file.objects.is_empty());
        assert!(
            file.findings.iter().all(|f| f.code.code == "MW109") && !file.findings.is_empty(),
            "{:?}",
            file.findings
        );
    }
}
