//! How paths are shown to people: relative to the working directory when below it, with
//! `/` separators, so findings in every output format name the file a user would type.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn cwd() -> Option<&'static PathBuf> {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()?.canonicalize().ok())
        .as_ref()
}

/// `path` relative to the working directory (`.` for the directory itself), or as given,
/// with `/` between components.
pub fn relative(path: &Path) -> String {
    let relative = cwd().and_then(|cwd| path.strip_prefix(cwd).ok());
    let shown = match relative {
        Some(p) if p.as_os_str().is_empty() => return ".".to_string(),
        Some(p) => p,
        None => path,
    };
    let text = shown.to_string_lossy();
    // Only the platform's own separator becomes `/`: on Unix a backslash is part of a name.
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}
