//! Confinement of every write to the target directory.
//!
//! A generated path must be relative, `/`-separated, and made of ordinary names (no `..`,
//! `.`, empty parts, NUL, backslashes or absolute prefixes). On disk, no existing part of it
//! may be a symbolic link, so a link planted in the target cannot redirect a write outside,
//! and the file itself may only be a regular file: a FIFO, socket or device standing there
//! is refused before anything opens it (opening a FIFO blocks until a writer appears).

use std::fs::FileType;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// Why a path cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("refusing to write {0:?}: not a plain relative path inside the target directory")]
    NotConfined(String),
    #[error(
        "refusing to write {path}: {link} is a symbolic link, which could lead outside the target directory"
    )]
    SymlinkInPath { path: String, link: PathBuf },
    #[error("refusing to read or write {0}: it is {1}, not a regular file")]
    NotARegularFile(PathBuf, &'static str),
    #[error("refusing to write {path}: {blocker} exists and is not a directory")]
    NotADirectory { path: String, blocker: PathBuf },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// Checks the syntax of a generated relative path.
pub fn check_relative(path: &str) -> Result<(), PathError> {
    let confined = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if confined {
        Ok(())
    } else {
        Err(PathError::NotConfined(path.to_string()))
    }
}

/// Resolves `relative` under `root`, checking that no existing component below `root` is a
/// symbolic link and that every existing parent is a directory. The file itself may be
/// missing; if it exists it must be a regular file (not a link, FIFO, socket or device).
pub fn resolve(root: &Path, relative: &str) -> Result<PathBuf, PathError> {
    match walk(root, relative)? {
        Some(file_type) if !file_type.is_file() => Err(PathError::NotARegularFile(
            root.join(relative),
            describe(file_type),
        )),
        _ => Ok(root.join(relative)),
    }
}

/// Resolves the directory `relative` under `root` with the checks of [`resolve`]; it may be
/// missing, and if it exists it must be a directory.
pub fn resolve_dir(root: &Path, relative: &str) -> Result<PathBuf, PathError> {
    match walk(root, relative)? {
        Some(file_type) if !file_type.is_dir() => Err(PathError::NotADirectory {
            path: relative.to_string(),
            blocker: root.join(relative),
        }),
        _ => Ok(root.join(relative)),
    }
}

/// Checks every existing component of `relative` below `root` (none a symbolic link, every
/// parent a directory) and returns the type of the last one, or `None` if it is missing.
fn walk(root: &Path, relative: &str) -> Result<Option<FileType>, PathError> {
    check_relative(relative)?;
    let mut current = root.to_path_buf();
    let parts: Vec<&str> = relative.split('/').collect();
    for (index, part) in parts.iter().enumerate() {
        current.push(part);
        let metadata = match std::fs::symlink_metadata(&current) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(PathError::Io {
                    path: current,
                    source,
                });
            }
        };
        if metadata.file_type().is_symlink() {
            return Err(PathError::SymlinkInPath {
                path: relative.to_string(),
                link: current,
            });
        }
        let is_last = index + 1 == parts.len();
        if !is_last && !metadata.is_dir() {
            return Err(PathError::NotADirectory {
                path: relative.to_string(),
                blocker: current,
            });
        }
        if is_last {
            return Ok(Some(metadata.file_type()));
        }
    }
    Ok(None)
}

fn describe(file_type: FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_escaping_paths() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a\\b",
            "a/\0",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?} must be rejected");
        }
        assert!(check_relative("clusters/central/ca.yaml").is_ok());
    }

    #[test]
    fn refuses_symlinked_directories() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("clusters")).unwrap();
        let error = resolve(root.path(), "clusters/central/ca.yaml").unwrap_err();
        assert!(matches!(error, PathError::SymlinkInPath { .. }), "{error}");
    }

    #[test]
    fn refuses_special_files_where_a_file_goes() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("dir")).unwrap();
        let socket = std::os::unix::net::UnixListener::bind(root.path().join("sock")).unwrap();
        for (name, kind) in [("dir", "a directory"), ("sock", "a socket")] {
            let error = resolve(root.path(), name).unwrap_err();
            assert!(
                matches!(error, PathError::NotARegularFile(_, k) if k == kind),
                "{error}"
            );
        }
        drop(socket);
        assert!(resolve(root.path(), "missing").is_ok());
        assert!(resolve_dir(root.path(), "dir").is_ok());
        assert!(resolve_dir(root.path(), "sock").is_err());
    }

    #[test]
    fn refuses_file_in_place_of_directory() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("clusters"), "x").unwrap();
        let error = resolve(root.path(), "clusters/ca.yaml").unwrap_err();
        assert!(matches!(error, PathError::NotADirectory { .. }), "{error}");
    }
}
