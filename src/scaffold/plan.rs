//! The write plan: what `generate` would create, update or remove in a target directory,
//! and which of those changes would overwrite work that is not meshwright's.
//!
//! Computing a plan reads but never writes. Every path is checked by `safe_path` before it
//! is read, including paths named by an existing lock file.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::lock::{LOCK_FILE, Lock, digest};
use super::render::RenderedFile;
use super::safe_path::{self, PathError};

/// Files the generator must never claim as output.
const RESERVED_OUTPUTS: [&str; 2] = ["mesh.yaml", LOCK_FILE];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Remove,
    Unchanged,
}

/// Why a change needs `--force`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// meshwright wrote this file, and it was edited since.
    EditedByHand,
    /// The file exists but meshwright never wrote it (it is not in the lock).
    NotGenerated,
}

#[derive(Debug, Clone)]
pub struct Change {
    pub path: String,
    pub action: Action,
    pub conflict: Option<Conflict>,
    /// New contents for Create and Update.
    pub contents: Option<Vec<u8>>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Path(#[from] PathError),
    #[error("{0}")]
    CorruptLock(String),
    #[error("internal error: a blueprint produced the reserved path {0:?}")]
    ReservedOutput(String),
}

#[derive(Debug)]
pub struct Plan {
    pub root: PathBuf,
    pub changes: Vec<Change>,
    pub new_lock: Lock,
    /// The lock on disk differs from `new_lock` (or is missing).
    pub lock_changed: bool,
}

impl Plan {
    /// Compares the rendered files with what is on disk under `root` and the lock there.
    pub fn compute(root: &Path, files: &[RenderedFile]) -> Result<Plan, PlanError> {
        let old_lock = read_lock(root)?;
        let mut changes = Vec::with_capacity(files.len());
        let mut planned: BTreeMap<&str, &[u8]> = BTreeMap::new();
        for file in files {
            if RESERVED_OUTPUTS.contains(&file.path.as_str()) {
                return Err(PlanError::ReservedOutput(file.path.clone()));
            }
            let contents = file.contents.as_bytes();
            planned.insert(&file.path, contents);
            let on_disk = read_existing(root, &file.path)?;
            let recorded = old_lock.files.get(&file.path);
            let (action, conflict) = match on_disk {
                None => (Action::Create, None),
                Some(current) if current == contents => (Action::Unchanged, None),
                Some(current) => match recorded {
                    Some(hash) if *hash == digest(&current) => (Action::Update, None),
                    Some(_) => (Action::Update, Some(Conflict::EditedByHand)),
                    None => (Action::Update, Some(Conflict::NotGenerated)),
                },
            };
            changes.push(Change {
                path: file.path.clone(),
                action,
                conflict,
                contents: Some(contents.to_vec()),
            });
        }
        for (path, hash) in &old_lock.files {
            if planned.contains_key(path.as_str()) {
                continue;
            }
            if RESERVED_OUTPUTS.contains(&path.as_str()) {
                return Err(PlanError::CorruptLock(format!(
                    "{}: error: corrupt lock file: it lists {path:?}, which meshwright never generates",
                    root.join(LOCK_FILE).display()
                )));
            }
            let Some(current) = read_existing(root, path)? else {
                continue;
            };
            let conflict = (digest(&current) != *hash).then_some(Conflict::EditedByHand);
            changes.push(Change {
                path: path.clone(),
                action: Action::Remove,
                conflict,
                contents: None,
            });
        }
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        let new_lock = Lock::from_contents(planned);
        let lock_changed = new_lock != old_lock;
        Ok(Plan {
            root: root.to_path_buf(),
            changes,
            new_lock,
            lock_changed,
        })
    }

    /// Changes that would overwrite or delete work that is not meshwright's.
    pub fn conflicts(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.conflict.is_some())
    }

    /// Changes other than `Unchanged`.
    pub fn pending(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.action != Action::Unchanged)
    }

    /// True when the directory already holds exactly what would be generated.
    pub fn is_up_to_date(&self) -> bool {
        self.pending().next().is_none() && !self.lock_changed
    }
}

fn read_lock(root: &Path) -> Result<Lock, PlanError> {
    let Some(bytes) = read_existing(root, LOCK_FILE)? else {
        return Ok(Lock::default());
    };
    let path = root.join(LOCK_FILE);
    let lock = Lock::parse(&path, &bytes).map_err(PlanError::CorruptLock)?;
    for listed in lock.files.keys() {
        safe_path::check_relative(listed).map_err(|_| {
            PlanError::CorruptLock(format!(
                "{}: error: corrupt lock file: it lists {listed:?}, a path outside the repository",
                path.display()
            ))
        })?;
    }
    Ok(lock)
}

/// The bytes of `relative` under `root`, or `None` when it does not exist.
fn read_existing(root: &Path, relative: &str) -> Result<Option<Vec<u8>>, PathError> {
    let path = safe_path::resolve(root, relative)?;
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(PathError::Io { path, source }),
    }
}
