//! kustomize's load restrictor (`LoadRestrictionsRootOnly`), the one gate every file the
//! renderer opens goes through: kustomization files, resources, patches, generator and
//! replacement files. A file must resolve, symbolic links followed, to a regular file in or
//! below the directory of the kustomization that names it, so a symlink cannot smuggle a
//! file from outside the repository into a build (and into findings or a diff).

use std::path::{Path, PathBuf};

/// The canonical path of `path`, if it is a regular file in or below `dir` (canonical);
/// otherwise why not, in words for a finding.
pub fn confined(dir: &Path, path: &Path) -> Result<PathBuf, String> {
    let canonical = path
        .canonicalize()
        .map_err(|_| "no such file or directory".to_string())?;
    if !canonical.starts_with(dir) {
        return Err(format!(
            "file is not in or below the kustomization directory {} (kustomize's load restrictions)",
            dir.display()
        ));
    }
    if !canonical.is_file() {
        return Err("not a regular file".to_string());
    }
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_outside_the_directory_are_refused_even_through_a_symlink() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("base")).unwrap();
        std::fs::write(root.join("secret.txt"), "s3cret").unwrap();
        std::fs::write(root.join("base/a.yaml"), "kind: A").unwrap();
        std::os::unix::fs::symlink(root.join("secret.txt"), root.join("base/link.yaml")).unwrap();
        let base = root.join("base");
        assert_eq!(
            confined(&base, &base.join("a.yaml")),
            Ok(base.join("a.yaml"))
        );
        let refused = confined(&base, &base.join("link.yaml")).unwrap_err();
        assert!(refused.contains("load restrictions"), "{refused}");
        assert_eq!(
            confined(&base, &base.join("missing.yaml")).unwrap_err(),
            "no such file or directory"
        );
        assert_eq!(confined(&root, &base).unwrap_err(), "not a regular file");
    }
}
