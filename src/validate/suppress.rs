//! Suppressing findings: `--ignore CODE`, a `meshwright.dev/ignore: "MW201,MW302"`
//! annotation on the object a finding concerns, and the `ignore:` list of a `.meshwright.yaml`
//! config file (codes, optionally limited to path globs, relative to the config's directory).
//! A suppressed finding is counted in the summary, never silently dropped.
//!
//! The config is `--config FILE`, else `.meshwright.yaml` in the working directory, else the
//! nearest one above the first PATH validated (up to the Git repository's root), so
//! `meshwright validate deploy/mesh` from the repository's root reads
//! `deploy/mesh/.meshwright.yaml`.
//!
//! ```yaml
//! # .meshwright.yaml
//! ignore:
//!   - MW106                       # everywhere
//!   - code: MW105                 # only in these files
//!     paths: ["clusters/*/istio/values.yaml"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::findings::{Finding, ObjectRef, lookup};
use crate::manifest::{Node, load_file};

/// The annotation that suppresses codes on one object.
pub const ANNOTATION: &str = "meshwright.dev/ignore";
/// The config file looked for when no `--config` is given.
pub const CONFIG_FILE: &str = ".meshwright.yaml";

/// A config file or flag that cannot be used: exit 2, naming the file and line.
#[derive(Debug, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ConfigError {
    pub location: String,
    pub message: String,
}

impl ConfigError {
    fn at(node: &Node, message: impl Into<String>) -> Self {
        ConfigError {
            location: node.origin.to_string(),
            message: message.into(),
        }
    }
}

/// One ignore rule: a code, everywhere or only in files matching `paths` (below `base`).
struct Rule {
    code: String,
    paths: Option<(PathBuf, GlobSet)>,
}

/// Every way findings are suppressed in one run.
#[derive(Default)]
pub struct Suppressions {
    rules: Vec<Rule>,
    /// Codes ignored per object, from the annotation.
    annotated: BTreeMap<ObjectRef, Vec<String>>,
}

impl Suppressions {
    /// `--ignore` codes plus the config file: `config`, or the `.meshwright.yaml` that
    /// [`find_config`] finds for `paths`.
    pub fn new(
        codes: &[String],
        config: Option<&Path>,
        paths: &[PathBuf],
    ) -> Result<Suppressions, ConfigError> {
        let mut rules = Vec::new();
        for code in codes {
            rules.push(Rule {
                code: known_code(code).map_err(|message| ConfigError {
                    location: format!("--ignore {code}"),
                    message,
                })?,
                paths: None,
            });
        }
        let config = match config {
            Some(path) => Some(path.to_path_buf()),
            None => find_config(paths),
        };
        if let Some(path) = config {
            rules.extend(read_config(&path)?);
        }
        Ok(Suppressions {
            rules,
            annotated: BTreeMap::new(),
        })
    }

    /// Learns the codes each object's annotation ignores.
    pub fn learn_annotations(&mut self, objects: &[Node]) {
        for object in objects {
            if let Some(value) = object.str_at(&["metadata", "annotations", ANNOTATION]) {
                let codes = value
                    .split(',')
                    .map(|c| c.trim().to_ascii_uppercase())
                    .filter(|c| !c.is_empty())
                    .collect();
                self.annotated.insert(ObjectRef::of(object), codes);
            }
        }
    }

    /// Whether `finding` is suppressed.
    pub fn suppresses(&self, finding: &Finding) -> bool {
        let code = finding.code.code;
        let file = finding.origin.as_ref().map(|o| absolute(&o.file));
        let by_rule = self.rules.iter().any(|rule| {
            rule.code == code
                && match (&rule.paths, &file) {
                    (None, _) => true,
                    (Some((base, globs)), Some(file)) => file
                        .strip_prefix(base)
                        .is_ok_and(|below| globs.is_match(below)),
                    (Some(_), None) => false,
                }
        });
        let by_annotation = finding
            .object
            .as_ref()
            .and_then(|object| self.annotated.get(object))
            .is_some_and(|codes| codes.iter().any(|c| c == code));
        by_rule || by_annotation
    }
}

/// `code` upper-cased, if the catalog knows it.
fn known_code(code: &str) -> Result<String, String> {
    lookup(code)
        .map(|c| c.code.to_string())
        .ok_or_else(|| format!("no finding code `{code}`; `meshwright explain` lists them all"))
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
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn read_config(path: &Path) -> Result<Vec<Rule>, ConfigError> {
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
    let Some(root) = documents.first() else {
        return Ok(Vec::new());
    };
    for (key, value) in root
        .as_map()
        .ok_or_else(|| ConfigError::at(root, "the config must be a mapping"))?
    {
        if key != "ignore" {
            return Err(ConfigError::at(
                value,
                format!("unknown field `{key}` (expected `ignore`)"),
            ));
        }
    }
    let Some(entries) = root.get("ignore").filter(|n| !n.is_null()) else {
        return Ok(Vec::new());
    };
    entries
        .as_seq()
        .ok_or_else(|| ConfigError::at(entries, "`ignore` must be a list"))?
        .iter()
        .map(|entry| read_rule(entry, &base))
        .collect()
}

fn read_rule(entry: &Node, base: &Path) -> Result<Rule, ConfigError> {
    if let Some(code) = entry.as_str() {
        return Ok(Rule {
            code: known_code(code).map_err(|m| ConfigError::at(entry, m))?,
            paths: None,
        });
    }
    let fields = entry
        .as_map()
        .ok_or_else(|| ConfigError::at(entry, "an ignore entry is a code or `{code, paths}`"))?;
    if let Some((key, value)) = fields.iter().find(|(k, _)| k != "code" && k != "paths") {
        return Err(ConfigError::at(
            value,
            format!("unknown field `{key}` (expected `code` or `paths`)"),
        ));
    }
    let code_node = entry
        .get("code")
        .ok_or_else(|| ConfigError::at(entry, "an ignore entry needs `code`"))?;
    let code = code_node
        .as_str()
        .ok_or_else(|| ConfigError::at(code_node, "`code` must be a string"))
        .and_then(|c| known_code(c).map_err(|m| ConfigError::at(code_node, m)))?;
    let paths = match entry.get("paths") {
        None => None,
        Some(list) => Some((base.to_path_buf(), glob_set(list)?)),
    };
    Ok(Rule { code, paths })
}

fn glob_set(list: &Node) -> Result<GlobSet, ConfigError> {
    let mut builder = GlobSetBuilder::new();
    for item in list
        .as_seq()
        .ok_or_else(|| ConfigError::at(list, "`paths` must be a list of globs"))?
    {
        let pattern = item
            .as_str()
            .ok_or_else(|| ConfigError::at(item, "a path glob must be a string"))?;
        let glob = Glob::new(pattern)
            .map_err(|e| ConfigError::at(item, format!("invalid glob `{pattern}`: {e}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| ConfigError::at(list, e.to_string()))
}
