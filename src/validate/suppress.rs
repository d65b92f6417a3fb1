//! Suppressing findings: `--ignore CODE`, a `meshwright.dev/ignore: "MW201,MW302"`
//! annotation on the object a finding concerns, and the `ignore:` list of the config file
//! (see `config`: codes, optionally limited to path globs, relative to the config's
//! directory). A suppressed finding is counted in the summary, never silently dropped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::config::{Config, ConfigError, absolute};
use crate::findings::{Finding, ObjectRef, lookup};
use crate::manifest::Node;

/// The annotation that suppresses codes on one object.
pub const ANNOTATION: &str = "meshwright.dev/ignore";
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
    /// `--ignore` codes plus the `ignore:` rules of `config`.
    pub fn new(codes: &[String], config: Option<&Config>) -> Result<Suppressions, ConfigError> {
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
        if let Some(config) = config {
            for entry in &config.ignore {
                rules.push(read_rule(entry, &config.base)?);
            }
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
