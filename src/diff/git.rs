//! Reading a repository at a revision without touching it: the revision is resolved with
//! git2 and its tree written, blob by blob, into a private temporary directory that the
//! rest of the pipeline reads like any checkout. A second revision is written over the
//! first by rewriting only the files that differ, so whatever was read from the others
//! holds for both. Nothing is written into the repository.

use std::fs;
use std::path::{Component, Path, PathBuf};

use git2::{DiffFile, FileMode, ObjectType, Oid, Repository, Tree, TreeWalkMode, TreeWalkResult};
use rayon::prelude::*;
use tempfile::TempDir;

use super::DiffError;

/// A git repository and where the diffed directory lies inside it.
pub struct Checkout {
    pub repository: Repository,
    /// The working tree's root, canonical; `None` in a bare repository.
    pub workdir: Option<PathBuf>,
    /// The diffed directory relative to the repository's root (empty for the root).
    pub relative: PathBuf,
}

impl Checkout {
    /// Opens the repository holding `path`, a directory of its working tree. The directory
    /// may be missing from the working tree (a pull request adds it): the repository is then
    /// found from its nearest existing parent. In a bare repository (a CI mirror) `path`
    /// names a directory of the repository's tree instead.
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
        let repository = Repository::discover(existing).map_err(|_| {
            DiffError::new(format!(
                "{}: not a git repository (or any of its parents)",
                path.display()
            ))
        })?;
        if repository.is_bare() {
            return Checkout::open_bare(repository, path);
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
            workdir: Some(workdir),
            relative,
        })
    }

    /// A bare repository, `path` a relative directory of its tree.
    fn open_bare(repository: Repository, path: &Path) -> Result<Checkout, DiffError> {
        let relative: PathBuf = path
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect();
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(DiffError::new(format!(
                "{}: in a bare repository PATH is a directory of the repository's tree \
                 (relative, without `..`)",
                path.display()
            )));
        }
        Ok(Checkout {
            repository,
            workdir: None,
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

    /// The tree of `revision`.
    fn tree(&self, revision: &str) -> Result<Tree<'_>, DiffError> {
        let unknown = |e: git2::Error| {
            DiffError::new(format!("unknown revision {revision:?}: {}", e.message()))
        };
        self.repository
            .revparse_single(revision)
            .map_err(unknown)?
            .peel_to_tree()
            .map_err(unknown)
    }

    /// The commit id of the best common ancestor of `one` and `two` (`git merge-base`).
    pub fn merge_base(&self, one: &str, two: &str) -> Result<String, DiffError> {
        let commit = |revision: &str| {
            self.repository
                .revparse_single(revision)
                .and_then(|object| object.peel_to_commit())
                .map(|commit| commit.id())
                .map_err(|e| {
                    DiffError::new(format!("unknown revision {revision:?}: {}", e.message()))
                })
        };
        match self.repository.merge_base(commit(one)?, commit(two)?) {
            Ok(id) => Ok(id.to_string()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Err(DiffError::new(format!(
                "no merge base between {one} and {two}: they share no history"
            ))),
            Err(e) => Err(DiffError::new(format!(
                "cannot find the merge base of {one} and {two}: {}",
                e.message()
            ))),
        }
    }

    /// Writes the tree of `revision` into a new temporary directory. The directory gets an
    /// empty `.git` so that it reads like a repository root (`.gitignore` files apply,
    /// cluster names are taken relative to it).
    pub fn materialize(&self, revision: &str) -> Result<Snapshot, DiffError> {
        let tree = self.tree(revision)?;
        let dir = tempfile::Builder::new()
            .prefix("meshwright-diff-")
            .tempdir()
            .map_err(|e| DiffError::new(format!("cannot create a temporary directory: {e}")))?;
        fs::create_dir(dir.path().join(".git"))
            .map_err(|e| DiffError::new(format!("cannot write a temporary directory: {e}")))?;
        let mut failure: Option<DiffError> = None;
        let mut files = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
            let Ok(name) = entry.name() else {
                return TreeWalkResult::Skip;
            };
            let relative = Path::new(parent).join(name);
            if !is_plain(&relative) {
                return TreeWalkResult::Skip;
            }
            match entry.kind() {
                Some(ObjectType::Tree) => {
                    if let Err(e) = fs::create_dir_all(dir.path().join(&relative)) {
                        failure = Some(cannot_write(&relative, revision, &e.to_string()));
                        return TreeWalkResult::Abort;
                    }
                }
                Some(ObjectType::Blob) if entry.filemode() != LINK => {
                    files.push((relative, entry.id()));
                }
                _ => {} // submodules and symlinks
            }
            TreeWalkResult::Ok
        })
        .map_err(|e| {
            failure
                .take()
                .unwrap_or_else(|| DiffError::new(e.message().to_string()))
        })?;
        self.write_blobs(dir.path(), files, revision)?;
        let path = dir
            .path()
            .canonicalize()
            .map_err(|e| DiffError::new(format!("cannot read a temporary directory: {e}")))?;
        Ok(Snapshot {
            _dir: dir,
            path,
            tree: tree.id(),
        })
    }

    /// Turns `snapshot` into the tree of `revision`, rewriting only the files that differ,
    /// and returns those files (absolute paths inside the snapshot): whatever was read from
    /// any other file still holds.
    pub fn advance(
        &self,
        snapshot: &mut Snapshot,
        revision: &str,
    ) -> Result<Vec<PathBuf>, DiffError> {
        let old = self
            .repository
            .find_tree(snapshot.tree)
            .map_err(|e| DiffError::new(e.message().to_string()))?;
        let new = self.tree(revision)?;
        let changes = self
            .repository
            .diff_tree_to_tree(Some(&old), Some(&new), None)
            .map_err(|e| {
                DiffError::new(format!("cannot compare with {revision}: {}", e.message()))
            })?;
        let mut touched = Vec::new();
        let mut removed = Vec::new();
        let mut added = Vec::new();
        for delta in changes.deltas() {
            removed.extend(written(&delta.old_file()));
            added.extend(written(&delta.new_file()).map(|p| (p, delta.new_file().id())));
        }
        let root = snapshot.path.as_path();
        for relative in removed {
            let target = root.join(&relative);
            fs::remove_file(&target)
                .map_err(|e| cannot_write(&relative, revision, &e.to_string()))?;
            // A directory left empty goes too: `revision` may have a file in its place.
            for parent in target.ancestors().skip(1).take_while(|dir| *dir != root) {
                if fs::remove_dir(parent).is_err() {
                    break;
                }
            }
            touched.push(target);
        }
        for (relative, _) in &added {
            let target = root.join(relative);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| cannot_write(relative, revision, &e.to_string()))?;
            }
            touched.push(target);
        }
        self.write_blobs(root, added, revision)?;
        snapshot.tree = new.id();
        Ok(touched)
    }

    /// Writes blobs to their paths under `root` (whose directories exist), reading them
    /// one by one and writing them on every core: creating files is what takes the time.
    fn write_blobs(
        &self,
        root: &Path,
        files: Vec<(PathBuf, Oid)>,
        revision: &str,
    ) -> Result<(), DiffError> {
        let mut contents = Vec::with_capacity(files.len());
        for (relative, id) in files {
            let blob = self
                .repository
                .find_blob(id)
                .map_err(|e| cannot_write(&relative, revision, e.message()))?;
            contents.push((relative, blob.content().to_vec()));
        }
        contents.par_iter().try_for_each(|(relative, content)| {
            fs::write(root.join(relative), content)
                .map_err(|e| cannot_write(relative, revision, &e.to_string()))
        })
    }
}

/// A revision's tree written into a private temporary directory (removed when dropped).
pub struct Snapshot {
    /// Held only to be removed when the snapshot is dropped.
    _dir: TempDir,
    /// The directory, canonical: the paths kustomize builds read files under.
    path: PathBuf,
    /// The tree the directory holds.
    tree: Oid,
}

impl Snapshot {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The file mode of a symbolic link: links are not followed (they could point outside the
/// tree), so they are not written.
const LINK: i32 = 0o120000;

/// Where a side of a change lies in a snapshot, if `materialize` writes it there: a regular
/// file at a plain UTF-8 path.
fn written(file: &DiffFile<'_>) -> Option<PathBuf> {
    let path = Path::new(std::str::from_utf8(file.path_bytes()?).ok()?);
    let regular = !matches!(
        file.mode(),
        FileMode::Link | FileMode::Commit | FileMode::Tree | FileMode::Unreadable
    );
    (file.exists() && regular && is_plain(path)).then(|| path.to_path_buf())
}

/// Whether `relative` is made of plain names only (no `..`, no root).
fn is_plain(relative: &Path) -> bool {
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
}

fn cannot_write(relative: &Path, revision: &str, message: &str) -> DiffError {
    DiffError::new(format!(
        "cannot read {} at {revision}: {message}",
        relative.display()
    ))
}
