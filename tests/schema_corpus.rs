//! The validation corpus: every file under `tests/fixtures/validate/invalid/` has exactly one
//! problem, stated in its first line as `# expect: CODE LINE:COLUMN [message substring]`;
//! every file under `tests/fixtures/validate/valid/` must validate without findings.

use std::path::{Path, PathBuf};

use meshwright::findings::Finding;
use meshwright::manifest::load_file;
use meshwright::schema::{Options, Registry};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/validate")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn validate(registry: &Registry, path: &Path) -> Vec<Finding> {
    let documents = load_file(path).unwrap_or_else(|e| panic!("{e}"));
    documents
        .iter()
        .flat_map(|d| registry.validate(d, &Options::default()))
        .collect()
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let o = f.origin.as_ref().unwrap();
            format!("  {} {}:{} {}", f.code.code, o.line, o.column, f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_invalid_manifest_has_exactly_its_finding() {
    let registry = Registry::embedded();
    let files = fixtures("invalid");
    assert!(files.len() >= 60, "only {} invalid fixtures", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let expect = first.strip_prefix("# expect: ").unwrap_or_else(|| {
            panic!(
                "{}: first line must be `# expect: CODE LINE:COL`",
                path.display()
            )
        });
        let mut parts = expect.splitn(3, ' ');
        let code = parts.next().unwrap();
        let (line, column) = parts.next().unwrap().split_once(':').unwrap();
        let (line, column): (u32, u32) = (line.parse().unwrap(), column.parse().unwrap());
        let substring = parts.next().unwrap_or_default();
        let findings = validate(&registry, path);
        let ok = findings.len() == 1 && {
            let f = &findings[0];
            let o = f.origin.as_ref().unwrap();
            f.code.code == code
                && (o.line, o.column) == (line, column)
                && f.message.contains(substring)
                && f.object.is_some()
        };
        if !ok {
            failures.push(format!(
                "{}: expected {code} {line}:{column} {substring:?}, found:\n{}",
                path.file_name().unwrap().to_string_lossy(),
                show(&findings)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_valid_manifest_has_no_findings() {
    let registry = Registry::embedded();
    let files = fixtures("valid");
    assert!(files.len() >= 10, "only {} valid fixtures", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let findings = validate(&registry, path);
        if !findings.is_empty() {
            failures.push(format!("{}:\n{}", path.display(), show(&findings)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn non_strict_mode_ignores_unknown_fields_and_missing_schemas_can_be_ignored() {
    let registry = Registry::embedded();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/validate/invalid");
    let load = |name: &str| load_file(&dir.join(name)).unwrap().remove(0);
    let lenient = Options {
        strict: false,
        ignore_missing_schemas: true,
        ..Options::default()
    };
    assert!(
        registry
            .validate(&load("istio-pa-mtls-mod.yaml"), &lenient)
            .is_empty()
    );
    assert!(
        registry
            .validate(&load("unknown-group-kind.yaml"), &lenient)
            .is_empty()
    );
    // An unserved apiVersion of a known kind is still reported.
    assert_eq!(
        registry
            .validate(&load("k8s-ingress-extensions-v1beta1.yaml"), &lenient)
            .len(),
        1
    );
}

/// Istio's own samples (real manifests written by others): schema and admission checks find
/// nothing wrong in them, apart from kinds without a schema (MW104), apiVersions no longer
/// served (MW107), non-Kubernetes YAML without apiVersion/kind (MW103 at the root) and a
/// `${CLUSTER}` placeholder name (MW110).
#[test]
fn istio_samples_have_no_false_positives() {
    fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("upstream/istio/samples");
    let mut files = Vec::new();
    collect(&samples, &mut files);
    files.sort();
    assert!(
        files.len() > 100,
        "{}: {} files",
        samples.display(),
        files.len()
    );
    let registry = Registry::embedded();
    let mut documents = 0;
    let mut unexpected = Vec::new();
    for path in &files {
        let Ok(docs) = load_file(path) else { continue }; // Helm templates are not YAML
        for doc in &docs {
            documents += 1;
            for finding in registry.validate(doc, &Options::default()) {
                let root_level_missing = finding.code.code == "MW103"
                    && finding.message.starts_with("missing required field");
                let placeholder = finding.code.code == "MW110" && finding.message.contains("${");
                if !(matches!(finding.code.code, "MW104" | "MW107")
                    || root_level_missing
                    || placeholder)
                {
                    unexpected.push(format!(
                        "{}: {} {}",
                        path.display(),
                        finding.code.code,
                        finding.message
                    ));
                }
            }
        }
    }
    assert!(documents > 300, "{documents}");
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
}
