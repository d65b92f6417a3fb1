//! The upstream version of every schema family embedded from `schemas/`, read from the
//! provenance table of `upstream/README.md` (one row per upstream file: its path, source
//! repository and version), so `--version` cannot drift from what was imported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The provenance table, relative to the package root.
pub const PROVENANCE: &str = "upstream/README.md";

/// Every family folder of `schemas/` with the name users know it by, in display order.
const FAMILIES: &[(&str, &str)] = &[
    ("kubernetes", "Kubernetes"),
    ("istio", "Istio"),
    ("cert-manager", "cert-manager"),
    ("gateway-api", "Gateway API"),
    ("flux", "Flux"),
    ("argocd", "Argo CD"),
    ("prometheus-operator", "Prometheus Operator"),
];

/// The table's header cells this reader relies on, by column.
const FILE_COLUMN: (usize, &str) = (0, "File");
const REPOSITORY_COLUMN: (usize, &str) = (1, "Source repository");
const VERSION_COLUMN: (usize, &str) = (4, "Version / tag");

/// `(label, version)` per family: one version, or `component version, …` when a family's
/// files come from several repositories at different versions (Flux's controllers).
pub fn read(manifest_dir: &Path) -> Result<Vec<(&'static str, String)>, String> {
    let text = std::fs::read_to_string(manifest_dir.join(PROVENANCE)).map_err(|e| e.to_string())?;
    let sources = sources_by_family(&text)?;
    check_every_family_is_known(&manifest_dir.join("schemas"))?;
    FAMILIES
        .iter()
        .map(|(folder, label)| {
            let versions = sources
                .get(*folder)
                .ok_or_else(|| format!("no row for schema family {folder}"))?;
            Ok((*label, describe(versions)))
        })
        .collect()
}

/// The table's cells of a `| a | b |` line.
fn cells(line: &str) -> Vec<&str> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(str::trim).collect()
}

/// `(repository, version)` pairs per family folder, from the rows of the table.
fn sources_by_family(text: &str) -> Result<BTreeMap<String, BTreeSet<(String, String)>>, String> {
    let header = text
        .lines()
        .map(cells)
        .find(|cells| cells.first() == Some(&FILE_COLUMN.1))
        .ok_or("no provenance table (a header starting with `| File |`)")?;
    for (column, name) in [FILE_COLUMN, REPOSITORY_COLUMN, VERSION_COLUMN] {
        if header.get(column) != Some(&name) {
            return Err(format!(
                "column {} of the provenance table is not `{name}`",
                column + 1
            ));
        }
    }
    let mut families: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for row in text.lines().filter(|l| l.starts_with("| `")).map(cells) {
        let field = |(column, _): (usize, &str)| row.get(column).copied().unwrap_or_default();
        let file = field(FILE_COLUMN).trim_matches('`');
        let (family, _) = file
            .split_once('/')
            .ok_or_else(|| format!("row for {file}: the file is not in a family folder"))?;
        let repository = field(REPOSITORY_COLUMN)
            .split_whitespace()
            .next()
            .unwrap_or_default();
        let version = version_of(field(VERSION_COLUMN))
            .ok_or_else(|| format!("row for {file}: no version in `{}`", field(VERSION_COLUMN)))?;
        families
            .entry(family.to_string())
            .or_default()
            .insert((repository.to_string(), version));
    }
    Ok(families)
}

/// The first word of a version cell that is a version: `1.30.3` of `` `1.30.3` ``,
/// `v1.6.1` of `` `v1.6.1` (standard channel) ``, `1.34` of `Kubernetes 1.34`.
fn version_of(cell: &str) -> Option<String> {
    cell.split_whitespace()
        .map(|word| word.trim_matches(['`', '(', ')']))
        .find(|word| {
            word.trim_start_matches('v')
                .starts_with(|c: char| c.is_ascii_digit())
        })
        .map(str::to_string)
}

/// `v1.9.4` when every file of a family has that version, else `repo v1, other v2`.
fn describe(sources: &BTreeSet<(String, String)>) -> String {
    let versions: BTreeSet<&String> = sources.iter().map(|(_, version)| version).collect();
    match versions.into_iter().collect::<Vec<_>>().as_slice() {
        [only] => (*only).clone(),
        _ => sources
            .iter()
            .map(|(repository, version)| {
                let component = repository.rsplit('/').next().unwrap_or(repository);
                format!("{component} {version}")
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Fails when `schemas/` holds a family folder `FAMILIES` does not name.
fn check_every_family_is_known(schemas: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(schemas).map_err(|e| format!("{}: {e}", schemas.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !FAMILIES.iter().any(|(folder, _)| *folder == name) {
            return Err(format!(
                "schemas/{name} is not a family build/schema_versions.rs knows"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "| File | Source repository | Path in that repository | Commit | Version / tag | Date | License |\n| --- | --- | --- | --- | --- | --- | --- |\n";

    /// A package root with `table` as the provenance file and `folders` under `schemas/`.
    fn package(table: &str, folders: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for folder in ["upstream", "schemas"] {
            std::fs::create_dir_all(dir.path().join(folder)).expect("mkdir");
        }
        std::fs::write(dir.path().join(PROVENANCE), table).expect("write");
        for folder in folders {
            std::fs::create_dir_all(dir.path().join("schemas").join(folder)).expect("mkdir");
        }
        dir
    }

    /// One row per known family at version `v1.0.0`, then `extra` rows.
    fn table(extra: &str) -> String {
        let rows: String = FAMILIES
            .iter()
            .map(|(folder, _)| format!("| `{folder}/a.yaml` | org/{folder} | `a.yaml` | `0` | `v1.0.0` | 2026-01-01 | Apache-2.0 |\n"))
            .collect();
        format!("# Sources\n\n{HEADER}{rows}{extra}")
    }

    #[test]
    fn one_version_per_family_or_each_component_when_they_differ() {
        let extra = "| `flux/b.yaml` | fluxcd/helm-controller (see note) | `b.yaml` | `0` | `v2.1.0` (stable) | 2026-01-01 | Apache-2.0 |\n\
                     | `istio/c.yaml` | org/istio | `c.yaml` | `0` | Istio 1.0 (`release-1.0`) | 2026-01-01 | Apache-2.0 |\n";
        let dir = package(&table(extra), &["flux", "istio"]);
        let families = read(dir.path()).expect("read");
        let version = |label: &str| {
            families
                .iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(version("Kubernetes").as_deref(), Some("v1.0.0"));
        assert_eq!(
            version("Flux").as_deref(),
            Some("helm-controller v2.1.0, flux v1.0.0")
        );
        assert_eq!(version("Istio").as_deref(), Some("istio 1.0, istio v1.0.0"));
        let labels: Vec<&str> = families.iter().map(|(label, _)| *label).collect();
        assert_eq!(
            labels,
            FAMILIES.iter().map(|(_, label)| *label).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_moved_column_a_missing_family_or_an_unknown_folder_is_refused() {
        let moved = table("").replace("| Commit | Version / tag |", "| Version / tag | Commit |");
        let error = read(package(&moved, &[]).path()).expect_err("moved column");
        assert_eq!(
            error,
            "column 5 of the provenance table is not `Version / tag`"
        );

        let without_argocd: String = table("")
            .lines()
            .filter(|l| !l.contains("argocd/"))
            .map(|l| format!("{l}\n"))
            .collect();
        let error = read(package(&without_argocd, &[]).path()).expect_err("missing family");
        assert_eq!(error, "no row for schema family argocd");

        let error = read(package(&table(""), &["linkerd"]).path()).expect_err("unknown folder");
        assert_eq!(
            error,
            "schemas/linkerd is not a family build/schema_versions.rs knows"
        );

        let error = read(package("no table here\n", &[]).path()).expect_err("no table");
        assert!(error.starts_with("no provenance table"), "{error}");
    }
}
