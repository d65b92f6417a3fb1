//! The registry of schemas by apiVersion and kind: the embedded `schemas/` tree plus user
//! directories (`--schema-dir`, as `meshwright schemas import` writes them).
//!
//! Loading reads only the small `index.json` files. A kind's schema is parsed and its
//! validator compiled the first time an object of that kind is validated, once, and then
//! shared by every thread (`OnceLock`; jsonschema validators are `Send + Sync`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use include_dir::{Dir, include_dir};
use serde_json::Value;

use super::{Index, Scope};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/schemas");

/// A schema directory that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct RegistryError {
    pub path: PathBuf,
    pub message: String,
}

/// What the registry knows about one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindInfo {
    pub api_version: String,
    pub kind: String,
    pub scope: Option<Scope>,
}

impl KindInfo {
    /// The API group (empty for the core group).
    pub fn group(&self) -> &str {
        group_of(&self.api_version)
    }
}

/// The group of an apiVersion (`apps/v1` → `apps`, `v1` → ``).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

enum Source {
    Embedded(&'static str),
    File(PathBuf),
    Owned(String),
}

struct Entry {
    info: KindInfo,
    source: Source,
    compiled: OnceLock<Result<Compiled, String>>,
}

/// A parsed schema and its validator.
pub(crate) struct Compiled {
    /// Boxed, so the addresses `Marks` records stay valid.
    pub schema: Box<Value>,
    /// Validates `manifest::Node` trees in place (see `json_node`).
    pub validator: jsonschema::Validator<super::json_node::NodeJson>,
    /// The CRD's CEL rules, compiled.
    pub rules: super::cel::Rules,
    /// Where the schema has defaults.
    pub defaults: super::schema_node::Marks,
}

/// Schemas by apiVersion and kind. `Sync`: share one registry across validation threads.
#[derive(Default)]
pub struct Registry {
    /// apiVersion → kind → entry (nested so lookups by `&str` allocate nothing).
    kinds: HashMap<String, HashMap<String, Entry>>,
    /// apiVersions known per (group, kind), sorted, for "served versions" hints.
    versions: HashMap<(String, String), Vec<String>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.len())
            .finish()
    }
}

impl Registry {
    /// A registry with no schemas.
    pub fn empty() -> Self {
        Registry::default()
    }

    /// The schemas embedded in the binary: every `schemas/<family>/index.json`.
    pub fn embedded() -> Self {
        let mut registry = Registry::default();
        let mut dirs: Vec<&Dir<'static>> = EMBEDDED.dirs().collect();
        dirs.sort_by_key(|d| d.path());
        for dir in dirs {
            let Some(index) = dir.get_file(dir.path().join("index.json")) else {
                continue;
            };
            let Some(text) = index.contents_utf8() else {
                continue;
            };
            let Ok(index) = serde_json::from_str::<Index>(text) else {
                continue;
            };
            for entry in index.kinds {
                let path = dir.path().join(&entry.file);
                let Some(contents) = EMBEDDED.get_file(&path).and_then(|f| f.contents_utf8())
                else {
                    continue;
                };
                registry.insert(
                    KindInfo {
                        api_version: entry.api_version,
                        kind: entry.kind,
                        scope: entry.scope,
                    },
                    Source::Embedded(contents),
                );
            }
        }
        registry
    }

    /// Adds the schemas of `dir`: a directory with `index.json`, or whose subdirectories
    /// have one. Its kinds replace those already known.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), RegistryError> {
        let fail = |path: &Path, message: String| RegistryError {
            path: path.to_path_buf(),
            message,
        };
        let index_path = dir.join("index.json");
        if index_path.is_file() {
            return self.add_index(dir, &index_path);
        }
        let entries = std::fs::read_dir(dir).map_err(|e| fail(dir, format!("cannot read: {e}")))?;
        let mut subdirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("index.json").is_file())
            .collect();
        if subdirs.is_empty() {
            return Err(fail(
                dir,
                "no index.json here or in its subdirectories; create one with `meshwright schemas import FILE... --out DIR`".into(),
            ));
        }
        subdirs.sort();
        for sub in subdirs {
            let index_path = sub.join("index.json");
            self.add_index(&sub, &index_path)?;
        }
        Ok(())
    }

    /// Adds the schemas of an in-memory import (CRDs found in the repository being
    /// validated). Its kinds replace embedded ones — the repository's CRD is what its
    /// cluster runs — but not those of a `--schema-dir`, which the user chose explicitly.
    pub fn add_output(&mut self, output: &super::import::Output) -> Result<(), RegistryError> {
        let fail = |message: String| RegistryError {
            path: PathBuf::from("index.json"),
            message,
        };
        let text = output
            .files
            .get("index.json")
            .ok_or_else(|| fail("the import has no index.json".into()))?;
        let index: Index =
            serde_json::from_str(text).map_err(|e| fail(format!("not a schema index: {e}")))?;
        for entry in index.kinds {
            let schema = output
                .files
                .get(&entry.file)
                .ok_or_else(|| fail(format!("{}: missing from the import", entry.file)))?;
            if self
                .entry(&entry.api_version, &entry.kind)
                .is_some_and(|known| matches!(known.source, Source::File(_)))
            {
                continue;
            }
            self.insert(
                KindInfo {
                    api_version: entry.api_version,
                    kind: entry.kind,
                    scope: entry.scope,
                },
                Source::Owned(schema.clone()),
            );
        }
        Ok(())
    }

    /// The embedded registry, loaded once per process and shared (validators compiled in it
    /// are kept for the whole run).
    pub fn shared() -> &'static Registry {
        static SHARED: OnceLock<Registry> = OnceLock::new();
        SHARED.get_or_init(Registry::embedded)
    }

    fn add_index(&mut self, dir: &Path, index_path: &Path) -> Result<(), RegistryError> {
        let text = std::fs::read_to_string(index_path).map_err(|e| RegistryError {
            path: index_path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })?;
        let index: Index = serde_json::from_str(&text).map_err(|e| RegistryError {
            path: index_path.to_path_buf(),
            message: format!("line {}: not a schema index: {e}", e.line()),
        })?;
        for entry in index.kinds {
            if Path::new(&entry.file)
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
            {
                return Err(RegistryError {
                    path: index_path.to_path_buf(),
                    message: format!(
                        "{}: schema paths must stay inside the directory",
                        entry.file
                    ),
                });
            }
            self.insert(
                KindInfo {
                    api_version: entry.api_version,
                    kind: entry.kind,
                    scope: entry.scope,
                },
                Source::File(dir.join(&entry.file)),
            );
        }
        Ok(())
    }

    fn insert(&mut self, info: KindInfo, source: Source) {
        let key = (info.api_version.clone(), info.kind.clone());
        let versions = self
            .versions
            .entry((info.group().to_string(), info.kind.clone()))
            .or_default();
        if !versions.contains(&info.api_version) {
            versions.push(info.api_version.clone());
            versions.sort();
        }
        self.kinds.entry(key.0).or_default().insert(
            key.1,
            Entry {
                info,
                source,
                compiled: OnceLock::new(),
            },
        );
    }

    /// The kind `kind` of `apiVersion`, if a schema is known.
    pub fn get(&self, api_version: &str, kind: &str) -> Option<&KindInfo> {
        self.entry(api_version, kind).map(|e| &e.info)
    }

    /// Whether objects of this kind are namespaced, when known.
    pub fn scope(&self, api_version: &str, kind: &str) -> Option<Scope> {
        self.get(api_version, kind).and_then(|i| i.scope)
    }

    /// The apiVersions with a schema for `kind` in `group` (sorted).
    pub fn versions_of(&self, group: &str, kind: &str) -> &[String] {
        self.versions
            .get(&(group.to_string(), kind.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Every known kind, in no particular order.
    pub fn kinds(&self) -> impl Iterator<Item = &KindInfo> {
        self.kinds
            .values()
            .flat_map(|m| m.values())
            .map(|e| &e.info)
    }

    /// Number of known kinds.
    pub fn len(&self) -> usize {
        self.kinds.values().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    fn entry(&self, api_version: &str, kind: &str) -> Option<&Entry> {
        self.kinds.get(api_version)?.get(kind)
    }

    /// The JSON Schema of a kind, parsed.
    pub fn schema_value(&self, api_version: &str, kind: &str) -> Option<Value> {
        let entry = self.entry(api_version, kind)?;
        read_schema(&entry.source).ok()
    }

    /// The compiled schema of a kind (compiled on first use), or why it cannot be used.
    pub(crate) fn compiled(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Option<Result<&Compiled, &str>> {
        let entry = self.entry(api_version, kind)?;
        let compiled = entry.compiled.get_or_init(|| {
            let schema = read_schema(&entry.source)?;
            let options: jsonschema::ValidationOptions<
                '_,
                std::sync::Arc<dyn jsonschema::Retrieve>,
                super::json_node::NodeJson,
            > = jsonschema::ValidationOptions::default();
            let validator = options
                .with_draft(jsonschema::Draft::Draft4)
                .with_base_uri("https://meshwright.invalid/schema.json")
                .should_validate_formats(false)
                .build(&schema)
                .map_err(|e| format!("schema cannot be compiled: {e}"))?;
            let schema = Box::new(schema);
            let rules = super::cel::Rules::compile(&schema);
            let defaults = super::defaults::marks(&schema);
            Ok(Compiled {
                schema,
                validator,
                rules,
                defaults,
            })
        });
        Some(compiled.as_ref().map_err(String::as_str))
    }
}

fn read_schema(source: &Source) -> Result<Value, String> {
    match source {
        Source::Embedded(text) => serde_json::from_str(text).map_err(|e| e.to_string()),
        Source::Owned(text) => serde_json::from_str(text).map_err(|e| e.to_string()),
        Source::File(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}:{}: {e}", path.display(), e.line()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_knows_core_istio_and_cert_manager_kinds() {
        let registry = Registry::embedded();
        assert_eq!(registry.scope("v1", "Namespace"), Some(Scope::Cluster));
        assert_eq!(
            registry.scope("apps/v1", "Deployment"),
            Some(Scope::Namespaced)
        );
        assert_eq!(
            registry.scope("security.istio.io/v1", "PeerAuthentication"),
            Some(Scope::Namespaced)
        );
        assert_eq!(
            registry.scope("cert-manager.io/v1", "ClusterIssuer"),
            Some(Scope::Cluster)
        );
        assert!(registry.get("extensions/v1beta1", "Ingress").is_none());
        assert_eq!(
            registry.versions_of("networking.istio.io", "VirtualService"),
            [
                "networking.istio.io/v1",
                "networking.istio.io/v1alpha3",
                "networking.istio.io/v1beta1"
            ]
        );
    }

    /// Every embedded schema compiles (regex dialects, refs), so no kind fails at run time.
    #[test]
    fn every_embedded_schema_compiles() {
        let registry = Registry::embedded();
        assert!(registry.len() > 100, "{}", registry.len());
        let mut failures = Vec::new();
        for info in registry.kinds() {
            if let Some(Err(e)) = registry.compiled(&info.api_version, &info.kind) {
                failures.push(format!("{} {}: {e}", info.api_version, info.kind));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn registry_is_shared_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Registry>();
        let registry = Registry::shared();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope
                    .spawn(|| assert!(matches!(registry.compiled("v1", "ConfigMap"), Some(Ok(_)))));
            }
        });
    }

    #[test]
    fn user_dir_must_have_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut registry = Registry::empty();
        assert!(registry.add_dir(dir.path()).is_err());
        std::fs::write(
            dir.path().join("index.json"),
            r#"{"kinds":[{"apiVersion":"x/v1","kind":"X","file":"../escape.json"}]}"#,
        )
        .unwrap();
        assert!(registry.add_dir(dir.path()).is_err());
    }
}
