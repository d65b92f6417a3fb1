//! The validation corpus: every file under `tests/fixtures/validate/invalid/` has exactly one
//! problem, stated in its first line as `# expect: CODE LINE:COLUMN [message substring]`;
//! every file under `tests/fixtures/validate/valid/` must validate without findings.

use std::path::{Path, PathBuf};

use meshwright::findings::Finding;
use meshwright::manifest::load_file;
use meshwright::schema::{Options, Registry};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/validate").join(kind);
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
        let expect = first
            .strip_prefix("# expect: ")
            .unwrap_or_else(|| panic!("{}: first line must be `# expect: CODE LINE:COL`", path.display()));
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
    assert!(failures.is_empty(), "{} of {} fixtures failed:\n{}", failures.len(), files.len(), failures.join("\n"));
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
    assert!(registry.validate(&load("istio-pa-mtls-mod.yaml"), &lenient).is_empty());
    assert!(registry.validate(&load("unknown-group-kind.yaml"), &lenient).is_empty());
    // An unserved apiVersion of a known kind is still reported.
    assert_eq!(registry.validate(&load("k8s-ingress-extensions-v1beta1.yaml"), &lenient).len(), 1);
}
