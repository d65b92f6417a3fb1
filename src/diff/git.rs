//! Reading a repository at a revision without touching it: the revision is resolved with
//! git2 and its tree written, blob by blob, into a private temporary directory that the
//! rest of the pipeline reads like any checkout. Nothing is written into the repository.

use std::fs;
use std::path::{Component, Path, PathBuf};

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};
use tempfile::TempDir;

use super::DiffError;

/// A git repository and where the diffed directory lies inside it.
pub struct Checkout {
    pub repository: Repository,
    /// The working tree's root, canonical.
    pub workdir: PathBuf,
    /// The diffed directory relative to `workdir` (empty for the root).
    pub relative: PathBuf,
}

impl Checkout {
    /// Opens the repository holding `path`, a directory of its working tree. The directory
    /// may be missing from the working tree (a pull request adds it): the repository is then
    /// found from its nearest existing parent, and [`Checkout::in_working_tree`] is false.
    pub fn open(path: &Path) -> Result<Checkout, DiffError> {
        let absolute = std::path::absolute(path)
            .map_err(|e| DiffError::new(format!("{}: cannot read: {e}", path.display())))?;
        let existing = absolute
            .ancestors()
            .find(|a| a.exists())
            .unwrap_or(Path::new("/"));
        let missing = absolute.strip_prefix(existing).unwrap_or(Path::new(""));
        if !missing
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(DiffError::new(format!(
                "{}: cannot read: no such directory",
                path.display()
            )));
        }
        let canonical = existing
            .canonicalize()
            .map_err(|e| DiffError::new(format!("{}: cannot read: {e}", path.display())))?
            .join(missing);
        if missing.as_os_str().is_empty() && !canonical.is_dir() {
            return Err(DiffError::new(format!(
                "{}: not a directory",
                path.display()
            )));
        }
        let repository = Repository::discover(existing).map_err(|_| {
            DiffError::new(format!(
                "{}: not a git repository (or any of its parents)",
                path.display()
            ))
        })?;
        let workdir = repository
            .workdir()
            .ok_or_else(|| DiffError::new("a bare repository has no working tree to diff"))?
            .canonicalize()
            .map_err(|e| DiffError::new(format!("cannot read the working tree: {e}")))?;
        let relative = canonical
            .strip_prefix(&workdir)
            .map_err(|_| {
                DiffError::new(format!(
                    "{}: outside the working tree {}",
                    path.display(),
                    workdir.display()
                ))
            })?
            .to_path_buf();
        Ok(Checkout {
            repository,
            workdir,
            relative,
        })
    }

    /// The same repository, diffed from its root.
    pub fn at_root(self) -> Checkout {
        Checkout {
            relative: PathBuf::new(),
            ..self
        }
    }

    /// Writes the tree of `revision` into a new temporary directory and returns it. The
    /// directory gets an empty `.git` so that it reads like a repository root
    /// (`.gitignore` files apply, cluster names are taken relative to it).
    pub fn materialize(&self, revision: &str) -> Result<TempDir, DiffError> {
        let unknown = |e: git2::Error| {
            DiffError::new(format!("unknown revision {revision:?}: {}", e.message()))
        };
        let tree = self
            .repository
            .revparse_single(revision)
            .map_err(unknown)?
            .peel_to_tree()
            .map_err(unknown)?;
        let dir = tempfile::Builder::new()
            .prefix("meshwright-diff-")
            .tempdir()
            .map_err(|e| DiffError::new(format!("cannot create a temporary directory: {e}")))?;
        fs::create_dir(dir.path().join(".git"))
            .map_err(|e| DiffError::new(format!("cannot write a temporary directory: {e}")))?;
        let mut failure: Option<DiffError> = None;
        tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
            let Ok(name) = entry.name() else {
                return TreeWalkResult::Skip;
            };
            let relative = Path::new(parent).join(name);
            if !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
            {
                return TreeWalkResult::Skip;
            }
            let target = dir.path().join(&relative);
            let written = match entry.kind() {
                Some(ObjectType::Tree) => fs::create_dir_all(&target).map_err(|e| e.to_string()),
                // Symlinks (0o120000) are not followed: they could point outside the tree.
                Some(ObjectType::Blob) if entry.filemode() != 0o120000 => self
                    .repository
                    .find_blob(entry.id())
                    .map_err(|e| e.message().to_string())
                    .and_then(|blob| fs::write(&target, blob.content()).map_err(|e| e.to_string())),
                _ => Ok(()), // submodules and symlinks
            };
            match written {
                Ok(()) => TreeWalkResult::Ok,
                Err(message) => {
                    failure = Some(DiffError::new(format!(
                        "cannot read {} at {revision}: {message}",
                        relative.display()
                    )));
                    TreeWalkResult::Abort
                }
            }
        })
        .map_err(|e| {
            failure
                .take()
                .unwrap_or_else(|| DiffError::new(e.message().to_string()))
        })?;
        if let Some(error) = failure {
            return Err(error);
        }
        Ok(dir)
    }
}
