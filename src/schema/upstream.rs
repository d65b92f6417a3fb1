//! The committed `schemas/` tree: which upstream files (`upstream/` in the repository, with
//! its README and licences) each family folder is imported from. A test regenerates the
//! tree and compares it with the committed one (`MESHWRIGHT_BLESS=1` rewrites it), so the two cannot drift.

use std::path::{Path, PathBuf};

use super::import::{ImportError, Output, import_with};

/// Family folders of `schemas/` and the upstream folder each is imported from.
pub const FAMILIES: &[&str] = &[
    "argocd",
    "cert-manager",
    "flux",
    "gateway-api",
    "istio",
    "kubernetes",
    "prometheus-operator",
];

/// The Kubernetes document whose ObjectMeta CRD schemas use.
const CORE_DOCUMENT: &str = "kubernetes/api__v1_openapi.json";

/// Imports every family from `upstream`, in `FAMILIES` order.
pub fn generate(upstream: &Path) -> Result<Vec<(String, Output)>, ImportError> {
    let read = |path: PathBuf| -> Result<(PathBuf, Vec<u8>), ImportError> {
        let bytes = std::fs::read(&path).map_err(|e| ImportError {
            file: path.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        })?;
        Ok((path, bytes))
    };
    let core = read(upstream.join(CORE_DOCUMENT))?;
    let mut out = Vec::new();
    for family in FAMILIES {
        let dir = upstream.join(family);
        let entries = std::fs::read_dir(&dir).map_err(|e| ImportError {
            file: dir.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                p.is_file()
                    && (name.ends_with(".yaml") || name.ends_with(".json"))
                    && name != "analysis-messages.yaml"
            })
            .collect();
        files.sort();
        let sources = files.into_iter().map(read).collect::<Result<Vec<_>, _>>()?;
        let context = if *family == "kubernetes" {
            Vec::new()
        } else {
            vec![core.clone()]
        };
        out.push((family.to_string(), import_with(&sources, &context)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn committed(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                committed(&path, base, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }

    /// Set MESHWRIGHT_BLESS=1 to rewrite `schemas/<family>/` after changing the importer.
    #[test]
    fn committed_schemas_match_upstream() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let upstream = root.join("upstream");
        let families = generate(&upstream).expect("upstream imports");
        for (family, output) in families {
            let dir = root.join("schemas").join(&family);
            if std::env::var_os("MESHWRIGHT_BLESS").is_some() {
                let _ = std::fs::remove_dir_all(&dir);
                for (rel, text) in &output.files {
                    let path = dir.join(rel);
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(path, text).unwrap();
                }
            }
            let mut found = BTreeMap::new();
            committed(&dir, &dir, &mut found);
            let expected: Vec<&String> = output.files.keys().collect();
            let actual: Vec<&String> = found.keys().collect();
            assert_eq!(
                actual, expected,
                "schemas/{family} has other files; run `MESHWRIGHT_BLESS=1 cargo test committed_schemas`"
            );
            for (rel, text) in &output.files {
                assert!(
                    &found[rel] == text,
                    "schemas/{family}/{rel} is stale; run `MESHWRIGHT_BLESS=1 cargo test committed_schemas`"
                );
            }
        }
    }
}
