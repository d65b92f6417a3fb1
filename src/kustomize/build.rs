//! Building one kustomize root: accumulating resources (files, nested kustomizations,
//! components) and running the kustomization's transformers in kustomize's order.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::build_metadata::{BuildMetadata, Level};
use super::crds;
use super::custom_fields;
use super::error::KustomizeError;
use super::field_path::scalar_text;
use super::field_specs::FieldSpec;
use super::generator::generate;
use super::hash::append_hashes;
use super::history::{ObjectId, forget, mark_id_stored, original, remember};
use super::kustomization::{Kustomization, string_map};
use super::loader::Loader;
use super::metadata_specs::{LabelTargets, annotation_specs};
use super::name_refs::{Identity, fix_all_references};
use super::order::SortOrder;
use super::patch::{apply_json6902_patches, apply_patches, source};
use super::plugin;
use super::replacement::replace;
use super::restrict::confined;
use super::transform::{
    ImageOverride, add_name_affixes, override_images, override_images_at, set_namespace,
    set_replicas,
};
use super::transformer_config::{TransformerConfig, parse_spec};
use super::vars::{self, Var};
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
    let metadata = root_build_metadata(dir, loader)?;
    let mut warnings = Vec::new();
    let accumulated = accumulate(
        dir,
        loader,
        &mut stack,
        &mut warnings,
        Accumulated::default(),
        metadata.root_path(),
    )?;
    let mut objects = accumulated.objects;
    // As in kustomize, references follow renames once, after every level's transformers.
    let custom_references = &accumulated.config.name_reference;
    fix_all_references(&mut objects, custom_references)?;
    append_hashes(&mut objects, custom_references)?;
    vars::resolve(
        &mut objects,
        &accumulated.vars,
        &accumulated.config.var_reference,
    )?;
    drop_local_configs(&mut objects);
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
    metadata.finish(&mut objects);
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

/// The root kustomization's `buildMetadata`, which decides for the whole tree (none when
/// there is no kustomization: `accumulate` says what is wrong).
fn root_build_metadata(dir: &Path, loader: &Loader) -> Result<BuildMetadata, KustomizeError> {
    match dir.canonicalize() {
        Ok(root) if Kustomization::find(&root).is_some() => {
            BuildMetadata::of(&Kustomization::load(&root, loader)?)
        }
        _ => Ok(BuildMetadata::default()),
    }
}

/// kustomize's last step (`IgnoreLocal`): objects annotated
/// `config.kubernetes.io/local-config` (other than `"false"`) only served the build — as
/// name reference sources, var targets, replacement sources — and are not output.
fn drop_local_configs(objects: &mut Vec<Node>) {
    objects.retain(|object| {
        object
            .at(&[
                "metadata",
                "annotations",
                "config.kubernetes.io/local-config",
            ])
            .and_then(scalar_text)
            .is_none_or(|value| value == "false")
    });
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

/// What building a kustomization collects (kustomize's `ResAccumulator`): its objects, the
/// transformer configuration it and what it includes declare, and their vars.
#[derive(Default)]
struct Accumulated {
    objects: Vec<Node>,
    config: TransformerConfig,
    vars: Vec<Var>,
}

impl Accumulated {
    /// Takes in what an included kustomization accumulated; `entry` names it.
    fn absorb(&mut self, other: Accumulated, entry: &Node) -> Result<(), KustomizeError> {
        self.objects.extend(other.objects);
        self.config.merge(&other.config, entry)?;
        vars::absorb(&mut self.vars, other.vars)
    }
}

/// Adds the objects of the kustomization (or component) in `dir` to `accumulated`, then
/// applies its transformers to all of them. `stack` holds the directories being built, for
/// cycles; `origin_path` is the directory's path from the root when origins are tracked.
fn accumulate(
    dir: &Path,
    loader: &Loader,
    stack: &mut Vec<PathBuf>,
    warnings: &mut Vec<BuildWarning>,
    mut accumulated: Accumulated,
    origin_path: Option<String>,
) -> Result<Accumulated, KustomizeError> {
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
    let level = origin_path.map(|path| Level::new(path, &kustomization));
    let level = level.as_ref();
    // Two resources with the same id in one kustomization are an error in kustomize ("already
    // registered id"), which also keeps a tree listing one base twice per level from growing
    // exponentially.
    let mut registered: HashSet<ObjectId> = accumulated.objects.iter().map(ObjectId::of).collect();
    for key in ["bases", "resources"] {
        for (entry, node) in kustomization.string_list(key)? {
            let loaded = load_resource(&canonical, entry, node, loader, stack, warnings, level)?;
            for object in &loaded.objects {
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
            accumulated.absorb(loaded, node)?;
        }
    }
    let config = TransformerConfig::load(&kustomization, loader)?;
    accumulated.config.merge(&config, &kustomization.root)?;
    accumulated
        .config
        .merge(&crds::load(&kustomization, loader)?, &kustomization.root)?;
    generate(&kustomization, &mut accumulated.objects, level)?;
    let generators = plugin_configs(
        &canonical,
        &kustomization,
        "generators",
        loader,
        stack,
        warnings,
        level,
    )?;
    plugin::generate(&canonical, &generators, &mut accumulated.objects)?;
    // Components come after the generators, so their transformers see what those made.
    for (entry, node) in kustomization.string_list("components")? {
        let path = local_path(&canonical, entry, node)?;
        enter(stack, &path, node)?;
        expect_kind(&path, loader, node, true)?;
        let child = level.map(|l| l.child_path(entry));
        accumulated = accumulate(&path, loader, stack, warnings, accumulated, child)?;
    }
    let transformers = plugin_configs(
        &canonical,
        &kustomization,
        "transformers",
        loader,
        stack,
        warnings,
        level,
    )?;
    let objects = &mut accumulated.objects;
    transform(
        &kustomization,
        &transformers,
        &accumulated.config,
        objects,
        level,
        warnings,
    )?;
    vars::merge(
        objects,
        &mut accumulated.vars,
        vars::declared(&kustomization)?,
    )?;
    stack.pop();
    Ok(accumulated)
}

/// The builtin plugin configs a `generators:` or `transformers:` field (`key`) lists: inline
/// YAML, files, or kustomization directories whose output are configs (as kustomize reads
/// them, like resources). As in kustomize, the inline ones come first, then the others,
/// each in the order listed.
fn plugin_configs(
    dir: &Path,
    kustomization: &Kustomization,
    key: &str,
    loader: &Loader,
    stack: &mut Vec<PathBuf>,
    warnings: &mut Vec<BuildWarning>,
    level: Option<&Level>,
) -> Result<Vec<Node>, KustomizeError> {
    let mut inline = Vec::new();
    let mut loaded = Vec::new();
    for (entry, node) in kustomization.string_list(key)? {
        // kustomize reads an entry that parses as objects as inline YAML, else as a path.
        if entry.contains('\n') || entry.trim_start().starts_with('{') {
            inline.extend(source::inline(node)?);
        } else {
            loaded.extend(load_resource(dir, entry, node, loader, stack, warnings, level)?.objects);
        }
    }
    if let Some(level) = level {
        level.annotate_inline(&mut inline);
    }
    inline.extend(loaded);
    forget(&mut inline);
    Ok(inline)
}

fn canonical(dir: &Path) -> Result<PathBuf, KustomizeError> {
    dir.canonicalize().map_err(|e| KustomizeError {
        origin: None,
        message: format!("{}: {e}", dir.display()),
    })
}

/// A resource entry: a file of manifests, or a directory holding a kustomization; with
/// `level`, objects get their origin.
fn load_resource(
    dir: &Path,
    entry: &str,
    node: &Node,
    loader: &Loader,
    stack: &mut Vec<PathBuf>,
    warnings: &mut Vec<BuildWarning>,
    level: Option<&Level>,
) -> Result<Accumulated, KustomizeError> {
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
        let child = level.map(|l| l.child_path(entry));
        return accumulate(
            &path,
            loader,
            stack,
            warnings,
            Accumulated::default(),
            child,
        );
    }
    confined(dir, &path)
        .map_err(|why| KustomizeError::at(&node.origin, format!("{entry}: {why}")))?;
    let documents = loader.load(&path)?;
    let mut objects = unwrap_lists(documents);
    if let Some(level) = level {
        level.annotate_file(entry, &mut objects);
    }
    for object in &objects {
        if object.str_at(&["kind"]).is_none() || object.str_at(&["metadata", "name"]).is_none() {
            return Err(KustomizeError::at(
                &object.origin,
                "a resource needs `kind` and `metadata.name`",
            ));
        }
    }
    Ok(Accumulated {
        objects,
        ..Accumulated::default()
    })
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
    plugins: &[Node],
    config: &TransformerConfig,
    objects: &mut Vec<Node>,
    level: Option<&Level>,
    warnings: &mut Vec<BuildWarning>,
) -> Result<(), KustomizeError> {
    remember(objects);
    apply_patches(kustomization, objects, warnings)?;
    remember(objects);
    if let Some(node) = kustomization.field("namespace") {
        let namespace = kustomization.string("namespace")?.unwrap_or_default();
        set_namespace(objects, namespace, node);
        if !namespace.is_empty() {
            objects.iter_mut().for_each(mark_id_stored);
        }
        custom_fields::set_namespace_at(objects, &config.namespace, namespace, node)?;
    }
    let prefix = kustomization.string("namePrefix")?.unwrap_or_default();
    let suffix = kustomization.string("nameSuffix")?.unwrap_or_default();
    if !prefix.is_empty() || !suffix.is_empty() {
        remember(objects);
        add_name_affixes(
            objects,
            prefix,
            suffix,
            &config.name_prefix,
            &config.name_suffix,
        )?;
    }
    if let Some(node) = kustomization.field("commonLabels") {
        let pairs = kustomization.string_map("commonLabels")?;
        let targets = LabelTargets {
            templates: true,
            selectors: true,
            fields: Vec::new(),
        };
        let specs = [targets.specs(), config.common_labels.clone()].concat();
        custom_fields::add_pairs(objects, &specs, &pairs, node)?;
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
                .map(parse_spec)
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let targets = LabelTargets {
            templates: flag("includeTemplates"),
            selectors: flag("includeSelectors"),
            fields,
        };
        let reached: &[FieldSpec] = if targets.selectors {
            &config.common_labels
        } else if targets.templates {
            &config.template_labels
        } else {
            &[]
        };
        let specs = [targets.specs(), config.labels.clone(), reached.to_vec()].concat();
        custom_fields::add_pairs(objects, &specs, &pairs, entry)?;
    }
    if let Some(node) = kustomization.field("commonAnnotations") {
        let pairs = kustomization.string_map("commonAnnotations")?;
        let specs = [annotation_specs(), &config.common_annotations].concat();
        custom_fields::add_pairs(objects, &specs, &pairs, node)?;
    }
    apply_json6902_patches(kustomization, objects, warnings)?;
    set_replicas(objects, kustomization.list("replicas")?, &config.replicas)?;
    let overrides = kustomization
        .list("images")?
        .iter()
        .map(ImageOverride::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if !overrides.is_empty() {
        override_images(objects, &overrides);
        override_images_at(objects, &overrides, &config.images)?;
    }
    replace(kustomization, objects)?;
    if let Some(level) = level {
        level.record_fields(kustomization, objects)?;
    }
    // `transformers:` run after all the fields.
    if !plugins.is_empty() {
        remember(objects);
        plugin::transform(&kustomization.dir, plugins, objects, warnings)?;
    }
    Ok(())
}
