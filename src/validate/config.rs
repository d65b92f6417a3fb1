//! The validate config file, `.meshwright.yaml`: finding it and reading its fields —
//! `ignore:` rules (applied by `suppress`) and `schemaDirs:`, schema directories used as if
//! given with `--schema-dir`.
//!
//! The config is `--config FILE`, else `.meshwright.yaml` in the working directory, else the
//! nearest one above the first PATH validated (up to the Git repository's root), so
//! `meshwright validate deploy/mesh` from the repository's root reads
//! `deploy/mesh/.meshwright.yaml`. Paths in it are relative to its directory.
//!
//! ```yaml
//! # .meshwright.yaml
//! ignore:
//!   - MW106                       # everywhere
//!   - code: MW105                 # only in these files
//!     paths: ["clusters/*/istio/values.yaml"]
//! schemaDirs:                     # from `meshwright schemas import CRD.yaml --out DIR`
//!   - schemas/vendor
//! ```

use std::path::{Path, PathBuf};

use crate::manifest::{Node, load_file};

/// The config file looked for when no `--config` is given.
const CONFIG_FILE: &str = ".meshwright.yaml";

/// A config file or flag that cannot be used: exit 2, naming the file and line.
#[derive(Debug, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ConfigError {
    pub location: String,
    pub message: String,
}

impl ConfigError {
    pub fn at(node: &Node, message: impl Into<String>) -> Self {
        ConfigError {
            location: node.origin.to_string(),
            message: message.into(),
        }
    }
}

/// A read config file.
#[derive(Debug)]
pub struct Config {
    /// The config's directory, absolute and canonical: what its paths are relative to.
    pub base: PathBuf,
    /// The entries of `ignore:`, read by `suppress`.
    pub ignore: Vec<Node>,
    /// `schemaDirs:`, resolved against `base`; each is an existing directory.
    pub schema_dirs: Vec<PathBuf>,
}

impl Config {
    /// The config `explicit` names, else the one found for `paths` (none is fine).
    pub fn load(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<Option<Config>, ConfigError> {
        match explicit
            .map(Path::to_path_buf)
            .or_else(|| find_config(paths))
        {
            Some(path) => read_config(&path).map(Some),
            None => Ok(None),
        }
    }
}

/// `.meshwright.yaml` in the working directory, else the nearest one in the directory of
/// the first of `paths` or above it, stopping at the Git repository's root.
fn find_config(paths: &[PathBuf]) -> Option<PathBuf> {
    let here = PathBuf::from(CONFIG_FILE);
    if here.is_file() {
        return Some(here);
    }
    let first = absolute(paths.first()?);
    let start = if first.is_dir() {
        first.as_path()
    } else {
        first.parent()?
    };
    for dir in start.ancestors() {
        let candidate = dir.join(CONFIG_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// `path` made absolute against the working directory (lexically: it need not exist).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn read_config(path: &Path) -> Result<Config, ConfigError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let base = absolute(dir);
    let base = base.canonicalize().unwrap_or(base);
    let documents = load_file(path).map_err(|e| ConfigError {
        location: format!("{}:{}:{}", e.file.display(), e.line, e.column),
        message: e.message,
    })?;
    let mut config = Config {
        base,
        ignore: Vec::new(),
        schema_dirs: Vec::new(),
    };
    let Some(root) = documents.first() else {
        return Ok(config);
    };
    let fields = root
        .as_map()
        .ok_or_else(|| ConfigError::at(root, "the config must be a mapping"))?;
    for (key, value) in fields {
        if value.is_null() {
            continue;
        }
        match key.as_str() {
            "ignore" => config.ignore = list(value, "ignore")?.to_vec(),
            "schemaDirs" => {
                for entry in list(value, "schemaDirs")? {
                    config.schema_dirs.push(schema_dir(entry, &config.base)?);
                }
            }
            _ => {
                return Err(ConfigError::at(
                    value,
                    format!("unknown field `{key}` (expected `ignore` or `schemaDirs`)"),
                ));
            }
        }
    }
    Ok(config)
}

fn list<'a>(node: &'a Node, field: &str) -> Result<&'a [Node], ConfigError> {
    node.as_seq()
        .ok_or_else(|| ConfigError::at(node, format!("`{field}` must be a list")))
}

/// One `schemaDirs` entry: a directory, relative to the config's.
fn schema_dir(entry: &Node, base: &Path) -> Result<PathBuf, ConfigError> {
    let relative = entry
        .as_str()
        .ok_or_else(|| ConfigError::at(entry, "a schema directory must be a path"))?;
    let dir = base.join(relative);
    if !dir.is_dir() {
        return Err(ConfigError::at(
            entry,
            format!("schema directory `{relative}` does not exist"),
        ));
    }
    Ok(dir)
}
