//! `configMapGenerator` and `secretGenerator`: ConfigMaps and Secrets made from literals,
//! files and env files, shaped by `generatorOptions` and per-entry `options`, created or
//! merged into / replacing a generated object of a base (`behavior`).
//!
//! Every data key carries the origin of what produced it (the literal or file entry, or the
//! env file line); the object itself carries the origin of the entry's `name:`. Objects that
//! want kustomize's content-hash name suffix are marked with [`NEEDS_HASH`]; the suffix is
//! added by [`super::hash`] at the very end of the build.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::build_metadata::{BuildOrigin, Level, ORIGIN};
use super::error::KustomizeError;
use super::hash::take_annotation;
use super::history::{carry, identities};
use super::kustomization::{Kustomization, known_keys, string_map};
use super::restrict::confined;
use crate::manifest::load::MAX_FILE_BYTES;
use crate::manifest::{Node, Origin, Value};

/// Annotation marking a generated object whose name gets the content hash at the end of the
/// build (kustomize keeps the same fact internally); removed before output.
pub const NEEDS_HASH: &str = "internal.meshwright.dev/needs-hash";

/// Keys of a generator entry; `type` (last) is for Secrets only.
pub const ENTRY_KEYS: [&str; 9] = [
    "name",
    "namespace",
    "behavior",
    "literals",
    "files",
    "envs",
    "env",
    "options",
    "type",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    ConfigMap,
    Secret,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
        }
    }

    /// The builtin plugin kustomize runs for the field.
    fn plugin(self) -> &'static str {
        match self {
            Kind::ConfigMap => "ConfigMapGenerator",
            Kind::Secret => "SecretGenerator",
        }
    }

    fn field(self) -> &'static str {
        match self {
            Kind::ConfigMap => "configMapGenerator",
            Kind::Secret => "secretGenerator",
        }
    }
}

/// One generated key: its bytes and where they were written.
struct Datum {
    key: String,
    bytes: Vec<u8>,
    origin: Origin,
}

/// `generatorOptions` or an entry's `options`; label and annotation values keep origins.
#[derive(Default)]
struct Options {
    labels: Vec<(String, Node)>,
    annotations: Vec<(String, Node)>,
    disable_hash: bool,
    immutable: bool,
}

impl Options {
    fn parse(node: &Node, what: &str) -> Result<Options, KustomizeError> {
        known_keys(
            node,
            &[
                "labels",
                "annotations",
                "disableNameSuffixHash",
                "immutable",
            ],
            what,
        )?;
        let flag = |key: &str| -> Result<bool, KustomizeError> {
            match node.get(key).map(|n| (&n.value, n)) {
                None | Some((Value::Null, _)) => Ok(false),
                Some((Value::Bool(b), _)) => Ok(*b),
                Some((_, n)) => Err(KustomizeError::at(
                    &n.origin,
                    format!("{what}: `{key}` must be true or false"),
                )),
            }
        };
        Ok(Options {
            labels: string_nodes(node.get("labels"), &format!("{what}.labels"))?,
            annotations: string_nodes(node.get("annotations"), &format!("{what}.annotations"))?,
            disable_hash: flag("disableNameSuffixHash")?,
            immutable: flag("immutable")?,
        })
    }

    /// An entry's options over the global ones: entry labels and annotations win, flags
    /// set in either place hold (kustomize's merge).
    fn over(self, global: &Options) -> Options {
        let merge = |global: &[(String, Node)], local: Vec<(String, Node)>| {
            let mut merged: Vec<(String, Node)> = global
                .iter()
                .filter(|(k, _)| !local.iter().any(|(l, _)| l == k))
                .cloned()
                .collect();
            merged.extend(local);
            merged
        };
        Options {
            labels: merge(&global.labels, self.labels),
            annotations: merge(&global.annotations, self.annotations),
            disable_hash: self.disable_hash || global.disable_hash,
            immutable: self.immutable || global.immutable,
        }
    }
}

/// A string map (labels, annotations) with each value's origin.
fn string_nodes(node: Option<&Node>, what: &str) -> Result<Vec<(String, Node)>, KustomizeError> {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return Ok(Vec::new());
    };
    let pairs = string_map(node, what)?;
    let nodes = node.as_map().unwrap_or_default();
    Ok(pairs
        .into_iter()
        .zip(nodes)
        .map(|((key, value), (_, n))| (key, Node::string(value, n.origin.clone())))
        .collect())
}

/// Runs both generators of `kustomization`, adding to (or merging into) `objects`; with
/// `level`, what they make gets its origin.
pub fn generate(
    kustomization: &Kustomization,
    objects: &mut Vec<Node>,
    level: Option<&Level>,
) -> Result<(), KustomizeError> {
    let global = match kustomization.field("generatorOptions") {
        Some(node) => Options::parse(node, "generatorOptions")?,
        None => Options::default(),
    };
    for kind in [Kind::ConfigMap, Kind::Secret] {
        for entry in kustomization.list(kind.field())? {
            let mut object = generate_one(&kustomization.dir, entry, kind, &global)?;
            if let Some(level) = level {
                level
                    .builtin(kind.plugin())
                    .set_if_absent(std::slice::from_mut(&mut object));
            }
            place(objects, object, entry, kind)?;
        }
    }
    Ok(())
}

/// One ConfigMap (or, with `secret`, Secret) from the entry `entry`, written outside a
/// kustomization's generator fields (a builtin `ConfigMapGenerator` config): the kustomization's
/// `generatorOptions` do not apply; files are relative to `dir`. `origin` is the config's,
/// when origins are tracked.
pub fn generate_entry(
    dir: &Path,
    entry: &Node,
    secret: bool,
    objects: &mut Vec<Node>,
    origin: Option<&BuildOrigin>,
) -> Result<(), KustomizeError> {
    let kind = if secret {
        Kind::Secret
    } else {
        Kind::ConfigMap
    };
    let mut object = generate_one(dir, entry, kind, &Options::default())?;
    if let Some(origin) = origin {
        origin.set_if_absent(std::slice::from_mut(&mut object));
    }
    place(objects, object, entry, kind)
}

/// An optional string field of a generator entry.
fn entry_text<'a>(
    entry: &'a Node,
    key: &str,
    kind: Kind,
) -> Result<Option<&'a str>, KustomizeError> {
    match entry.get(key).filter(|n| !n.is_null()) {
        None => Ok(None),
        Some(node) => node.as_str().map(Some).ok_or_else(|| {
            KustomizeError::at(
                &node.origin,
                format!("{}: `{key}` must be a string", kind.field()),
            )
        }),
    }
}

/// The string entries of a list field of a generator entry, with their nodes.
fn entry_list<'a>(
    entry: &'a Node,
    key: &str,
    kind: Kind,
) -> Result<Vec<(&'a str, &'a Node)>, KustomizeError> {
    let Some(node) = entry.get(key).filter(|n| !n.is_null()) else {
        return Ok(Vec::new());
    };
    let items = node.as_seq().ok_or_else(|| {
        KustomizeError::at(
            &node.origin,
            format!("{}: `{key}` must be a list", kind.field()),
        )
    })?;
    items
        .iter()
        .map(|item| {
            item.as_str().map(|s| (s, item)).ok_or_else(|| {
                KustomizeError::at(
                    &item.origin,
                    format!("{}: entries of `{key}` must be strings", kind.field()),
                )
            })
        })
        .collect()
}

fn generate_one(
    dir: &Path,
    entry: &Node,
    kind: Kind,
    global: &Options,
) -> Result<Node, KustomizeError> {
    let field = kind.field();
    let allowed: &[&str] = match kind {
        Kind::ConfigMap => &ENTRY_KEYS[..ENTRY_KEYS.len() - 1],
        Kind::Secret => &ENTRY_KEYS,
    };
    known_keys(entry, allowed, field)?;
    let name_node = entry
        .get("name")
        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        .ok_or_else(|| {
            KustomizeError::at(&entry.origin, format!("{field}: an entry needs `name`"))
        })?;
    let options = match entry.get("options").filter(|n| !n.is_null()) {
        Some(node) => Options::parse(node, &format!("{field}.options"))?,
        None => Options::default(),
    }
    .over(global);
    let data = collect_data(dir, entry, kind)?;
    let origin = name_node.origin.clone();
    let mut object = Node::empty_map(origin.clone());
    object.set("apiVersion", Node::string("v1", origin.clone()));
    object.set("kind", Node::string(kind.name(), origin.clone()));
    let metadata = object.map_entry("metadata");
    metadata.set("name", name_node.clone());
    if entry_text(entry, "namespace", kind)?.is_some() {
        metadata.set(
            "namespace",
            entry.get("namespace").expect("just read").clone(),
        );
    }
    set_pairs(metadata, "labels", &options.labels);
    let mut annotations = options.annotations;
    if !options.disable_hash {
        annotations.push((NEEDS_HASH.to_string(), Node::string("true", origin.clone())));
    }
    set_pairs(metadata, "annotations", &annotations);
    add_data(&mut object, kind, data, &entry.origin);
    if options.immutable {
        object.set("immutable", Node::new(Value::Bool(true), origin.clone()));
    }
    if kind == Kind::Secret {
        let secret_type = match entry_text(entry, "type", kind)? {
            Some(_) => entry.get("type").expect("just read").clone(),
            None => Node::string("Opaque", origin),
        };
        object.set("type", secret_type);
    }
    Ok(object)
}

fn set_pairs(metadata: &mut Node, field: &str, pairs: &[(String, Node)]) {
    if pairs.is_empty() {
        return;
    }
    let map = metadata.map_entry(field);
    for (key, value) in pairs {
        map.set(key, value.clone());
    }
}

/// ConfigMap text goes to `data`, other bytes base64 to `binaryData`; Secret data is base64.
fn add_data(object: &mut Node, kind: Kind, data: Vec<Datum>, origin: &Origin) {
    for datum in data {
        let (field, text) = match kind {
            Kind::Secret => ("data", wrapped_base64(&datum.bytes)),
            Kind::ConfigMap => match String::from_utf8(datum.bytes) {
                Ok(text) => ("data", text),
                Err(e) => ("binaryData", wrapped_base64(e.as_bytes())),
            },
        };
        if object.get(field).is_none() {
            object.set(field, Node::empty_map(origin.clone()));
        }
        object
            .map_entry(field)
            .set(&datum.key, Node::string(text, datum.origin));
    }
}

/// Base64 as kustomize writes generated data: when the encoding is 70 characters or more,
/// it is cut into lines of 70, each ending in a newline.
fn wrapped_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = BASE64.encode(bytes);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut wrapped = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        wrapped.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        wrapped.push('\n');
    }
    wrapped
}

/// The keys of an entry in kustomize's order: env files, then literals, then files.
fn collect_data(dir: &Path, entry: &Node, kind: Kind) -> Result<Vec<Datum>, KustomizeError> {
    let mut data: Vec<Datum> = Vec::new();
    let mut env_files = entry_list(entry, "envs", kind)?;
    if let Some(env) = entry_text(entry, "env", kind)? {
        env_files.push((env, entry.get("env").expect("just read")));
    }
    for (path, node) in env_files {
        let (file, bytes) = read_local(dir, path, node, kind.field())?;
        data.extend(parse_env_file(&file, &bytes, kind)?);
    }
    for (literal, node) in entry_list(entry, "literals", kind)? {
        data.push(parse_literal(literal, node, kind)?);
    }
    for (source, node) in entry_list(entry, "files", kind)? {
        let (key, path) = split_file_source(source, node, kind)?;
        let (_, bytes) = read_local(dir, path, node, kind.field())?;
        data.push(Datum {
            key: checked_key(key, node, kind)?,
            bytes,
            origin: node.origin.clone(),
        });
    }
    for (index, datum) in data.iter().enumerate() {
        if data[..index].iter().any(|d| d.key == datum.key) {
            return Err(KustomizeError::at(
                &datum.origin,
                format!("{}: key `{}` is given twice", kind.field(), datum.key),
            ));
        }
    }
    Ok(data)
}

/// `KEY=VALUE`; the value may hold `=`, and one pair of surrounding quotes is removed.
/// Messages name the key only: a Secret's value must never be printed.
fn parse_literal(literal: &str, node: &Node, kind: Kind) -> Result<Datum, KustomizeError> {
    let Some((key, value)) = literal.split_once('=') else {
        return Err(KustomizeError::at(
            &node.origin,
            format!("{}: a literal must be KEY=VALUE", kind.field()),
        ));
    };
    Ok(Datum {
        key: checked_key(key, node, kind)?,
        bytes: remove_quotes(value).as_bytes().to_vec(),
        origin: node.origin.clone(),
    })
}

fn remove_quotes(value: &str) -> &str {
    let bytes = value.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last))
            if bytes.len() >= 2 && first == last && (first == b'"' || first == b'\'') =>
        {
            &value[1..value.len() - 1]
        }
        _ => value,
    }
}

/// `path` (key: the file's name) or `key=path`.
fn split_file_source<'a>(
    source: &'a str,
    node: &Node,
    kind: Kind,
) -> Result<(&'a str, &'a str), KustomizeError> {
    let fail = |why: &str| {
        Err(KustomizeError::at(
            &node.origin,
            format!("{}: files: {source}: {why}", kind.field()),
        ))
    };
    match source.split('=').collect::<Vec<_>>().as_slice() {
        [path] => Ok((path.rsplit('/').next().unwrap_or(path), path)),
        [key, path] if !key.is_empty() && !path.is_empty() => Ok((key, path)),
        [_, _] => fail("expected KEY=PATH with both parts"),
        _ => fail("key names or file paths cannot contain `=`"),
    }
}

/// A ConfigMap or Secret key: letters, digits, `-`, `_` and `.`.
fn checked_key(key: &str, node: &Node, kind: Kind) -> Result<String, KustomizeError> {
    let valid = !key.is_empty()
        && key != "."
        && key != ".."
        && key.len() <= 253
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(key.to_string())
    } else {
        Err(KustomizeError::at(
            &node.origin,
            format!(
                "{}: `{key}` is not a valid {} key (letters, digits, `-`, `_` and `.`)",
                kind.field(),
                kind.name()
            ),
        ))
    }
}

/// Reads a file named by a kustomization entry (`what` names the field), under the same
/// load restrictions and size cap as resources: it must be in or below `dir`.
pub fn read_local(
    dir: &Path,
    entry: &str,
    node: &Node,
    what: &str,
) -> Result<(PathBuf, Vec<u8>), KustomizeError> {
    let fail = |why: String| KustomizeError::at(&node.origin, format!("{what}: {entry}: {why}"));
    let path = confined(dir, &dir.join(entry)).map_err(fail)?;
    let metadata = std::fs::metadata(&path).map_err(|e| fail(e.to_string()))?;
    if metadata.len() > MAX_FILE_BYTES as u64 {
        return Err(fail(format!(
            "file is {} bytes; files larger than {MAX_FILE_BYTES} bytes are refused",
            metadata.len()
        )));
    }
    let bytes = std::fs::read(&path).map_err(|e| fail(e.to_string()))?;
    Ok((path, bytes))
}

/// An env file: `KEY=VALUE` lines; blank lines and `#` comments are skipped; a line with a
/// key alone gives an empty value (what kubectl kustomize prints). Each key's origin is its
/// line.
fn parse_env_file(file: &Path, bytes: &[u8], kind: Kind) -> Result<Vec<Datum>, KustomizeError> {
    let file: Arc<Path> = Arc::from(file);
    let mut data = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let origin = Origin::new(file.clone(), index as u32 + 1, 1);
        let fail =
            |why: String| KustomizeError::at(&origin, format!("{}: env file: {why}", kind.field()));
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let raw = if index == 0 {
            raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw)
        } else {
            raw
        };
        let line =
            std::str::from_utf8(raw).map_err(|_| fail("line is not valid UTF-8".to_string()))?;
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        if !is_env_var_name(key) {
            // A Secret's line without `=` may be a pasted value: it is not echoed.
            let shown = match kind {
                Kind::Secret => "the key".to_string(),
                Kind::ConfigMap => format!("`{key}`"),
            };
            return Err(fail(format!("{shown} is not a valid variable name")));
        }
        data.push(Datum {
            key: key.to_string(),
            bytes: value.as_bytes().to_vec(),
            origin,
        });
    }
    Ok(data)
}

fn is_env_var_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | '.'))
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Adds a generated object per its entry's `behavior`.
fn place(
    objects: &mut Vec<Node>,
    object: Node,
    entry: &Node,
    kind: Kind,
) -> Result<(), KustomizeError> {
    let behavior = entry_text(entry, "behavior", kind)?.unwrap_or("create");
    let name = object.str_at(&["metadata", "name"]).unwrap_or_default();
    let namespace = object.str_at(&["metadata", "namespace"]);
    let existing = objects.iter().position(|o| {
        identities(o).iter().any(|id| {
            let id_namespace = if id.namespace.is_empty() {
                "default"
            } else {
                &id.namespace
            };
            id.kind == kind.name()
                && id.name == name
                && namespace.is_none_or(|ns| id_namespace == ns)
        })
    });
    let at = entry.get("behavior").map_or(&entry.origin, |n| &n.origin);
    match (behavior, existing) {
        ("create", None) => objects.push(object),
        ("create", Some(_)) => {
            return Err(KustomizeError::at(
                at,
                format!(
                    "{}: a {} named `{name}` already exists; use `behavior: merge` or `replace`",
                    kind.field(),
                    kind.name()
                ),
            ));
        }
        ("merge" | "replace", Some(index)) => {
            objects[index] = combine(&objects[index], object, behavior == "merge");
        }
        ("merge" | "replace", None) => {
            return Err(KustomizeError::at(
                at,
                format!(
                    "{}: `behavior: {behavior}` needs a {} named `{name}` from a base or component",
                    kind.field(),
                    kind.name()
                ),
            ));
        }
        (other, _) => {
            return Err(KustomizeError::at(
                at,
                format!(
                    "{}: unknown behavior `{other}` (create, merge or replace)",
                    kind.field()
                ),
            ));
        }
    }
    Ok(())
}

/// `merge` and `replace`: the base object's name and namespace, labels and annotations of
/// both (the new ones win), a hash suffix if both want one; data of both for `merge`, of
/// the new object only for `replace`.
fn combine(old: &Node, new: Node, merge_data: bool) -> Node {
    let mut combined = new;
    let mut fields: Vec<&[&str]> = vec![&["metadata", "labels"], &["metadata", "annotations"]];
    if merge_data {
        fields.extend([&["data"][..], &["binaryData"][..]]);
    }
    for path in fields {
        let Some(old_map) = old.at(path).and_then(Node::as_map) else {
            continue;
        };
        let new_map = combined.at(path).cloned();
        let (leaf, parents) = path.split_last().expect("non-empty path");
        let mut target = &mut combined;
        for key in parents {
            target = target.map_entry(key);
        }
        let mut merged = Node::empty_map(old.origin.clone());
        for (key, value) in old_map.iter().filter(|(k, _)| k != NEEDS_HASH) {
            merged.set(key, value.clone());
        }
        for (key, value) in new_map.as_ref().and_then(Node::as_map).unwrap_or_default() {
            merged.set(key, value.clone());
        }
        if !merged.as_map().unwrap_or_default().is_empty() {
            target.set(leaf, merged);
        }
    }
    for key in ["name", "namespace"] {
        if let Some(value) = old.at(&["metadata", key]) {
            combined.map_entry("metadata").set(key, value.clone());
        }
    }
    // kustomize's merge keeps where the base object came from.
    if merge_data && let Some(origin) = old.at(&["metadata", "annotations", ORIGIN]) {
        combined
            .map_entry("metadata")
            .map_entry("annotations")
            .set(ORIGIN, origin.clone());
    }
    carry(old, &mut combined);
    // The hash suffix stays only when both objects want it (a plain resource does not).
    if old.at(&["metadata", "annotations", NEEDS_HASH]).is_none() {
        take_annotation(&mut combined, NEEDS_HASH);
    }
    combined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_quotes_and_equals() {
        assert_eq!(remove_quotes("\"q\""), "q");
        assert_eq!(remove_quotes("'s'"), "s");
        assert_eq!(remove_quotes("\"q'"), "\"q'");
        assert_eq!(remove_quotes("\""), "\"");
        assert!(is_env_var_name("A_1.b-c"));
        assert!(!is_env_var_name("1A"));
        assert!(!is_env_var_name("A B"));
    }
}
