//! Files a kustomize build reads, parsed once per run: overlays of one base, and every root
//! `validate` renders, share the parsed documents instead of parsing the base again; `diff`
//! keeps them from one revision to the next, forgetting the files that changed.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::manifest::{DuplicateKeys, LoadError, Node, load_file_with};

/// A file's documents as first parsed, or why it could not be.
type Parsed = Result<Arc<Vec<Node>>, LoadError>;

/// A cache of parsed YAML files, safe to share between threads building roots in parallel.
#[derive(Debug, Default)]
pub struct Loader {
    parsed: Mutex<HashMap<(PathBuf, DuplicateKeys), Parsed>>,
}

impl Loader {
    pub fn new() -> Self {
        Loader::default()
    }

    /// The documents of `path`, parsed on first use; each caller gets its own copy to
    /// transform. A repeated mapping key is an error.
    pub fn load(&self, path: &Path) -> Result<Vec<Node>, LoadError> {
        self.load_with(path, DuplicateKeys::Refuse)
    }

    /// [`Loader::load`] for a kustomization file, where a repeated key's last value wins
    /// as in kustomize.
    pub fn load_kustomization(&self, path: &Path) -> Result<Vec<Node>, LoadError> {
        self.load_with(path, DuplicateKeys::LastWins)
    }

    fn load_with(&self, path: &Path, duplicates: DuplicateKeys) -> Result<Vec<Node>, LoadError> {
        let key = (path.to_path_buf(), duplicates);
        let cached = self
            .parsed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&key)
            .cloned();
        let parsed = match cached {
            Some(parsed) => parsed,
            None => {
                // Parsed outside the lock: two threads may parse the same file once each.
                let parsed = load_file_with(path, duplicates).map(Arc::new);
                self.parsed
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .insert(key, parsed.clone());
                parsed
            }
        };
        parsed.map(|documents| documents.as_ref().clone())
    }

    /// Forgets what was read from `files` (absolute paths without `.` or `..`), however
    /// the path it was read under spelled them (`base/../base/a.yaml`): they changed on
    /// disk, and the next load reads them again.
    pub fn forget(&self, files: &HashSet<PathBuf>) {
        self.parsed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .retain(|(path, _), _| !files.contains(&lexical(path)));
    }
}

/// `path` with `.` dropped and each `..` taking away the name before it, without looking
/// at the filesystem (a directory without symbolic links reads the same).
fn lexical(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_parsed_once_and_errors_are_remembered_too() {
        let temp = tempfile::tempdir().unwrap();
        let good = temp.path().join("a.yaml");
        let bad = temp.path().join("b.yaml");
        std::fs::write(&good, "kind: A\n").unwrap();
        std::fs::write(&bad, "a: [\n").unwrap();
        let loader = Loader::new();
        assert_eq!(loader.load(&good).unwrap()[0].str_at(&["kind"]), Some("A"));
        std::fs::write(&good, "kind: B\n").unwrap();
        assert_eq!(
            loader.load(&good).unwrap()[0].str_at(&["kind"]),
            Some("A"),
            "served from the cache"
        );
        assert!(loader.load(&bad).is_err());
        assert!(loader.load(&bad).is_err());
    }

    #[test]
    fn forgotten_files_are_read_again_under_any_spelling() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::create_dir(temp.path().join("base")).unwrap();
        let file = temp.path().join("base/a.yaml");
        let other = temp.path().join("b.yaml");
        let roundabout = temp.path().join("base/./../base/a.yaml");
        std::fs::write(&file, "kind: A\n").unwrap();
        std::fs::write(&other, "kind: A\n").unwrap();
        let loader = Loader::new();
        loader.load(&roundabout).unwrap();
        loader.load(&other).unwrap();
        std::fs::write(&file, "kind: B\n").unwrap();
        std::fs::write(&other, "kind: B\n").unwrap();
        loader.forget(&HashSet::from([file.clone()]));
        assert_eq!(
            loader.load(&roundabout).unwrap()[0].str_at(&["kind"]),
            Some("B")
        );
        assert_eq!(
            loader.load(&other).unwrap()[0].str_at(&["kind"]),
            Some("A"),
            "not forgotten"
        );
    }
}
