//! Applying a plan to disk: atomic writes (temporary file + rename in the same directory),
//! removals of files meshwright generated earlier and no longer produces, and the lock last.
//!
//! An interrupted run leaves each file either old or new, never half-written; because the
//! lock is written last, the next run recognises files already brought up to date.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rayon::prelude::*;

use super::lock::LOCK_FILE;
use super::plan::{Action, Plan};
use super::safe_path::{self, PathError};

/// Writes every pending change of `plan`, then the lock. Conflicting changes must have been
/// refused (or forced) by the caller.
pub fn apply(plan: &Plan) -> Result<(), PathError> {
    let writes: Vec<(&str, &[u8])> = plan
        .pending()
        .filter(|change| matches!(change.action, Action::Create | Action::Update))
        .filter_map(|change| Some((change.path.as_str(), change.contents.as_deref()?)))
        .collect();
    // Files are independent (each rename is atomic on its own), so they are written in
    // parallel; directory creation tolerates a sibling having created the same directory.
    writes
        .par_iter()
        .try_for_each(|(path, contents)| write_atomically(&plan.root, path, contents))?;
    for change in plan.pending() {
        if change.action == Action::Remove {
            remove(&plan.root, &change.path)?;
        }
    }
    if plan.lock_changed {
        write_atomically(&plan.root, LOCK_FILE, &plan.new_lock.to_bytes())?;
    }
    Ok(())
}

/// Writes `contents` to `relative` under `root` through a temporary file and a rename.
pub fn write_atomically(root: &Path, relative: &str, contents: &[u8]) -> Result<(), PathError> {
    let target = safe_path::resolve(root, relative)?;
    let parent = target.parent().unwrap_or(root);
    create_dirs(root, relative)?;
    let io_error = |source| PathError::Io {
        path: target.clone(),
        source,
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".meshwright-")
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o644))
        .tempfile_in(parent)
        .map_err(io_error)?;
    temporary.write_all(contents).map_err(io_error)?;
    temporary.persist(&target).map_err(|e| io_error(e.error))?;
    Ok(())
}

/// Creates the parent directories of `relative`, re-checking after each that no component
/// is a symbolic link.
fn create_dirs(root: &Path, relative: &str) -> Result<(), PathError> {
    let mut current = root.to_path_buf();
    let parts: Vec<&str> = relative.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        current.push(part);
        match std::fs::create_dir(&current) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(source) => {
                return Err(PathError::Io {
                    path: current,
                    source,
                });
            }
        }
    }
    safe_path::resolve(root, relative).map(|_| ())
}

/// Removes `relative` and then each parent directory it leaves empty, up to `root`.
fn remove(root: &Path, relative: &str) -> Result<(), PathError> {
    let target = safe_path::resolve(root, relative)?;
    match std::fs::remove_file(&target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(PathError::Io {
                path: target,
                source,
            });
        }
    }
    let mut dir = target.parent();
    while let Some(current) = dir {
        if current == root || std::fs::remove_dir(current).is_err() {
            break;
        }
        dir = current.parent();
    }
    Ok(())
}
