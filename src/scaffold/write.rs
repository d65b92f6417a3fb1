//! Applying a plan to disk: atomic writes (temporary file + rename in the same directory),
//! removals of files meshwright generated earlier and no longer produces, and the lock last.
//!
//! An interrupted run leaves each file either old or new, never half-written; because the
//! lock is written last, the next run recognises files already brought up to date. A run
//! killed between creating a temporary file and renaming it leaves the temporary behind; the
//! next run removes those (only names of the exact form this module creates, only in the
//! directories it writes to, never through a symbolic link).

use std::collections::BTreeSet;
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
    remove_stale_temporaries(plan)?;
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

/// Temporary files are named `TEMP_PREFIX` + `TEMP_RANDOM` alphanumerics + `TEMP_SUFFIX`.
const TEMP_PREFIX: &str = ".meshwright-";
const TEMP_RANDOM: usize = 6;
const TEMP_SUFFIX: &str = ".tmp";

/// True for a file name `write_atomically` creates for its temporary files.
fn is_our_temporary(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|random| {
            random.len() == TEMP_RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Removes temporary files an interrupted earlier run left in the directories `plan` writes
/// to (the parents of its files and the root, where the lock goes). Each directory is
/// checked by `safe_path` first, and only regular files are removed, so no symbolic link is
/// followed.
fn remove_stale_temporaries(plan: &Plan) -> Result<(), PathError> {
    let directories: BTreeSet<&str> = plan
        .changes
        .iter()
        .map(|change| {
            change
                .path
                .rsplit_once('/')
                .map_or("", |(parent, _)| parent)
        })
        .collect();
    for relative in directories {
        let dir = if relative.is_empty() {
            plan.root.clone()
        } else {
            safe_path::resolve_dir(&plan.root, relative)?
        };
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue; // missing: nothing left behind there
        };
        for entry in entries.flatten() {
            let stale = entry.file_type().is_ok_and(|t| t.is_file())
                && entry.file_name().to_str().is_some_and(is_our_temporary);
            if stale {
                std::fs::remove_file(entry.path()).map_err(|source| PathError::Io {
                    path: entry.path(),
                    source,
                })?;
            }
        }
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
        .prefix(TEMP_PREFIX)
        .rand_bytes(TEMP_RANDOM)
        .suffix(TEMP_SUFFIX)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_exactly_its_own_temporary_names() {
        let root = tempfile::tempdir().unwrap();
        write_atomically(root.path(), "a/b.yaml", b"x").unwrap();
        // A temporary made the way write_atomically makes them matches the pattern.
        let temporary = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .rand_bytes(TEMP_RANDOM)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(root.path())
            .unwrap();
        let name = temporary.path().file_name().unwrap().to_str().unwrap();
        assert!(is_our_temporary(name), "{name}");
        for other in [
            ".meshwright-notes.tmp",
            ".meshwright-abcdef.tmp.bak",
            "meshwright-abcdef.tmp",
            ".meshwright-abc-ef.tmp",
            ".meshwright-abcdefg.tmp",
        ] {
            assert!(!is_our_temporary(other), "{other}");
        }
    }
}
