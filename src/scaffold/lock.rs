//! `meshwright.lock`: which files meshwright generated, with the SHA-256 of what it wrote.
//!
//! The lock is what lets `generate` tell a stale generated file (safe to update or remove)
//! from a hand-edited one (refused without `--force`) and from a file it never wrote (never
//! touched). It is JSON with sorted keys, so it is byte-stable and reviewable.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const LOCK_FILE: &str = "meshwright.lock";

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// Always `meshwright`; marks the file as ours.
    pub generator: String,
    /// Generated path (relative, `/`-separated) → `sha256:<hex>` of its contents.
    pub files: BTreeMap<String, String>,
}

impl Lock {
    pub fn from_contents<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Self {
        Lock {
            generator: "meshwright".to_string(),
            files: files
                .into_iter()
                .map(|(path, contents)| (path.to_string(), digest(contents)))
                .collect(),
        }
    }

    /// The lock's bytes as written to disk.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text.into_bytes()
    }

    /// Parses a lock file; `path` is for messages only.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Lock, String> {
        serde_json::from_slice(bytes).map_err(|e| {
            format!(
                "{}:{}:{}: error: corrupt lock file: {e}; restore it from Git, or delete it \
                 to treat every existing file as hand-written",
                path.display(),
                e.line(),
                e.column()
            )
        })
    }
}

/// `sha256:<hex>` of `contents`.
pub fn digest(contents: &[u8]) -> String {
    let hash = Sha256::digest(contents);
    let mut text = String::with_capacity(7 + 64);
    text.push_str("sha256:");
    for byte in hash {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_sorted() {
        let lock = Lock::from_contents([("b.yaml", &b"b"[..]), ("a.yaml", &b"a"[..])]);
        let bytes = lock.to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.find("a.yaml").unwrap() < text.find("b.yaml").unwrap());
        assert_eq!(Lock::parse(Path::new("x"), &bytes).unwrap(), lock);
    }

    #[test]
    fn digest_is_sha256() {
        assert_eq!(
            digest(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn corrupt_lock_names_file_and_line() {
        let error =
            Lock::parse(Path::new("repo/meshwright.lock"), b"{\n  \"files\": [").unwrap_err();
        assert!(error.starts_with("repo/meshwright.lock:2:"), "{error}");
    }
}
