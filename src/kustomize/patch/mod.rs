//! kustomize patches: `patches:` (strategic merge or JSON 6902, decided by content, with an
//! optional `target:` and `options:`), the deprecated `patchesStrategicMerge:` (file paths or
//! inline YAML) and `patchesJson6902:`. This module reads the entries, picks the objects
//! each patch applies to and hands them to `strategic` or `json6902`.
//!
//! As in kustomize, a strategic-merge patch with a target applies to every selected object
//! and its own kind, name and namespace are ignored (unless `allowKindChange` or
//! `allowNameChange` say otherwise); without a target it applies to the one object its
//! apiVersion, kind, name and namespace identify. A patch whose root says `$patch: delete`
//! removes the object.
//!
//! A `target:` that selects no object renders as in kustomize (the patch applies to
//! nothing) with a warning: in a GitOps repository such a patch is usually a mistake — a
//! renamed object, a typo in a regex — that ships the unpatched object.
//!
//! Deliberate differences from kustomize, each an error naming the file and line where
//! kustomize would quietly produce something else: the directives `$setElementOrder`,
//! `$retainKeys` and `$deleteFromPrimitiveList`, which kustomize does not implement and
//! prints into the object as fields, and a `- $patch: replace` element in a list that is
//! replaced whole anyway. A list element matched on only some of its key fields (a
//! container port with `protocol` on one side only) merges as kustomize merges it (see
//! `several_keys`).
//!
//! A one-line `patchesStrategicMerge:` entry is always a file path; kustomize would also try
//! it as inline YAML.

mod json6902;
mod merge_keys;
mod select;
mod several_keys;
pub mod source;
mod strategic;

use std::path::Path;

use select::Target;
use strategic::Schema;

use super::error::KustomizeError;
use super::history::{ObjectId, had_id, remember};
use super::kustomization::Kustomization;
use super::warning::{BuildWarning, WarningKind};
use crate::manifest::{Node, Value};

/// `patchesStrategicMerge:` then `patches:`, which kustomize runs before the namespace.
pub fn apply_patches(
    kustomization: &Kustomization,
    objects: &mut Vec<Node>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<(), KustomizeError> {
    apply_each(kustomization, EntryKind::StrategicMerge, objects, warnings)?;
    apply_each(kustomization, EntryKind::Patch, objects, warnings)
}

/// `patchesJson6902:`, which kustomize runs after labels and annotations.
pub fn apply_json6902_patches(
    kustomization: &Kustomization,
    objects: &mut Vec<Node>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<(), KustomizeError> {
    apply_each(kustomization, EntryKind::Json6902, objects, warnings)
}

/// The three shapes of patch entries, named by the kustomization field that holds them.
#[derive(Clone, Copy)]
pub enum EntryKind {
    /// `patchesStrategicMerge:`: a file path, or inline YAML when it spans lines.
    StrategicMerge,
    /// `patches:`: `path` or `patch`, optional `target` and `options`.
    Patch,
    /// `patchesJson6902:`: a `target` and a list of operations (`path` or `patch`).
    Json6902,
}

impl EntryKind {
    fn field(self) -> &'static str {
        match self {
            EntryKind::StrategicMerge => "patchesStrategicMerge",
            EntryKind::Patch => "patches",
            EntryKind::Json6902 => "patchesJson6902",
        }
    }
}

/// Every entry of the kustomization's field for `kind`, in order.
fn apply_each(
    kustomization: &Kustomization,
    kind: EntryKind,
    objects: &mut Vec<Node>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<(), KustomizeError> {
    for entry in kustomization.list(kind.field())? {
        apply_entry(
            kind,
            &kustomization.dir,
            entry,
            kind.field(),
            objects,
            warnings,
        )?;
    }
    Ok(())
}

/// One patch entry of `kind`, with files relative to `dir`; `field` names where it is
/// written, for messages.
pub fn apply_entry(
    kind: EntryKind,
    dir: &Path,
    entry: &Node,
    field: &str,
    objects: &mut Vec<Node>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<(), KustomizeError> {
    if matches!(kind, EntryKind::StrategicMerge) {
        let documents = match entry.as_str() {
            Some(text) if text.contains('\n') => source::inline(entry)?,
            Some(path) => source::from_file(dir, path, entry)?,
            None => {
                return Err(KustomizeError::at(
                    &entry.origin,
                    format!("entries of `{field}` must be file paths or YAML strings"),
                ));
            }
        };
        return apply_strategic_merge(documents, entry, objects, warnings);
    }
    let patch = Patch::read(dir, entry, field)?;
    if matches!(kind, EntryKind::Json6902) && !patch.is_json6902() {
        return Err(KustomizeError::at(
            &patch.origin.origin,
            format!("{field}: the patch must be a list of JSON 6902 operations"),
        ));
    }
    patch.apply(objects, warnings)
}

/// Strategic-merge patch documents without a target, each applied to the object it names;
/// `origin` is the entry they were read from.
pub fn apply_strategic_merge(
    documents: Vec<Node>,
    origin: &Node,
    objects: &mut Vec<Node>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<(), KustomizeError> {
    let patch = Patch {
        documents,
        target: None,
        options: Options::default(),
        origin,
    };
    patch.check()?;
    patch.apply(objects, warnings)
}

#[derive(Default)]
struct Options {
    allow_name_change: bool,
    allow_kind_change: bool,
}

impl Options {
    fn parse(node: Option<&Node>) -> Result<Options, KustomizeError> {
        let mut options = Options::default();
        let Some(node) = node else {
            return Ok(options);
        };
        let entries = node
            .as_map()
            .ok_or_else(|| KustomizeError::at(&node.origin, "patch `options` must be a mapping"))?;
        for (key, value) in entries {
            let flag = match key.as_str() {
                "allowNameChange" => &mut options.allow_name_change,
                "allowKindChange" => &mut options.allow_kind_change,
                other => {
                    return Err(KustomizeError::at(
                        &value.origin,
                        format!(
                            "patch option `{other}` is not supported (allowNameChange and allowKindChange are)"
                        ),
                    ));
                }
            };
            *flag = value.value == Value::Bool(true);
        }
        Ok(options)
    }
}

/// One patch entry, read.
struct Patch<'k> {
    documents: Vec<Node>,
    target: Option<(Target, &'k Node)>,
    options: Options,
    /// The entry's `path:` or `patch:` value, where errors about the patch point.
    origin: &'k Node,
}

impl<'k> Patch<'k> {
    fn read(dir: &Path, entry: &'k Node, field: &str) -> Result<Patch<'k>, KustomizeError> {
        for (key, value) in entry.as_map().unwrap_or_default() {
            if !["path", "patch", "target", "options"].contains(&key.as_str()) {
                return Err(KustomizeError::at(
                    &value.origin,
                    format!("{field}: unknown field `{key}`"),
                ));
            }
        }
        let (documents, origin) = match (entry.get("path"), entry.get("patch")) {
            (Some(path), None) => {
                let text = path.as_str().ok_or_else(|| {
                    KustomizeError::at(&path.origin, format!("{field}: `path` must be a string"))
                })?;
                (source::from_file(dir, text, path)?, path)
            }
            (None, Some(patch)) => (source::inline(patch)?, patch),
            _ => {
                return Err(KustomizeError::at(
                    &entry.origin,
                    format!("{field}: an entry needs exactly one of `path` and `patch`"),
                ));
            }
        };
        let target = match entry.get("target") {
            Some(node) => Some((Target::parse(node)?, node)),
            None => None,
        };
        let patch = Patch {
            documents,
            target,
            options: Options::parse(entry.get("options"))?,
            origin,
        };
        patch.check()?;
        Ok(patch)
    }

    /// What kustomize refuses to load: an empty patch, several lists of JSON operations,
    /// and strategic-merge documents without `kind` and `metadata.name`.
    fn check(&self) -> Result<(), KustomizeError> {
        if self.documents.is_empty() {
            return Err(KustomizeError::at(
                &self.origin.origin,
                "the patch is empty",
            ));
        }
        if self.is_json6902() {
            return match self.documents.get(1) {
                Some(extra) => Err(KustomizeError::at(
                    &extra.origin,
                    "a JSON 6902 patch is one list of operations, not several documents",
                )),
                None => Ok(()),
            };
        }
        match self.documents.iter().find(|document| {
            document.str_at(&["kind"]).is_none() || document.str_at(&["metadata", "name"]).is_none()
        }) {
            Some(document) => Err(KustomizeError::at(
                &document.origin,
                "a strategic-merge patch needs `kind` and `metadata.name`, even with a `target`",
            )),
            None => Ok(()),
        }
    }

    fn is_json6902(&self) -> bool {
        matches!(
            self.documents.first().map(|d| &d.value),
            Some(Value::Seq(_))
        )
    }

    fn apply(
        &self,
        objects: &mut Vec<Node>,
        warnings: &mut Vec<BuildWarning>,
    ) -> Result<(), KustomizeError> {
        let Some((target, target_node)) = &self.target else {
            if self.is_json6902() {
                return Err(KustomizeError::at(
                    &self.origin.origin,
                    "a JSON 6902 patch needs a `target`",
                ));
            }
            return self.documents.iter().try_for_each(|document| {
                let index = self.find_by_id(objects, document)?;
                self.merge_into(objects, index, document, warnings)
                    .map(drop)
            });
        };
        let selected: Vec<usize> = (0..objects.len())
            .filter(|&i| target.selects(&objects[i]))
            .collect();
        if selected.is_empty() {
            warnings.push(BuildWarning::at(
                WarningKind::PatchMatchesNothing,
                &target_node.origin,
                "the patch target matches no object, so the patch changes nothing",
            ));
        }
        // Indices stay valid: deleting walks backwards.
        for &index in selected.iter().rev() {
            for document in &self.documents {
                if self.is_json6902() {
                    json6902::apply(&mut objects[index], document)?;
                } else if !self.merge_into(objects, index, document, warnings)? {
                    break;
                }
            }
        }
        Ok(())
    }

    /// The one object a strategic-merge patch without target identifies.
    fn find_by_id(&self, objects: &[Node], document: &Node) -> Result<usize, KustomizeError> {
        let id = ObjectId::of(document);
        let matches: Vec<usize> = (0..objects.len())
            .filter(|&i| had_id(&objects[i], &id))
            .collect();
        let described = format!(
            "{} {} {}{}",
            match id.api_version.as_str() {
                "" => "(no apiVersion)",
                api_version => api_version,
            },
            id.kind,
            id.name,
            match id.namespace.as_str() {
                "" => String::new(),
                namespace => format!(" in namespace {namespace}"),
            }
        );
        match matches.as_slice() {
            [only] => Ok(*only),
            [] => Err(KustomizeError::at(
                &self.origin.origin,
                format!("no object matches the strategic-merge patch for {described}"),
            )),
            _ => Err(KustomizeError::at(
                &self.origin.origin,
                format!(
                    "several objects match the strategic-merge patch for {described}; give a namespace or a target"
                ),
            )),
        }
    }

    /// Merges `document` into `objects[index]`, removing the object on `$patch: delete` and
    /// restoring what kustomize does not let a patch change. False when the object is gone.
    fn merge_into(
        &self,
        objects: &mut Vec<Node>,
        index: usize,
        document: &Node,
        warnings: &mut Vec<BuildWarning>,
    ) -> Result<bool, KustomizeError> {
        if strategic::directive(document) == Some("delete") {
            objects.remove(index);
            return Ok(false);
        }
        let object = &mut objects[index];
        let kept = Kept::of(object);
        if self.options.allow_name_change || self.options.allow_kind_change {
            remember(std::slice::from_mut(object));
        }
        let text = |path: &[&str]| object.str_at(path).unwrap_or_default().to_string();
        let (api_version, kind) = (text(&["apiVersion"]), text(&["kind"]));
        let schema = Schema {
            api_version: &api_version,
            kind: &kind,
        };
        // A patch applied to several objects warns once.
        for warning in strategic::merge(object, document, &schema)? {
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
        kept.restore(object, &self.options);
        Ok(true)
    }
}

/// What a strategic-merge patch may not change: the object's apiVersion and namespace
/// always, its kind and name unless the options allow it.
struct Kept {
    api_version: Option<Node>,
    kind: Option<Node>,
    name: Option<Node>,
    namespace: Option<Node>,
}

impl Kept {
    fn of(object: &Node) -> Kept {
        Kept {
            api_version: object.get("apiVersion").cloned(),
            kind: object.get("kind").cloned(),
            name: object.at(&["metadata", "name"]).cloned(),
            namespace: object.at(&["metadata", "namespace"]).cloned(),
        }
    }

    fn restore(self, object: &mut Node, options: &Options) {
        put(object, &[], "apiVersion", self.api_version);
        if !options.allow_kind_change {
            put(object, &[], "kind", self.kind);
        }
        if !options.allow_name_change {
            put(object, &["metadata"], "name", self.name);
        }
        put(object, &["metadata"], "namespace", self.namespace);
    }
}

/// Sets (or, for `None`, removes) `key` of the mapping at `path`.
fn put(object: &mut Node, path: &[&str], key: &str, value: Option<Node>) {
    let parent = path.iter().fold(object, |node, step| node.map_entry(step));
    match value {
        Some(value) => {
            parent.set(key, value);
        }
        None => {
            parent.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::kustomize::build;
    use crate::manifest::Node;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }

    fn named<'a>(objects: &'a [Node], name: &str) -> &'a Node {
        objects
            .iter()
            .find(|o| o.str_at(&["metadata", "name"]) == Some(name))
            .unwrap()
    }

    const APPS: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        args: [serve]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: api:1\n";

    #[test]
    fn patched_values_carry_the_patch_origin() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("apps.yaml", APPS),
                (
                    "web.yaml",
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:2\n",
                ),
                (
                    "kustomization.yaml",
                    "resources: [apps.yaml]\npatches:\n  - path: web.yaml\n  - target: {name: api}\n    patch: |-\n      - op: replace\n        path: /spec/template/spec/containers/0/image\n        value: api:2\n",
                ),
            ],
        );
        let objects = build(dir.path()).unwrap();
        let web = named(&objects, "web");
        let image = web
            .pointer("/spec/template/spec/containers/0/image")
            .unwrap();
        assert_eq!(image.as_str(), Some("web:2"));
        assert!(image.origin.file.ends_with("web.yaml"), "{}", image.origin);
        assert_eq!((image.origin.line, image.origin.column), (10, 16));
        let args = web
            .pointer("/spec/template/spec/containers/0/args/0")
            .unwrap();
        assert!(args.origin.file.ends_with("apps.yaml"), "{}", args.origin);
        assert_eq!(args.origin.line, 11);

        let api = named(&objects, "api");
        let image = api
            .pointer("/spec/template/spec/containers/0/image")
            .unwrap();
        assert_eq!(image.as_str(), Some("api:2"));
        assert!(
            image.origin.file.ends_with("kustomization.yaml"),
            "{}",
            image.origin
        );
        assert_eq!((image.origin.line, image.origin.column), (8, 16));
    }

    #[test]
    fn recorded_identities_do_not_reach_the_output() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("apps.yaml", APPS),
                (
                    "kustomization.yaml",
                    "resources: [apps.yaml]\nnamePrefix: a-\nnamespace: n\n",
                ),
            ],
        );
        let objects = build(dir.path()).unwrap();
        let keys: Vec<&str> = objects[0]
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);
    }
}
