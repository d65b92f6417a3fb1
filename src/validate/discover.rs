//! What `validate` reads: the kustomize roots and loose manifests under the paths it is
//! given, and, for changed files (pre-commit passes those), only the roots they affect.
//!
//! A directory argument is walked (gitignore-aware, hidden entries skipped). Every
//! kustomization found is read just far enough to learn which files and directories it
//! references; a kustomization no other one references is a root. A YAML or JSON file that
//! no kustomization references is a loose manifest and is validated as it is. A file
//! argument stands for a change: the roots whose build reads it (directly or through bases
//! and components), searched in the file's Git repository, are validated, or the file
//! itself when no kustomization reads it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::kustomize::kustomization::FILE_NAMES;
use crate::manifest::{Node, load_file};

/// What one validate run reads.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Kustomize roots to render, canonical and sorted.
    pub roots: Vec<PathBuf>,
    /// Manifest files (YAML, JSON) outside every kustomization, canonical and sorted.
    pub loose: Vec<PathBuf>,
    /// The loose files named as arguments rather than found by walking a directory: one
    /// that is not a manifest is an error, not a note.
    pub named: BTreeSet<PathBuf>,
    /// For changed files: everything in the trees searched for the roots that read them
    /// (each file's Git repository, or its own directory outside any), which the analyzers
    /// need whole. Read from the same walk, not walked again.
    pub scope: Option<Scope>,
}

/// The roots and loose manifests of the trees changed files were searched in.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// Kustomize roots, canonical and sorted.
    pub roots: Vec<PathBuf>,
    /// Manifest files outside every kustomization, canonical and sorted.
    pub loose: Vec<PathBuf>,
}

/// A path argument that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct DiscoverError {
    pub path: PathBuf,
    pub message: String,
}

/// The roots and loose manifests `paths` stand for (`.` when empty).
pub fn discover(paths: &[PathBuf]) -> Result<Inputs, DiscoverError> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut inputs = Inputs::default();
    let mut roots = BTreeSet::new();
    let mut loose = BTreeSet::new();
    let mut changed = Vec::new();
    for path in &paths {
        let canonical = path.canonicalize().map_err(|e| DiscoverError {
            path: path.clone(),
            message: format!("cannot read: {e}"),
        })?;
        if canonical.is_dir() {
            let tree = Tree::walk(&canonical);
            roots.extend(tree.roots());
            loose.extend(tree.loose());
        } else {
            changed.push(canonical);
        }
    }
    let mut trees: BTreeMap<PathBuf, Tree> = BTreeMap::new();
    for file in changed {
        let tree = trees
            .entry(scope_of(&file))
            .or_insert_with_key(|scope| Tree::walk(scope));
        match tree.affected_roots(&file) {
            Some(affected) => roots.extend(affected),
            None if is_manifest_file(&file) => {
                loose.insert(file.clone());
                inputs.named.insert(file);
            }
            None => {} // a changed file no manifest reads: nothing to check
        }
    }
    inputs.roots = roots.into_iter().collect();
    inputs.loose = loose.into_iter().collect();
    if !trees.is_empty() {
        let (mut scope_roots, mut scope_loose) = (BTreeSet::new(), BTreeSet::new());
        for tree in trees.values() {
            scope_roots.extend(tree.roots());
            scope_loose.extend(tree.loose());
        }
        inputs.scope = Some(Scope {
            roots: scope_roots.into_iter().collect(),
            loose: scope_loose.into_iter().collect(),
        });
    }
    Ok(inputs)
}

/// Where the roots reading the changed `file` are searched: its Git repository (the
/// nearest directory above it holding `.git`), or its own directory outside any.
fn scope_of(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(file);
    dir.ancestors()
        .find(|ancestor| ancestor.join(".git").exists())
        .unwrap_or(dir)
        .to_path_buf()
}

/// Files read as manifests: YAML, and JSON (`kubectl get -o json`, generated output).
fn is_manifest_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| {
        ["yaml", "yml", "json"]
            .iter()
            .any(|known| e.eq_ignore_ascii_case(known))
    })
}

fn is_kustomization_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| FILE_NAMES.contains(&n))
}

/// The kustomizations and manifest files of one walked directory tree.
#[derive(Debug, Default)]
struct Tree {
    /// Kustomization directory → what it reads.
    kustomizations: BTreeMap<PathBuf, References>,
    manifest_files: BTreeSet<PathBuf>,
}

/// What one kustomization reads: directories (resources, bases, components) and files.
#[derive(Debug, Default)]
struct References {
    dirs: BTreeSet<PathBuf>,
    files: BTreeSet<PathBuf>,
    is_component: bool,
}

impl Tree {
    fn walk(dir: &Path) -> Tree {
        let mut tree = Tree::default();
        let walker = ignore::WalkBuilder::new(dir)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walker.flatten() {
            let path = entry.path();
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            if is_kustomization_file(path) {
                let dir = path.parent().expect("a file has a parent").to_path_buf();
                let references = References::read(&dir, path);
                tree.kustomizations.insert(dir, references);
            } else if is_manifest_file(path) {
                tree.manifest_files.insert(path.to_path_buf());
            }
        }
        tree
    }

    /// Kustomizations that no other kustomization reads, components excepted; then, for
    /// kustomizations no root reaches (they read each other in a cycle: `x -> y -> x`,
    /// `resources: [.]`), the first of each such group, so rendering it reports the cycle and
    /// its files are not left unchecked.
    fn roots(&self) -> Vec<PathBuf> {
        let referenced: BTreeSet<&PathBuf> =
            self.kustomizations.values().flat_map(|r| &r.dirs).collect();
        let mut roots: Vec<PathBuf> = self
            .kustomizations
            .iter()
            .filter(|(dir, refs)| !refs.is_component && !referenced.contains(dir))
            .map(|(dir, _)| dir.clone())
            .collect();
        let mut reached = BTreeSet::new();
        for root in &roots {
            self.reach(root, &mut reached);
        }
        let unreached: Vec<&PathBuf> = self
            .kustomizations
            .iter()
            .filter(|(dir, refs)| !refs.is_component && !reached.contains(*dir))
            .map(|(dir, _)| dir)
            .collect();
        for dir in unreached {
            if !reached.contains(dir) {
                self.reach(dir, &mut reached);
                roots.push(dir.clone());
            }
        }
        roots.sort();
        roots
    }

    /// Marks `dir` and every kustomization it reads, directly or not, as `reached`.
    fn reach(&self, dir: &Path, reached: &mut BTreeSet<PathBuf>) {
        let mut pending = vec![dir.to_path_buf()];
        while let Some(dir) = pending.pop() {
            if let Some(references) = self.kustomizations.get(&dir)
                && reached.insert(dir)
            {
                pending.extend(references.dirs.iter().cloned());
            }
        }
    }

    /// Manifest files no kustomization reads.
    fn loose(&self) -> Vec<PathBuf> {
        let owned: BTreeSet<&PathBuf> = self
            .kustomizations
            .values()
            .flat_map(|r| &r.files)
            .collect();
        self.manifest_files
            .iter()
            .filter(|f| !owned.contains(f))
            .cloned()
            .collect()
    }

    /// The roots whose build reads `file`, or `None` when no kustomization reads it.
    fn affected_roots(&self, file: &Path) -> Option<Vec<PathBuf>> {
        let mut touched: Vec<PathBuf> = self
            .kustomizations
            .iter()
            .filter(|(dir, refs)| {
                refs.files.contains(file)
                    || (is_kustomization_file(file) && file.parent() == Some(dir.as_path()))
            })
            .map(|(dir, _)| dir.clone())
            .collect();
        if touched.is_empty() {
            return None;
        }
        let roots: BTreeSet<PathBuf> = self.roots().into_iter().collect();
        let mut seen = BTreeSet::new();
        let mut affected = Vec::new();
        while let Some(dir) = touched.pop() {
            if !seen.insert(dir.clone()) {
                continue;
            }
            if roots.contains(&dir) {
                affected.push(dir.clone());
            }
            touched.extend(
                self.kustomizations
                    .iter()
                    .filter(|(_, refs)| refs.dirs.contains(&dir))
                    .map(|(parent, _)| parent.clone()),
            );
        }
        affected.sort();
        Some(affected)
    }
}

/// Fields of a kustomization that name files or directories, and how to read each entry.
const PATH_LISTS: [&str; 9] = [
    "resources",
    "bases",
    "components",
    "crds",
    "patchesStrategicMerge",
    "configurations",
    "generators",
    "transformers",
    "validators",
];

impl References {
    /// What the kustomization file `file` in `dir` reads. An unreadable kustomization reads
    /// nothing here; rendering it reports the problem.
    fn read(dir: &Path, file: &Path) -> References {
        let mut references = References::default();
        references.files.insert(file.to_path_buf());
        let Ok(documents) = load_file(file) else {
            return references;
        };
        let Some(root) = documents.first() else {
            return references;
        };
        references.is_component = root.str_at(&["kind"]) == Some("Component");
        let strings = |node: Option<&Node>| -> Vec<String> {
            node.and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        };
        let mut entries: Vec<String> = PATH_LISTS
            .iter()
            .flat_map(|key| strings(root.get(key)))
            .collect();
        for list in ["patches", "patchesJson6902", "replacements"] {
            for entry in root.get(list).and_then(Node::as_seq).unwrap_or_default() {
                entries.extend(entry.str_at(&["path"]).map(str::to_string));
            }
        }
        for generator in ["configMapGenerator", "secretGenerator"] {
            for entry in root
                .get(generator)
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                for key in ["files", "envs"] {
                    entries.extend(strings(entry.get(key)).into_iter().map(|f| {
                        f.split_once('=')
                            .map_or(f.clone(), |(_, path)| path.to_string())
                    }));
                }
                entries.extend(entry.str_at(&["env"]).map(str::to_string));
            }
        }
        for entry in entries {
            let Ok(path) = dir.join(&entry).canonicalize() else {
                continue; // a missing path is reported when the root is rendered
            };
            if path.is_dir() {
                references.dirs.insert(path);
            } else {
                references.files.insert(path);
            }
        }
        references
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    fn repo() -> tempfile::TempDir {
        let temp = tempfile::tempdir().unwrap();
        write(
            temp.path(),
            &[
                ("base/kustomization.yaml", "resources: [app.yaml]\n"),
                ("base/app.yaml", "kind: ConfigMap\n"),
                (
                    "overlays/a/kustomization.yaml",
                    "resources: [../../base]\ncomponents: [../../comp]\npatches:\n  - path: patch.yaml\n",
                ),
                ("overlays/a/patch.yaml", "kind: ConfigMap\n"),
                ("overlays/b/kustomization.yaml", "resources: [../../base]\n"),
                (
                    "comp/kustomization.yaml",
                    "kind: Component\nresources: [extra.yaml]\n",
                ),
                ("comp/extra.yaml", "kind: ConfigMap\n"),
                ("loose/cm.yaml", "kind: ConfigMap\n"),
                ("notes.txt", "hello\n"),
            ],
        );
        temp
    }

    #[test]
    fn roots_are_kustomizations_nothing_reads_and_loose_files_are_unread_yaml() {
        let temp = repo();
        let root = temp.path().canonicalize().unwrap();
        let tree = Tree::walk(&root);
        assert_eq!(
            tree.roots(),
            [root.join("overlays/a"), root.join("overlays/b")]
        );
        assert_eq!(tree.loose(), [root.join("loose/cm.yaml")]);
    }

    #[test]
    fn a_changed_file_affects_the_roots_that_read_it() {
        let temp = repo();
        let root = temp.path().canonicalize().unwrap();
        let tree = Tree::walk(&root);
        let affected = |file: &str| tree.affected_roots(&root.join(file));
        let both = Some(vec![root.join("overlays/a"), root.join("overlays/b")]);
        assert_eq!(affected("base/app.yaml"), both);
        assert_eq!(affected("base/kustomization.yaml"), both);
        assert_eq!(
            affected("comp/extra.yaml"),
            Some(vec![root.join("overlays/a")])
        );
        assert_eq!(
            affected("overlays/a/patch.yaml"),
            Some(vec![root.join("overlays/a")])
        );
        assert_eq!(affected("loose/cm.yaml"), None);
    }
}
