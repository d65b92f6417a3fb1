//! `replacements:` — copying a value from one object (the source) into fields of others
//! (the targets), the last transformer of a kustomization, with kustomize's selection,
//! `delimiter`/`index` and `create` options.
//!
//! A replaced value carries the origin of the source value: the place a person edits to
//! change it. A scalar written into an existing scalar keeps the target's type (`replicas:
//! 1` takes `"3"` as the number 3, a string field takes 8080 as `"8080"`), as kustomize does.

use std::path::Path;

use super::budget;
use super::error::KustomizeError;
use super::field_path::{FieldPath, scalar_text};
use super::generator::read_local;
use super::history::identities;
use super::kustomization::{Kustomization, known_keys};
use super::label_selector::LabelSelector;
use super::name_refs::Identity;
use crate::manifest::{Node, Value, parse_documents};

/// Runs every replacement of `kustomization` over `objects`, in order.
pub fn replace(kustomization: &Kustomization, objects: &mut [Node]) -> Result<(), KustomizeError> {
    replace_entries(
        &kustomization.dir,
        kustomization.list("replacements")?,
        objects,
    )
}

/// Runs the replacements `entries` (inline, or `path:` to a file relative to `dir`), in
/// order.
pub fn replace_entries(
    dir: &Path,
    entries: &[Node],
    objects: &mut [Node],
) -> Result<(), KustomizeError> {
    for entry in entries {
        for replacement in expand(dir, entry)? {
            apply(&replacement, objects)?;
            for object in objects.iter() {
                budget::check(object, &replacement, "replacement")?;
            }
        }
    }
    Ok(())
}

/// An inline replacement, or the replacements of the file its `path:` names.
fn expand(dir: &Path, entry: &Node) -> Result<Vec<Node>, KustomizeError> {
    let Some(path_node) = entry.get("path") else {
        return Ok(vec![entry.clone()]);
    };
    known_keys(entry, &["path"], "replacements")?;
    let path = path_node.as_str().ok_or_else(|| {
        KustomizeError::at(&path_node.origin, "replacements: `path` must be a string")
    })?;
    let (file, bytes) = read_local(dir, path, path_node, "replacements")?;
    let mut replacements = Vec::new();
    for document in parse_documents(&file, &bytes)? {
        match &document.value {
            Value::Seq(items) => replacements.extend(items.iter().cloned()),
            Value::Map(_) => replacements.push(document),
            _ => {
                return Err(KustomizeError::at(
                    &document.origin,
                    "replacements: a replacements file holds a list of replacements",
                ));
            }
        }
    }
    Ok(replacements)
}

/// A string field of a replacement's mapping.
fn text(node: &Node, key: &str) -> Result<Option<String>, KustomizeError> {
    match node.get(key).map(|n| (&n.value, n)) {
        None | Some((Value::Null, _)) => Ok(None),
        Some((Value::String(s), _)) => Ok(Some(s.clone())),
        Some((_, n)) => Err(KustomizeError::at(
            &n.origin,
            format!("replacements: `{key}` must be a string"),
        )),
    }
}

const SELECTOR_KEYS: [&str; 7] = [
    "group",
    "version",
    "kind",
    "name",
    "namespace",
    "labelSelector",
    "annotationSelector",
];

/// Which objects a source, `select` or `reject` means.
struct Selector {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    namespace: Option<String>,
    labels: Option<LabelSelector>,
    annotations: Option<LabelSelector>,
}

impl Selector {
    /// A selector mapping; `extra` are the other keys its mapping may hold.
    fn parse(node: &Node, extra: &[&str]) -> Result<Selector, KustomizeError> {
        let allowed: Vec<&str> = SELECTOR_KEYS.iter().chain(extra).copied().collect();
        known_keys(node, &allowed, "replacements: selector")?;
        let selector = |key: &str| -> Result<Option<LabelSelector>, KustomizeError> {
            text(node, key)?
                .filter(|s| !s.is_empty())
                .map(|s| {
                    LabelSelector::parse(&s).map_err(|why| {
                        KustomizeError::at(&node.origin, format!("replacements: `{key}`: {why}"))
                    })
                })
                .transpose()
        };
        let field = |key: &str| Ok::<_, KustomizeError>(text(node, key)?.filter(|s| !s.is_empty()));
        Ok(Selector {
            group: field("group")?,
            version: field("version")?,
            kind: field("kind")?,
            name: field("name")?,
            namespace: field("namespace")?,
            labels: selector("labelSelector")?,
            annotations: selector("annotationSelector")?,
        })
    }

    fn has_id(&self) -> bool {
        [
            &self.group,
            &self.version,
            &self.kind,
            &self.name,
            &self.namespace,
        ]
        .iter()
        .any(|f| f.is_some())
    }

    fn has_metadata_selector(&self) -> bool {
        self.labels.is_some() || self.annotations.is_some()
    }

    /// Group and version of `object`, kind, name and namespace of `id`, one of its current
    /// or previous identities (`""` and `default` are the same namespace).
    fn selects_id(&self, object: &Node, id: &Identity) -> bool {
        let api_version = object.str_at(&["apiVersion"]).unwrap_or_default();
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let namespace = |ns: &str| if ns.is_empty() { "default" } else { ns }.to_string();
        let same =
            |wanted: &Option<String>, actual: &str| wanted.as_ref().is_none_or(|w| w == actual);
        same(&self.group, group)
            && same(&self.version, version)
            && same(&self.kind, &id.kind)
            && same(&self.name, &id.name)
            && same(
                &self.namespace.as_deref().map(namespace),
                &namespace(&id.namespace),
            )
    }

    /// Whether any identity `object` has or had is selected.
    fn selects_any_id(&self, object: &Node) -> bool {
        identities(object)
            .iter()
            .any(|id| self.selects_id(object, id))
    }

    fn selects_metadata(&self, object: &Node) -> bool {
        let pairs = |field: &str| -> Vec<(String, String)> {
            object
                .at(&["metadata", field])
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .filter_map(|(k, v)| scalar_text(v).map(|v| (k.clone(), v)))
                .collect()
        };
        self.labels
            .as_ref()
            .is_none_or(|s| s.matches(&pairs("labels")))
            && self
                .annotations
                .as_ref()
                .is_none_or(|s| s.matches(&pairs("annotations")))
    }
}

/// `options:` of a source or target.
#[derive(Default)]
struct FieldOptions {
    delimiter: Option<String>,
    index: i64,
    create: bool,
}

impl FieldOptions {
    fn parse(owner: &Node) -> Result<FieldOptions, KustomizeError> {
        let Some(node) = owner.get("options").filter(|n| !n.is_null()) else {
            return Ok(FieldOptions::default());
        };
        known_keys(
            node,
            &["delimiter", "index", "create"],
            "replacements: options",
        )?;
        let index = match node.get("index").map(|n| (&n.value, n)) {
            None => 0,
            Some((Value::Number(n), at)) => n.as_i64().ok_or_else(|| {
                KustomizeError::at(&at.origin, "replacements: `index` must be an integer")
            })?,
            Some((_, at)) => {
                return Err(KustomizeError::at(
                    &at.origin,
                    "replacements: `index` must be an integer",
                ));
            }
        };
        Ok(FieldOptions {
            delimiter: text(node, "delimiter")?.filter(|d| !d.is_empty()),
            index,
            create: node
                .get("create")
                .is_some_and(|c| c.value == Value::Bool(true)),
        })
    }
}

fn field_path(node: &Node) -> Result<FieldPath, KustomizeError> {
    let text = node.as_str().ok_or_else(|| {
        KustomizeError::at(&node.origin, "replacements: a field path must be a string")
    })?;
    FieldPath::parse(text).map_err(|why| {
        KustomizeError::at(
            &node.origin,
            format!("replacements: field path `{text}`: {why}"),
        )
    })
}

/// A readable name of an object for messages.
fn describe(object: &Node) -> String {
    let text = |path: &[&str]| object.str_at(path).unwrap_or("?").to_string();
    match object.str_at(&["metadata", "namespace"]) {
        Some(namespace) => format!(
            "{}/{} in namespace {namespace}",
            text(&["kind"]),
            text(&["metadata", "name"])
        ),
        None => format!("{}/{}", text(&["kind"]), text(&["metadata", "name"])),
    }
}

fn apply(replacement: &Node, objects: &mut [Node]) -> Result<(), KustomizeError> {
    known_keys(replacement, &["source", "targets"], "replacements")?;
    let (Some(source), Some(targets)) = (replacement.get("source"), replacement.get("targets"))
    else {
        return Err(KustomizeError::at(
            &replacement.origin,
            "replacements: a replacement needs `source` and `targets` (or `path`)",
        ));
    };
    let value = source_value(source, objects)?;
    let targets = targets.as_seq().ok_or_else(|| {
        KustomizeError::at(&targets.origin, "replacements: `targets` must be a list")
    })?;
    for target in targets {
        apply_target(target, &value, objects)?;
    }
    Ok(())
}

/// The value a source selects, refined by its `delimiter`/`index` options.
fn source_value(source: &Node, objects: &[Node]) -> Result<Node, KustomizeError> {
    let selector = Selector::parse(source, &["fieldPath", "options"])?;
    let matches: Vec<&Node> = objects
        .iter()
        .filter(|o| selector.selects_any_id(o))
        .collect();
    let object = match matches.as_slice() {
        [only] => *only,
        [] => {
            return Err(KustomizeError::at(
                &source.origin,
                "replacements: the source selects no object",
            ));
        }
        several => {
            let names: Vec<String> = several.iter().map(|o| describe(o)).collect();
            return Err(KustomizeError::at(
                &source.origin,
                format!(
                    "replacements: the source selects {} objects: {}",
                    several.len(),
                    names.join(", ")
                ),
            ));
        }
    };
    let path_node = source.get("fieldPath").filter(|n| !n.is_null());
    let path = match path_node {
        Some(node) => field_path(node)?,
        None => FieldPath::parse("metadata.name").expect("valid path"),
    };
    let value = path
        .lookup(object)
        .filter(|v| !is_nil_or_empty(v))
        .ok_or_else(|| {
            KustomizeError::at(
                &path_node.unwrap_or(source).origin,
                format!(
                    "replacements: field path `{}` is missing in the source {}",
                    path.text,
                    describe(object)
                ),
            )
        })?;
    let options = FieldOptions::parse(source)?;
    let Some(delimiter) = &options.delimiter else {
        return Ok(value);
    };
    let at = &source.get("options").unwrap_or(source).origin;
    let text = scalar_text(&value).ok_or_else(|| {
        KustomizeError::at(at, "replacements: `delimiter` needs a scalar source value")
    })?;
    let part = usize::try_from(options.index)
        .ok()
        .and_then(|index| text.split(delimiter.as_str()).nth(index))
        .ok_or_else(|| {
            KustomizeError::at(
                at,
                format!(
                    "replacements: `index` {} is out of bounds for the source value",
                    options.index
                ),
            )
        })?;
    Ok(Node::string(part, value.origin))
}

fn is_nil_or_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Map(entries) => entries.is_empty(),
        Value::Seq(items) => items.is_empty(),
        _ => false,
    }
}

fn apply_target(target: &Node, value: &Node, objects: &mut [Node]) -> Result<(), KustomizeError> {
    known_keys(
        target,
        &["select", "reject", "fieldPaths", "options"],
        "replacements: target",
    )?;
    let select = target
        .get("select")
        .filter(|n| !n.is_null())
        .ok_or_else(|| {
            KustomizeError::at(&target.origin, "replacements: a target needs `select`")
        })?;
    let select = Selector::parse(select, &[])?;
    let rejects = match target.get("reject").filter(|n| !n.is_null()) {
        None => Vec::new(),
        Some(node) => node
            .as_seq()
            .ok_or_else(|| {
                KustomizeError::at(&node.origin, "replacements: `reject` must be a list")
            })?
            .iter()
            .map(|node| Selector::parse(node, &[]))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let default_path = Node::string("metadata.name", target.origin.clone());
    let path_nodes: Vec<&Node> = match target.get("fieldPaths").and_then(Node::as_seq) {
        Some(nodes) if !nodes.is_empty() => nodes.iter().collect(),
        _ => vec![&default_path],
    };
    let paths = path_nodes
        .iter()
        .map(|node| field_path(node).map(|path| (path, *node)))
        .collect::<Result<Vec<_>, _>>()?;
    let options = FieldOptions::parse(target)?;
    // As kustomize (`containsRejectId`): a reject drops the object when its labels or
    // annotations match, or when its id selects any identity the object has or had
    // (`name: web` still rejects `web-dev`).
    let rejected = |object: &Node| {
        rejects.iter().any(|r| {
            (r.has_metadata_selector() && r.selects_metadata(object))
                || (r.has_id() && r.selects_any_id(object))
        })
    };
    for object in objects.iter_mut() {
        if !select.selects_metadata(object) || rejected(object) || !select.selects_any_id(object) {
            continue;
        }
        let name = describe(object);
        for (path, node) in &paths {
            let mut failure = None;
            let reached = path.visit(object, options.create, &mut |field, fresh| {
                if let Err(why) = set_value(field, fresh, value, &options) {
                    failure = Some(why);
                }
            });
            if let Some(why) = failure {
                return Err(KustomizeError::at(
                    &node.origin,
                    format!("replacements: {why}"),
                ));
            }
            if reached == 0 {
                let hint = if options.create {
                    ""
                } else {
                    " (set `options.create: true` to add it)"
                };
                return Err(KustomizeError::at(
                    &node.origin,
                    format!(
                        "replacements: field path `{}` is missing in the target {name}{hint}",
                        path.text
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Writes `value` into `target` (`fresh` when just created), splicing it in with
/// `delimiter`/`index` when asked. Messages never quote the value: it may be a secret.
fn set_value(
    target: &mut Node,
    fresh: bool,
    value: &Node,
    options: &FieldOptions,
) -> Result<(), String> {
    let mut value = value.clone();
    if let Some(delimiter) = &options.delimiter {
        let (Some(current), Some(part)) = (scalar_text(target), scalar_text(&value)) else {
            return Err("`delimiter` can only be used with scalar values".to_string());
        };
        let mut parts: Vec<&str> = current.split(delimiter.as_str()).collect();
        match usize::try_from(options.index) {
            Err(_) => parts.insert(0, &part),
            Ok(index) if index >= parts.len() => parts.push(&part),
            Ok(index) => parts[index] = &part,
        }
        value = Node::string(parts.join(delimiter), value.origin);
    }
    let Some(text) = scalar_text(&value) else {
        *target = value;
        return Ok(());
    };
    let mismatch =
        |what: &str| format!("the target field is {what}; the value does not read as {what}");
    let converted = match &target.value {
        _ if fresh => plain(text),
        Value::String(_) => Value::String(text),
        Value::Number(n) if n.is_f64() => number(&text).ok_or_else(|| mismatch("a number"))?,
        Value::Number(_) => integer(&text).ok_or_else(|| mismatch("an integer"))?,
        Value::Bool(_) => boolean(&text).ok_or_else(|| mismatch("true or false"))?,
        Value::Null => match plain(text) {
            Value::Null => Value::Null,
            _ => return Err(mismatch("null")),
        },
        Value::Map(_) | Value::Seq(_) => value.value,
    };
    *target = Node::new(converted, value.origin);
    Ok(())
}

fn number(text: &str) -> Option<Value> {
    serde_json::from_str::<serde_json::Number>(text)
        .ok()
        .map(Value::Number)
}

fn integer(text: &str) -> Option<Value> {
    number(text).filter(|n| matches!(n, Value::Number(n) if !n.is_f64()))
}

fn boolean(text: &str) -> Option<Value> {
    match text {
        "true" | "True" | "TRUE" => Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => Some(Value::Bool(false)),
        _ => None,
    }
}

/// A scalar in a field kustomize created: untyped, so read as YAML reads a plain scalar
/// (with YAML 1.1's octal `0755`, as kubectl kustomize prints it).
fn plain(text: String) -> Value {
    if matches!(text.as_str(), "null" | "Null" | "NULL" | "~") {
        return Value::Null;
    }
    let radix = |digits: &str, radix: u32| i64::from_str_radix(digits, radix).ok();
    let prefixed = match text.as_bytes() {
        [b'0', b'x', ..] => radix(&text[2..], 16),
        [b'0', b'o', ..] => radix(&text[2..], 8),
        [b'0', _, ..] if text.bytes().all(|b| b.is_ascii_digit()) => radix(&text[1..], 8),
        _ => None,
    };
    prefixed
        .map(|n| Value::Number(n.into()))
        .or_else(|| number(&text))
        .or_else(|| boolean(&text))
        .unwrap_or(Value::String(text))
}
