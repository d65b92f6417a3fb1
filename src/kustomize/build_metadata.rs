//! `buildMetadata:` of the root kustomization: `originAnnotations` (each object's
//! `config.kubernetes.io/origin`: the file it was read from, or the generator that made it),
//! `transformerAnnotations` (`alpha.config.kubernetes.io/transformations`: every transformer
//! that ran over it) and `managedByLabel` (`app.kubernetes.io/managed-by`).
//!
//! As in kustomize, the root's list decides for the whole tree, and any entry at all turns
//! tracking on: origins are kept while building (a transformer's note goes to an object's
//! transformations when it has an origin, else becomes its origin), and the annotations not
//! asked for are removed at the end.

use super::emit::scalar_string;
use super::error::KustomizeError;
use super::kustomization::Kustomization;
use crate::manifest::{Node, parse_documents};

pub const ORIGIN: &str = "config.kubernetes.io/origin";
pub const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";
const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// What `kubectl kustomize` writes as the managed-by label: kubectl's vendored kustomize
/// (v5.5.0) carries no build version, so it reports itself as `(devel)`.
const MANAGED_BY_VALUE: &str = "kustomize-(devel)";

/// The root kustomization's `buildMetadata` options.
#[derive(Default, Clone, Copy)]
pub struct BuildMetadata {
    tracking: bool,
    origins: bool,
    transformations: bool,
    managed_by: bool,
}

impl BuildMetadata {
    pub fn of(kustomization: &Kustomization) -> Result<BuildMetadata, KustomizeError> {
        let options = kustomization.string_list("buildMetadata")?;
        let has = |option: &str| options.iter().any(|(o, _)| *o == option);
        Ok(BuildMetadata {
            tracking: !options.is_empty(),
            origins: has("originAnnotations"),
            transformations: has("transformerAnnotations"),
            managed_by: has("managedByLabel"),
        })
    }

    /// The root's path for [`Level::new`] (empty), when origins are tracked.
    pub fn root_path(&self) -> Option<String> {
        self.tracking.then(String::new)
    }

    /// The annotations not asked for removed, the managed-by label added if asked for.
    pub fn finish(&self, objects: &mut [Node]) {
        for object in objects.iter_mut() {
            if self.managed_by {
                let value = Node::string(MANAGED_BY_VALUE, object.origin.clone());
                object
                    .map_entry("metadata")
                    .map_entry("labels")
                    .set(MANAGED_BY, value);
            }
            if let Some(annotations) = object.at_mut(&["metadata", "annotations"]) {
                if !self.origins {
                    annotations.remove(ORIGIN);
                }
                if !self.transformations {
                    annotations.remove(TRANSFORMATIONS);
                }
            }
        }
    }
}

/// A kustomization being built while origins are tracked: its directory relative to the
/// root (kustomize's `origin.path`) and its file's name.
pub struct Level {
    path: String,
    file: String,
}

impl Level {
    /// The kustomization `kustomization`, at `path` from the root.
    pub fn new(path: String, kustomization: &Kustomization) -> Level {
        Level {
            path,
            file: kustomization.file_name(),
        }
    }

    /// The path from the root of the directory `entry` names.
    pub fn child_path(&self, entry: &str) -> String {
        join(&self.path, entry)
    }

    /// Marks objects read from the resource file `entry` as coming from it.
    pub fn annotate_file(&self, entry: &str, objects: &mut [Node]) {
        let origin = BuildOrigin {
            path: join(&self.path, entry),
            ..BuildOrigin::default()
        };
        for object in objects {
            set_annotation(object, ORIGIN, origin.to_yaml());
        }
    }

    /// Marks plugin configs written inline in the kustomization as coming from it.
    pub fn annotate_inline(&self, objects: &mut [Node]) {
        self.annotate_file(&self.file.clone(), objects);
    }

    /// Notes on every object the builtin transformers the fields of `kustomization` ran, in
    /// kustomize's order: one per configured instance (a patch entry, an image), even where
    /// it changed nothing.
    pub fn record_fields(
        &self,
        kustomization: &Kustomization,
        objects: &mut [Node],
    ) -> Result<(), KustomizeError> {
        let count = |key: &str| kustomization.list(key).map(<[Node]>::len);
        let set = |key: &str| -> Result<usize, KustomizeError> {
            Ok(usize::from(
                kustomization.string(key)?.is_some_and(|s| !s.is_empty()),
            ))
        };
        let labels = count("labels")?;
        let common_labels = kustomization.string_map("commonLabels")?.len();
        let instances = [
            (
                "PatchStrategicMergeTransformer",
                usize::from(count("patchesStrategicMerge")? > 0),
            ),
            ("PatchTransformer", count("patches")?),
            ("NamespaceTransformer", set("namespace")?),
            ("PrefixTransformer", set("namePrefix")?),
            ("SuffixTransformer", set("nameSuffix")?),
            (
                "LabelTransformer",
                if labels + common_labels > 0 {
                    labels + 1
                } else {
                    0
                },
            ),
            (
                "AnnotationsTransformer",
                usize::from(!kustomization.string_map("commonAnnotations")?.is_empty()),
            ),
            ("PatchJson6902Transformer", count("patchesJson6902")?),
            ("ReplicaCountTransformer", count("replicas")?),
            ("ImageTagTransformer", count("images")?),
            (
                "ReplacementTransformer",
                usize::from(count("replacements")? > 0),
            ),
        ];
        for (kind, times) in instances {
            for _ in 0..times {
                self.builtin(kind).record_transformation(objects);
            }
        }
        Ok(())
    }

    /// The origin of what a field of this kustomization did, as builtin `kind`.
    pub fn builtin(&self, kind: &str) -> BuildOrigin {
        BuildOrigin {
            configured_in: join(&self.path, &self.file),
            configured_by: vec![
                ("apiVersion", "builtin".to_string()),
                ("kind", kind.to_string()),
            ],
            ..BuildOrigin::default()
        }
    }
}

/// kustomize's `resource.Origin`, printed in its field order.
#[derive(Default)]
pub struct BuildOrigin {
    path: String,
    repo: String,
    reference: String,
    configured_in: String,
    configured_by: Vec<(&'static str, String)>,
}

impl BuildOrigin {
    /// What a plugin config made or changed: the config's own origin and identity; `None`
    /// when origins are not tracked (the config carries none).
    pub fn of_plugin(config: &Node) -> Option<BuildOrigin> {
        let text = config.str_at(&["metadata", "annotations", ORIGIN])?;
        let parsed = parse_documents(&config.origin.file, text.as_bytes())
            .ok()?
            .into_iter()
            .next()?;
        let field = |key: &str| parsed.str_at(&[key]).unwrap_or_default().to_string();
        let identity = |path: &[&str]| config.str_at(path).unwrap_or_default().to_string();
        Some(BuildOrigin {
            repo: field("repo"),
            reference: field("ref"),
            configured_in: field("path"),
            configured_by: vec![
                ("apiVersion", identity(&["apiVersion"])),
                ("kind", identity(&["kind"])),
                ("name", identity(&["metadata", "name"])),
                ("namespace", identity(&["metadata", "namespace"])),
            ],
            ..BuildOrigin::default()
        })
    }

    /// The origin as YAML lines, each prefixed by `indent` but the first by `first`.
    fn lines(&self, first: &str, indent: &str) -> String {
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(if out.is_empty() { first } else { indent });
            out.push_str(&text);
            out.push('\n');
        };
        for (key, value) in [
            ("path", &self.path),
            ("repo", &self.repo),
            ("ref", &self.reference),
            ("configuredIn", &self.configured_in),
        ] {
            if !value.is_empty() {
                line(format!("{key}: {}", scalar_string(value)));
            }
        }
        let by: Vec<_> = self
            .configured_by
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        if !by.is_empty() {
            line("configuredBy:".to_string());
            for (key, value) in by {
                line(format!("  {key}: {}", scalar_string(value)));
            }
        }
        out
    }

    fn to_yaml(&self) -> String {
        self.lines("", "")
    }

    /// Gives objects without an origin this one (kustomize's `AddOriginAnnotation`).
    pub fn set_if_absent(&self, objects: &mut [Node]) {
        for object in objects {
            if object.at(&["metadata", "annotations", ORIGIN]).is_none() {
                set_annotation(object, ORIGIN, self.to_yaml());
            }
        }
    }

    /// Notes a transformer on every object: appended to its transformations when it has an
    /// origin, else its origin (kustomize's `AddTransformerAnnotation`).
    pub fn record_transformation(&self, objects: &mut [Node]) {
        for object in objects {
            match object.at(&["metadata", "annotations", ORIGIN]) {
                None => set_annotation(object, ORIGIN, self.to_yaml()),
                Some(_) => {
                    let earlier = object
                        .str_at(&["metadata", "annotations", TRANSFORMATIONS])
                        .unwrap_or_default();
                    let all = format!("{earlier}{}", self.lines("- ", "  "));
                    set_annotation(object, TRANSFORMATIONS, all);
                }
            }
        }
    }
}

fn set_annotation(object: &mut Node, key: &str, value: String) {
    let origin = object.origin.clone();
    object
        .map_entry("metadata")
        .map_entry("annotations")
        .set(key, Node::string(value, origin));
}

/// Go's `filepath.Join`: the parts joined by `/`, `.` and `dir/..` pairs removed.
fn join(base: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_like_go() {
        assert_eq!(join("", "../base"), "../base");
        assert_eq!(join("../base", "./svc.yaml"), "../base/svc.yaml");
        assert_eq!(join("a/b", "../../c"), "c");
        assert_eq!(join("..", "../x"), "../../x");
    }

    #[test]
    fn transformations_append_as_a_list() {
        let level = Level {
            path: "../base".into(),
            file: "kustomization.yaml".into(),
        };
        let origin =
            crate::manifest::Origin::new(std::sync::Arc::from(std::path::Path::new("a")), 1, 1);
        let mut objects = vec![Node::from_json(
            &serde_json::json!({"kind": "Service"}),
            &origin,
        )];
        level.annotate_file("svc.yaml", &mut objects);
        level
            .builtin("PrefixTransformer")
            .record_transformation(&mut objects);
        level
            .builtin("SuffixTransformer")
            .record_transformation(&mut objects);
        let annotations = objects[0].at(&["metadata", "annotations"]).unwrap();
        assert_eq!(
            annotations.str_at(&[ORIGIN]),
            Some("path: ../base/svc.yaml\n")
        );
        assert_eq!(
            annotations.str_at(&[TRANSFORMATIONS]),
            Some(
                "- configuredIn: ../base/kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: PrefixTransformer\n- configuredIn: ../base/kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: SuffixTransformer\n"
            )
        );
    }
}
