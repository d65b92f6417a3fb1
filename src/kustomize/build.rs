//! Building one kustomize root: accumulating resources (files, nested kustomizations,
//! components) and running the kustomization's transformers in kustomize's order.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::error::KustomizeError;
use super::generator::generate;
use super::hash::append_hashes;
use super::history::{ObjectId, forget, original, remember};
use super::kustomization::{Kustomization, string_map};
use super::label_specs::{FieldSpec, LabelTargets};
use super::loader::Loader;
use super::name_refs::{Identity, fix_references};
use super::order::SortOrder;
use super::patch::{apply_json6902_patches, apply_patches, identities_before_patches};
use super::replacement::replace;
use super::restrict::confined;
use super::transform::{
    ImageOverride, add_annotations, add_labels, add_name_affixes, override_images, set_namespace,
    set_replicas,
};
use super::warning::BuildWarning;
use crate::manifest::{Node, Value, unwrap_lists};

/// A rendered root: its objects in kustomize's output order, the objects whose identity a
/// transformer changed — what a reference kustomize does not rewrite (an
/// AuthorizationPolicy principal, an `issuerRef`) may still name — and what the build
/// noticed that kustomize accepts silently.
#[derive(Debug)]
pub struct Rendered {
    pub objects: Vec<Node>,
    pub moved: Vec<Moved>,
    pub warnings: Vec<BuildWarning>,
}

/// An object renamed or moved to another namespace while building.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub original: Identity,
    pub current: Identity,
}

/// Renders the kustomization in `dir` into objects, in kustomize's output order.
pub fn build(dir: &Path) -> Result<Vec<Node>, KustomizeError> {
    Ok(build_with(dir, &Loader::new())?.objects)
}

/// Like `build`, reading files through `loader`, which several builds may share, and
/// telling which objects moved.
pub fn build_with(dir: &Path, loader: &Loader) -> Result<Rendered, KustomizeError> {
    let mut stack = Vec::new();
    let mut warnings = Vec::new();
    let mut objects = accumulate(dir, loader, &mut stack, &mut warnings, Vec::new())?;
    // Like kustomize's final back-reference fix: a reference into a sibling subtree (an
    // overlay's two bases) follows renames no single level saw both sides of.
    let originals: Vec<Identity> = objects
        .iter()
        .map(|o| original(o).unwrap_or_else(|| Identity::of(o)))
        .collect();
    fix_references(&mut objects, &originals);
    append_hashes(&mut objects);
    let moved = objects
        .iter()
        .filter_map(|object| {
            Some(Moved {
                original: original(object)?,
                current: Identity::of(object),
            })
        })
        .collect();
    forget(&mut objects);
    settle_annotations(&mut objects);
    // Only the root's `sortOptions` count; the root was read (and cached) by `accumulate`.
    let root = Kustomization::load(&canonical(dir)?, loader)?;
    SortOrder::of(&root)?.apply(&mut objects);
    Ok(Rendered {
        objects,
        moved,
        warnings,
    })
}

/// kustomize writes `metadata.annotations` back at the end as a map of strings, through a
/// setter that leaves out an empty or null map: a number or boolean becomes its text, a
/// nested map or list the empty string. Labels it leaves as they were.
fn settle_annotations(objects: &mut [Node]) {
    for object in objects {
        let Some(metadata) = object.get_mut("metadata") else {
            continue;
        };
        let Some(annotations) = metadata.get_mut("annotations") else {
            continue;
        };
        match &mut annotations.value {
            Value::Map(entries) if !entries.is_empty() => {
                for (_, value) in entries.iter_mut() {
                    let text = match &value.value {
                        Value::String(_) => continue,
                        Value::Null => "null".to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        Value::Seq(_) | Value::Map(_) => String::new(),
                    };
                    value.value = Value::String(text);
                }
            }
            Value::Map(_) | Value::Null => {
                metadata.remove("annotations");
            }
            _ => {}
        }
    }
}

/// Adds the objects of the kustomization (or component) in `dir` to `objects`, then applies
/// its transformers to all of them. `stack` holds the directories being built, for cycles.
fn accumulate(
    dir: &Path,
    loader: &Loader,
    stack: &mut Vec<PathBuf>,
    warnings: &mut Vec<BuildWarning>,
    mut objects: Vec<Node>,
) -> Result<Vec<Node>, KustomizeError> {
    let canonical = canonical(dir)?;
    if stack.contains(&canonical) {
        let chain: Vec<String> = stack
            .iter()
            .chain(std::iter::once(&canonical))
            .map(|p| p.display().to_string())
            .collect();
        return Err(KustomizeError {
            origin: None,
            message: format!("cycle between kustomizations: {}", chain.join(" -> ")),
        });
    }
    stack.push(canonical.clone());
    let kustomization = Kustomization::load(&canonical, loader)?;
    // Two resources with the same id in one kustomization are an error in kustomize ("already
    // registered id"), which also keeps a tree listing one base twice per level from growing
    // exponentially.
    let mut registered: HashSet<ObjectId> = objects.iter().map(ObjectId::of).collect();
    for key in ["bases", "resources"] {
        for (entry, node) in kustomization.string_list(key)? {
            let loaded = load_resource(&canonical, entry, node, loader, stack, warnings)?;
            for object in &loaded {
                let id = ObjectId::of(object);
                if registered.contains(&id) {
                    return Err(KustomizeError::at(
                        &node.origin,
                        format!(
                            "{entry}: may not add resource with an already registered id: {}",
                            registered_id(&id)
                        ),
                    ));
                }
                registered.insert(id);
            }
            objects.extend(loaded);
        }
    }
    for (entry, node) in kustomization.string_list("components")? {
        let path = local_path(&canonical, entry, node)?;
        enter(stack, &path, node)?;
        expect_kind(&path, loader, node, true)?;
        objects = accumulate(&path, loader, stack, warnings, objects)?;
    }
    generate(&kustomization, &mut objects)?;
    for (entry, node) in kustomization.string_list("crds")? {
        // CRD files only teach kustomize about custom kinds; their content is not output.
        let path = local_path(&canonical, entry, node)?;
        if !path.is_file() {
            return Err(KustomizeError::at(
                &node.origin,
                format!("crds: {entry}: no such file"),
            ));
        }
    }
    transform(&kustomization, &mut objects, warnings)?;
    stack.pop();
    Ok(objects)
}

fn canonical(dir: &Path) -> Result<PathBuf, KustomizeError> {
    dir.canonicalize().map_err(|e| KustomizeError {
        origin: None,
        message: format!("{}: {e}", dir.display()),
    })
}

/// A resource entry: a file of manifests, or a directory holding a kustomization.
fn load_resource(
    dir: &Path,
    entry: &str,
    node: &Node,
    loader: &Loader,
    stack: &mut Vec<PathBuf>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<Vec<Node>, KustomizeError> {
    let path = local_path(dir, entry, node)?;
    if path.is_dir() {
        if Kustomization::find(&path).is_none() {
            return Err(KustomizeError::at(
                &node.origin,
                format!("{entry}: directory has no kustomization.yaml"),
            ));
        }
        enter(stack, &path, node)?;
        expect_kind(&path, loader, node, false)?;
        return accumulate(&path, loader, stack, warnings, Vec::new());
    }
    confined(dir, &path)
        .map_err(|why| KustomizeError::at(&node.origin, format!("{entry}: {why}")))?;
    let documents = loader.load(&path)?;
    let objects = unwrap_lists(documents);
    for object in &objects {
        if object.str_at(&["kind"]).is_none() || object.str_at(&["metadata", "name"]).is_none() {
            return Err(KustomizeError::at(
                &object.origin,
                "a resource needs `kind` and `metadata.name`",
            ));
        }
    }
    Ok(objects)
}

/// kustomize's rule for the kustomization in `dir`, named by `node`: a `components:`
/// entry must be a Component, a `resources:` entry must not be one (no `kind` is a
/// Kustomization).
fn expect_kind(
    dir: &Path,
    loader: &Loader,
    node: &Node,
    component: bool,
) -> Result<(), KustomizeError> {
    let kustomization = Kustomization::load(&canonical(dir)?, loader)?;
    let kind = kustomization.string("kind")?.unwrap_or("Kustomization");
    let entry = node.as_str().unwrap_or_default();
    match (component, kind == "Component") {
        (true, false) => Err(KustomizeError::at(
            &node.origin,
            format!("{entry}: expected kind 'Component' but got '{kind}'"),
        )),
        (false, true) => Err(KustomizeError::at(
            &node.origin,
            format!("{entry}: expected kind != 'Component'; list a Component under `components:`"),
        )),
        _ => Ok(()),
    }
}

/// How deep kustomizations may nest (a root, its bases, their bases, ...). kustomize has no
/// limit but real trees stay within a few dozen; past this a tree is refused with the entry
/// that goes too deep, instead of exhausting the stack.
pub const MAX_DEPTH: usize = 100;

/// Checks that the kustomization directory `path`, named by `node`, may be built from the
/// root at the bottom of `stack`: not too deep, and inside the Git repository the root is in.
/// kustomize itself reads any directory; meshwright never reads outside the repository, so a
/// git revision renders exactly as its checkout (a revision's snapshot is a repository of its
/// own) and nothing beside the repository can be smuggled into a build.
fn enter(stack: &[PathBuf], path: &Path, node: &Node) -> Result<(), KustomizeError> {
    if stack.len() >= MAX_DEPTH {
        return Err(KustomizeError::at(
            &node.origin,
            format!(
                "kustomizations nest more than {MAX_DEPTH} levels deep here; meshwright refuses deeper trees"
            ),
        ));
    }
    let repository = stack.first().and_then(|root| {
        root.ancestors()
            .find(|dir| dir.join(".git").exists())
            .map(Path::to_path_buf)
    });
    if let Some(repository) = repository
        && !path
            .canonicalize()
            .is_ok_and(|dir| dir.starts_with(&repository))
    {
        return Err(KustomizeError::at(
            &node.origin,
            format!(
                "{}: directory is outside the Git repository; meshwright reads nothing outside it",
                node.as_str().unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// The id kustomize registers a resource under while accumulating, as its error prints it.
fn registered_id(id: &ObjectId) -> String {
    let namespace = if id.namespace.is_empty() {
        "[noNs]"
    } else {
        &id.namespace
    };
    format!("{} {} {namespace}/{}", id.api_version, id.kind, id.name)
}

/// A relative path inside the repository; remote resources are refused.
fn local_path(dir: &Path, entry: &str, node: &Node) -> Result<PathBuf, KustomizeError> {
    if entry.contains("://") || entry.starts_with("github.com/") || entry.starts_with("git@") {
        return Err(KustomizeError::at(
            &node.origin,
            format!("{entry}: remote resources are not supported; vendor them into the repository"),
        ));
    }
    Ok(dir.join(entry))
}

/// The kustomization's own transformers, in the order kustomize runs them.
fn transform(
    kustomization: &Kustomization,
    objects: &mut Vec<Node>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<(), KustomizeError> {
    remember(objects);
    apply_patches(kustomization, objects, warnings)?;
    let before = identities_before_patches(objects);
    remember(objects);
    if let Some(node) = kustomization.field("namespace") {
        let namespace = kustomization.string("namespace")?.unwrap_or_default();
        set_namespace(objects, namespace, node);
    }
    let prefix = kustomization.string("namePrefix")?.unwrap_or_default();
    let suffix = kustomization.string("nameSuffix")?.unwrap_or_default();
    if !prefix.is_empty() || !suffix.is_empty() {
        remember(objects);
        add_name_affixes(objects, prefix, suffix);
    }
    if let Some(node) = kustomization.field("commonLabels") {
        let pairs = kustomization.string_map("commonLabels")?;
        let targets = LabelTargets {
            templates: true,
            selectors: true,
            fields: Vec::new(),
        };
        add_labels(objects, &pairs, node, &targets);
    }
    for entry in kustomization.list("labels")? {
        let pairs = match entry.get("pairs") {
            Some(pairs) => string_map(pairs, "labels.pairs")?,
            None => Vec::new(),
        };
        let flag = |key: &str| entry.get(key).is_some_and(|v| v.value == Value::Bool(true));
        let fields = match entry.get("fields").filter(|f| !f.is_null()) {
            Some(fields) => fields
                .as_seq()
                .ok_or_else(|| {
                    KustomizeError::at(&fields.origin, "`labels.fields` must be a list")
                })?
                .iter()
                .map(FieldSpec::parse)
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let targets = LabelTargets {
            templates: flag("includeTemplates"),
            selectors: flag("includeSelectors"),
            fields,
        };
        add_labels(objects, &pairs, entry, &targets);
    }
    if let Some(node) = kustomization.field("commonAnnotations") {
        let pairs = kustomization.string_map("commonAnnotations")?;
        add_annotations(objects, &pairs, node);
    }
    apply_json6902_patches(kustomization, objects, warnings)?;
    set_replicas(objects, kustomization.list("replicas")?)?;
    let overrides = kustomization
        .list("images")?
        .iter()
        .map(ImageOverride::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if !overrides.is_empty() {
        override_images(objects, &overrides);
    }
    fix_references(objects, &before);
    replace(kustomization, objects)?;
    Ok(())
}
