//! Files a kustomize build reads, parsed once per run: overlays of one base, and every root
//! `validate` renders, share the parsed documents instead of parsing the base again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::manifest::{LoadError, Node, load_file};

/// A file's documents as first parsed, or why it could not be.
type Parsed = Result<Arc<Vec<Node>>, LoadError>;

/// A cache of parsed YAML files, safe to share between threads building roots in parallel.
#[derive(Debug, Default)]
pub struct Loader {
    parsed: Mutex<HashMap<PathBuf, Parsed>>,
}

impl Loader {
    pub fn new() -> Self {
        Loader::default()
    }

    /// The documents of `path`, parsed on first use; each caller gets its own copy to
    /// transform.
    pub fn load(&self, path: &Path) -> Result<Vec<Node>, LoadError> {
        let cached = self
            .parsed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(path)
            .cloned();
        let parsed = match cached {
            Some(parsed) => parsed,
            None => {
                // Parsed outside the lock: two threads may parse the same file once each.
                let parsed = load_file(path).map(Arc::new);
                self.parsed
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .insert(path.to_path_buf(), parsed.clone());
                parsed
            }
        };
        parsed.map(|documents| documents.as_ref().clone())
    }
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
}
