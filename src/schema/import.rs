//! Importing CRDs and Kubernetes OpenAPI v3 documents into strict, self-contained JSON
//! Schemas (draft 4), one file per group/version/kind, plus an `index.json`.
//!
//! What jsonschema does not know is rewritten: OpenAPI `nullable` becomes a type union with
//! null, `x-kubernetes-int-or-string` an `anyOf` integer/string, preserve-unknown-fields a
//! free object, embedded resources get apiVersion/kind/metadata. Objects with declared
//! properties get `additionalProperties: false` (like `kubectl --validate=strict`). Optional
//! fields accept null, as the API server does. A CRD's CEL rules (`x-kubernetes-validations`),
//! list types and `default`s are kept for `defaults`, `cel` and `list_type`, which apply them
//! as the API server does;
//! descriptions, formats and other `x-kubernetes-*` extensions are dropped to keep the files
//! small. Each file holds only the
//! definitions its kind reaches, so a validator is built from one file with no `$ref` leaving it.
//! Output is deterministic: the same inputs give byte-identical files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::{Index, IndexEntry, Scope, cel};
use crate::manifest::{Node, parse_documents};

/// The definition name of ObjectMeta in Kubernetes OpenAPI documents.
pub const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// An input that cannot be imported; `line`/`column` are 1-based (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", file.display())]
pub struct ImportError {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// The files an import produces, by path relative to the output directory (`index.json`
/// included), each with its full contents.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, String>,
}

/// Imports `sources` (path and contents). OpenAPI documents are read first, whatever their
/// position, so CRDs can take ObjectMeta from them; without one the embedded Kubernetes
/// ObjectMeta is used. The first definition of a group/version/kind wins.
pub fn import(sources: &[(PathBuf, Vec<u8>)]) -> Result<Output, ImportError> {
    import_with(sources, &[])
}

/// Like `import`, with `context`: OpenAPI documents that only lend definitions (ObjectMeta)
/// to the CRDs among `sources`, without their kinds being written.
pub fn import_with(
    sources: &[(PathBuf, Vec<u8>)],
    context: &[(PathBuf, Vec<u8>)],
) -> Result<Output, ImportError> {
    let mut object_meta: Option<BTreeMap<String, Value>> = None;
    for (path, bytes) in context {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| ImportError {
            file: path.clone(),
            line: e.line() as u32,
            column: e.column() as u32,
            message: format!("invalid JSON: {e}"),
        })?;
        let definitions = import_openapi(path, &value, &mut Builder::default())?;
        if object_meta.is_none() && definitions.contains_key(OBJECT_META) {
            object_meta = Some(closure(&definitions, &[OBJECT_META.to_string()]));
        }
    }
    let mut openapi = Vec::new();
    let mut crds = Vec::new();
    for (path, bytes) in sources {
        let text = crate::manifest::load::text_of(bytes).map_err(|(line, column, message)| {
            ImportError {
                file: path.clone(),
                line,
                column,
                message: message.to_string(),
            }
        })?;
        if text.trim_start().starts_with('{') {
            let value: Value = serde_json::from_str(text).map_err(|e| ImportError {
                file: path.clone(),
                line: e.line() as u32,
                column: e.column() as u32,
                message: format!("invalid JSON: {e}"),
            })?;
            if value.get("openapi").is_some() || value.get("components").is_some() {
                openapi.push((path.clone(), value));
            } else {
                let origin = crate::manifest::Origin::new(path.as_path().into(), 1, 1);
                crds.push(Node::from_json(&value, &origin));
            }
        } else {
            let documents = parse_documents(path, bytes).map_err(|e| ImportError {
                file: e.file,
                line: e.line,
                column: e.column,
                message: e.message,
            })?;
            crds.extend(documents);
        }
    }

    let mut builder = Builder::default();
    for (path, document) in &openapi {
        let definitions = import_openapi(path, document, &mut builder)?;
        if object_meta.is_none() && definitions.contains_key(OBJECT_META) {
            object_meta = Some(closure(&definitions, &[OBJECT_META.to_string()]));
        }
    }
    if !crds.is_empty() && object_meta.is_none() {
        object_meta = Some(embedded_object_meta());
    }
    for document in &crds {
        // `kubectl get crd -o yaml` prints a v1 List of CRDs.
        let items = crate::manifest::list_items(document).unwrap_or(std::slice::from_ref(document));
        for item in items {
            import_crd(item, object_meta.as_ref().expect("set above"), &mut builder)?;
        }
    }
    Ok(builder.finish())
}

/// Imports one CustomResourceDefinition already parsed (a CRD among the objects of the
/// repository being validated), with the embedded Kubernetes ObjectMeta.
pub fn import_crd_object(crd: &Node) -> Result<Output, ImportError> {
    let mut builder = Builder::default();
    import_crd(crd, &embedded_object_meta(), &mut builder)?;
    Ok(builder.finish())
}

/// ObjectMeta and what it references, from the embedded Kubernetes schemas.
fn embedded_object_meta() -> BTreeMap<String, Value> {
    let schema = super::registry::Registry::shared()
        .schema_value("v1", "ConfigMap")
        .unwrap_or(Value::Null);
    let all: BTreeMap<String, Value> = schema
        .get("definitions")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    if all.contains_key(OBJECT_META) {
        closure(&all, &[OBJECT_META.to_string()])
    } else {
        // No embedded schemas (should not happen): accept any metadata object.
        BTreeMap::from([(OBJECT_META.to_string(), json!({"type": ["object", "null"]}))])
    }
}

#[derive(Default)]
struct Builder {
    entries: BTreeMap<(String, String), IndexEntry>,
    files: BTreeMap<String, String>,
    /// Lower-cased schema paths already used, so no two kinds share a file even on a
    /// case-insensitive file system.
    taken: BTreeSet<String>,
}

impl Builder {
    fn add(&mut self, api_version: &str, kind: &str, scope: Option<Scope>, schema: Value) {
        let key = (api_version.to_string(), kind.to_string());
        if self.entries.contains_key(&key) {
            return;
        }
        let (group, version) = match api_version.split_once('/') {
            Some((group, version)) => (group, version),
            None => ("core", api_version),
        };
        let stem = format!(
            "{}/{}/{}",
            safe_segment(group),
            safe_segment(version),
            safe_segment(&kind.to_ascii_lowercase())
        );
        let file = self.free_file(&stem);
        let mut text = serde_json::to_string(&schema).expect("JSON values serialize");
        text.push('\n');
        self.files.insert(file.clone(), text);
        self.entries.insert(
            key,
            IndexEntry {
                api_version: api_version.to_string(),
                kind: kind.to_string(),
                scope,
                file,
            },
        );
    }

    /// `STEM.json`, or `STEM-2.json`, `STEM-3.json`… when another kind took it: kinds that
    /// differ only in case (or in characters `safe_segment` replaces) keep their own files,
    /// found through `index.json`.
    fn free_file(&mut self, stem: &str) -> String {
        let mut file = format!("{stem}.json");
        let mut n = 1;
        while !self.taken.insert(file.to_ascii_lowercase()) {
            n += 1;
            file = format!("{stem}-{n}.json");
        }
        file
    }

    fn finish(mut self) -> Output {
        let index = Index {
            kinds: self.entries.into_values().collect(),
        };
        let mut text = serde_json::to_string_pretty(&index).expect("index serializes");
        text.push('\n');
        self.files.insert("index.json".to_string(), text);
        Output { files: self.files }
    }
}

/// A path segment that cannot escape the output directory or hide (`..`, `/`, `\`, dotfiles).
fn safe_segment(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() {
        "_".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Imports one OpenAPI v3 document; returns its converted definitions.
fn import_openapi(
    path: &Path,
    document: &Value,
    builder: &mut Builder,
) -> Result<BTreeMap<String, Value>, ImportError> {
    let fail = |message: &str| ImportError {
        file: path.to_path_buf(),
        line: 1,
        column: 1,
        message: message.to_string(),
    };
    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or_else(|| fail("OpenAPI document has no components.schemas"))?;
    let mut definitions = BTreeMap::new();
    for (name, schema) in schemas {
        let mut converted = convert(schema, Mode::OpenApi, true);
        make_nullable(&mut converted);
        definitions.insert(name.clone(), converted);
    }
    // Kinds: those a client can create (POST), with the scope their path shows.
    let mut kinds: BTreeMap<(String, String), Option<Scope>> = BTreeMap::new();
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for (route, item) in paths {
            let Some(post) = item.get("post") else {
                continue;
            };
            let Some(gvk) = post.get("x-kubernetes-group-version-kind") else {
                continue;
            };
            let Some((api_version, kind)) = gvk_of(gvk) else {
                continue;
            };
            let scope = if route.contains("{namespace}") {
                Scope::Namespaced
            } else {
                Scope::Cluster
            };
            kinds.entry((api_version, kind)).or_insert(Some(scope));
        }
    }
    // The schema of each kind: the component naming exactly that group/version/kind.
    let mut by_gvk: BTreeMap<(String, String), &String> = BTreeMap::new();
    for (name, schema) in schemas {
        let Some(list) = schema
            .get("x-kubernetes-group-version-kind")
            .and_then(Value::as_array)
        else {
            continue;
        };
        if list.len() != 1 {
            continue;
        }
        if let Some(gvk) = gvk_of(&list[0]) {
            by_gvk.entry(gvk).or_insert(name);
        }
    }
    if document.get("paths").is_none() {
        for gvk in by_gvk.keys() {
            kinds.entry(gvk.clone()).or_insert(None);
        }
    }
    for ((api_version, kind), scope) in kinds {
        let Some(name) = by_gvk.get(&(api_version.clone(), kind.clone())) else {
            continue;
        };
        let mut root = convert(&schemas[name.as_str()], Mode::OpenApi, true);
        let mut refs = Vec::new();
        collect_refs(&root, &mut refs);
        let defs = closure(&definitions, &refs);
        attach_definitions(&mut root, defs);
        builder.add(&api_version, &kind, scope, root);
    }
    Ok(definitions)
}

/// `{"group","version","kind"}` (or a one-element list of it) as apiVersion and kind.
fn gvk_of(value: &Value) -> Option<(String, String)> {
    let value = match value {
        Value::Array(items) if items.len() == 1 => &items[0],
        Value::Object(_) => value,
        _ => return None,
    };
    let group = value.get("group")?.as_str()?;
    let version = value.get("version")?.as_str()?;
    let kind = value.get("kind")?.as_str()?;
    let api_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some((api_version, kind.to_string()))
}

/// Imports every served version of one CustomResourceDefinition document.
fn import_crd(
    document: &Node,
    object_meta: &BTreeMap<String, Value>,
    builder: &mut Builder,
) -> Result<(), ImportError> {
    let fail = |node: &Node, message: String| ImportError {
        file: node.origin.file.to_path_buf(),
        line: node.origin.line,
        column: node.origin.column,
        message,
    };
    let api_version = document.str_at(&["apiVersion"]).unwrap_or_default();
    let kind = document.str_at(&["kind"]).unwrap_or_default();
    if kind != "CustomResourceDefinition" || api_version != "apiextensions.k8s.io/v1" {
        return Err(fail(
            document,
            format!(
                "expected a CustomResourceDefinition (apiextensions.k8s.io/v1) or an OpenAPI v3 \
                 JSON document, found {} {}",
                if api_version.is_empty() {
                    "<no apiVersion>"
                } else {
                    api_version
                },
                if kind.is_empty() { "<no kind>" } else { kind },
            ),
        ));
    }
    let spec = document
        .get("spec")
        .ok_or_else(|| fail(document, "CustomResourceDefinition has no spec".into()))?;
    let group = spec
        .str_at(&["group"])
        .ok_or_else(|| fail(spec, "spec.group is missing".into()))?;
    let crd_kind = spec
        .str_at(&["names", "kind"])
        .ok_or_else(|| fail(spec, "spec.names.kind is missing".into()))?;
    let scope = match spec.str_at(&["scope"]) {
        Some("Cluster") => Scope::Cluster,
        Some("Namespaced") => Scope::Namespaced,
        _ => {
            let at = spec.get("scope").unwrap_or(spec);
            return Err(fail(at, "spec.scope must be Namespaced or Cluster".into()));
        }
    };
    let versions = spec
        .get("versions")
        .and_then(Node::as_seq)
        .ok_or_else(|| fail(spec, "spec.versions is missing or not a list".into()))?;
    for version in versions {
        let name = version
            .str_at(&["name"])
            .ok_or_else(|| fail(version, "version has no name".into()))?;
        if !matches!(
            version.get("served").map(|n| &n.value),
            Some(crate::manifest::Value::Bool(true))
        ) {
            continue;
        }
        let schema = version
            .at(&["schema", "openAPIV3Schema"])
            .map(Node::to_json)
            .unwrap_or_else(
                || json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
            );
        if !schema.is_object() {
            let at = version
                .at(&["schema", "openAPIV3Schema"])
                .unwrap_or(version);
            return Err(fail(at, "openAPIV3Schema must be a mapping".into()));
        }
        let mut root = convert(&schema, Mode::Crd, true);
        if let Some(properties) = root.get_mut("properties").and_then(Value::as_object_mut) {
            properties.insert(
                "metadata".to_string(),
                json!({"$ref": format!("#/definitions/{OBJECT_META}")}),
            );
            for field in ["apiVersion", "kind"] {
                properties
                    .entry(field.to_string())
                    .or_insert_with(|| json!({"type": "string"}));
            }
            // `kubectl get -o yaml` output carries status even for kinds whose schema has
            // none; the API server ignores it on create.
            properties
                .entry("status".to_string())
                .or_insert_with(|| json!({"type": ["object", "null"]}));
        }
        if let Some(object) = root.as_object_mut() {
            object.remove("nullable");
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
            }
        }
        attach_definitions(&mut root, object_meta.clone());
        builder.add(&format!("{group}/{name}"), crd_kind, Some(scope), root);
    }
    Ok(())
}

/// Puts `$schema` first and `definitions` last around the root schema.
fn attach_definitions(root: &mut Value, definitions: BTreeMap<String, Value>) {
    let mut object = Map::new();
    object.insert(
        "$schema".to_string(),
        Value::String("http://json-schema.org/draft-04/schema#".to_string()),
    );
    if let Value::Object(fields) = std::mem::take(root) {
        object.extend(fields);
    }
    if !definitions.is_empty() {
        object.insert(
            "definitions".to_string(),
            Value::Object(definitions.into_iter().collect()),
        );
    }
    *root = Value::Object(object);
}

/// `names` and every definition they reach.
fn closure(definitions: &BTreeMap<String, Value>, names: &[String]) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut todo: Vec<String> = names.to_vec();
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = definitions.get(&name) {
            collect_refs(schema, &mut todo);
            out.insert(name, schema.clone());
        }
    }
    out
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "$ref" {
                    if let Some(name) = item.as_str().and_then(|r| r.strip_prefix("#/definitions/"))
                    {
                        out.push(name.to_string());
                    }
                } else {
                    collect_refs(item, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Kubernetes OpenAPI documents: objects are strict when they declare properties.
    OpenApi,
    /// CRD structural schemas: every object is strict unless it preserves unknown fields.
    Crd,
}

/// Keywords kept as they are (validation keywords both OpenAPI 3.0 and draft 4 share).
const KEPT: &[&str] = &[
    "required",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
];

/// How a CRD list's items are identified (`atomic`, `set`, `map`), and a `map` list's keys.
pub(crate) const LIST_TYPE: &str = "x-kubernetes-list-type";
pub(crate) const LIST_MAP_KEYS: &str = "x-kubernetes-list-map-keys";

/// The parts of a CEL rule `cel` evaluates and reports.
const RULE_KEYS: &[&str] = &["rule", "message", "messageExpression", "fieldPath"];

/// Copies what the API server enforces on a CRD beyond JSON Schema: the CEL rules (without
/// `reason` and `optionalOldSelf`), list types (`set` and `map` lists hold no duplicates),
/// and the `default`s it fills in before validating.
fn keep_server_side_rules(input: &Map<String, Value>, out: &mut Map<String, Value>) {
    if let Some(Value::Array(rules)) = input.get(cel::RULES) {
        let rules: Vec<Value> = rules
            .iter()
            .filter_map(Value::as_object)
            .map(|rule| {
                let kept = rule
                    .iter()
                    .filter(|(key, _)| RULE_KEYS.contains(&key.as_str()));
                Value::Object(kept.map(|(k, v)| (k.clone(), v.clone())).collect())
            })
            .collect();
        out.insert(cel::RULES.into(), Value::Array(rules));
    }
    for key in ["default", LIST_TYPE, LIST_MAP_KEYS] {
        if let Some(value) = input.get(key) {
            out.insert(key.into(), value.clone());
        }
    }
}

/// Converts one schema. `structural` is false inside anyOf/oneOf/allOf/not, where CRD
/// schemas only add constraints and must not add strictness or nullability.
fn convert(schema: &Value, mode: Mode, structural: bool) -> Value {
    let Some(input) = schema.as_object() else {
        return match schema {
            Value::Bool(b) => Value::Bool(*b),
            _ => json!({}),
        };
    };
    let flag = |name: &str| input.get(name).and_then(Value::as_bool).unwrap_or(false);
    let preserve = flag("x-kubernetes-preserve-unknown-fields");
    let int_or_string = flag("x-kubernetes-int-or-string");
    let embedded = flag("x-kubernetes-embedded-resource");
    let mut out = Map::new();

    if let Some(reference) = input.get("$ref").and_then(Value::as_str) {
        let name = reference
            .rsplit_once('/')
            .map_or(reference, |(_, name)| name);
        out.insert(
            "$ref".into(),
            Value::String(format!("#/definitions/{name}")),
        );
        return Value::Object(out);
    }
    if int_or_string {
        if !input.contains_key("anyOf") && !input.contains_key("oneOf") {
            out.insert(
                "anyOf".into(),
                json!([{"type": "integer"}, {"type": "string"}]),
            );
        }
    } else if let Some(kind) = input.get("type") {
        out.insert("type".into(), kind.clone());
    }
    for key in KEPT {
        if let Some(value) = input.get(*key) {
            out.insert((*key).to_string(), value.clone());
        }
    }
    if let Some(Value::String(pattern)) = out.get("pattern") {
        match ecma_pattern(pattern) {
            Some(pattern) => {
                out.insert("pattern".into(), Value::String(pattern));
            }
            None => {
                out.remove("pattern");
            }
        }
    }
    if let Some(Value::Array(required)) = out.get("required")
        && required.is_empty()
    {
        out.remove("required");
    }
    let required: BTreeSet<&str> = input
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut properties = Map::new();
    if let Some(Value::Object(props)) = input.get("properties") {
        for (name, prop) in props {
            let mut converted = convert(prop, mode, structural);
            if structural && !required.contains(name.as_str()) {
                make_nullable(&mut converted);
            }
            properties.insert(name.clone(), converted);
        }
    }
    if embedded {
        for (field, schema) in [
            ("apiVersion", json!({"type": ["string", "null"]})),
            ("kind", json!({"type": ["string", "null"]})),
            ("metadata", json!({"type": ["object", "null"]})),
        ] {
            if !properties.is_empty() || !preserve {
                properties.entry(field.to_string()).or_insert(schema);
            }
        }
    }
    let has_properties = !properties.is_empty() || input.contains_key("properties");
    if has_properties {
        out.insert("properties".into(), Value::Object(properties));
    }
    if let Some(items) = input.get("items") {
        out.insert("items".into(), convert(items, mode, structural));
    }
    match input.get("additionalProperties") {
        Some(Value::Bool(b)) => {
            out.insert("additionalProperties".into(), Value::Bool(*b));
        }
        Some(additional @ Value::Object(_)) => {
            out.insert(
                "additionalProperties".into(),
                convert(additional, mode, structural),
            );
        }
        _ => {
            let is_object = input.get("type").and_then(Value::as_str) == Some("object");
            let strict = structural
                && !preserve
                && match mode {
                    Mode::OpenApi => has_properties,
                    Mode::Crd => has_properties || (is_object && !embedded),
                };
            if strict {
                out.insert("additionalProperties".into(), Value::Bool(false));
            }
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = input.get(key) {
            let converted: Vec<Value> = items
                .iter()
                .map(|item| convert(item, mode, mode == Mode::OpenApi && structural))
                .collect();
            out.insert(key.to_string(), Value::Array(converted));
        }
    }
    if let Some(not) = input.get("not") {
        out.insert("not".into(), convert(not, mode, false));
    }
    if mode == Mode::Crd && structural {
        keep_server_side_rules(input, &mut out);
    }
    let mut value = Value::Object(out);
    if flag("nullable") {
        make_nullable(&mut value);
    }
    value
}

/// A Go (RE2) pattern as an ECMA 262 one jsonschema accepts: a leading-or-inner `(?i)`
/// becomes explicit case classes. None when the pattern still does not compile (dropped:
/// the API server checks it anyway, and a schema that cannot compile checks nothing).
fn ecma_pattern(pattern: &str) -> Option<String> {
    let rewritten = if pattern.contains("(?i)") {
        case_insensitive(&pattern.replace("(?i)", ""))
    } else {
        pattern.to_string()
    };
    let compiles = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&json!({"type": "string", "pattern": rewritten}))
        .is_ok();
    compiles.then_some(rewritten)
}

/// `abc` → `[aA][bB][cC]`, leaving escapes and character classes' syntax intact (letters in
/// classes get their other case added).
fn case_insensitive(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            c if c.is_ascii_alphabetic() => {
                let (lower, upper) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
                if in_class {
                    out.push(lower);
                    out.push(upper);
                } else {
                    out.push('[');
                    out.push(lower);
                    out.push(upper);
                    out.push(']');
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Lets `schema` also accept null (OpenAPI `nullable: true`, or an optional field).
pub(crate) fn make_nullable(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let mut typed = false;
    match map.get_mut("type") {
        Some(Value::String(kind)) => {
            let kind = std::mem::take(kind);
            if kind != "null" {
                map.insert("type".into(), json!([kind, "null"]));
            }
            typed = true;
        }
        Some(Value::Array(kinds)) => {
            if !kinds.iter().any(|k| k == "null") {
                kinds.push(Value::String("null".into()));
            }
            typed = true;
        }
        _ => {}
    }
    if let Some(Value::Array(options)) = map.get_mut("enum")
        && !options.iter().any(Value::is_null)
    {
        options.push(Value::Null);
    }
    if typed {
        return;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = map.get_mut(key) {
            if !branches
                .iter()
                .any(|b| b.get("type") == Some(&json!("null")))
            {
                branches.push(json!({"type": "null"}));
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd(schema: &str) -> String {
        format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {{kind: Widget, plural: widgets}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n{schema}\n  - name: v0\n    served: false\n    storage: false\n"
        )
    }

    fn widget(schema: &str) -> Value {
        let text = crd(schema);
        let output = import(&[(PathBuf::from("w.yaml"), text.into_bytes())]).unwrap();
        assert!(!output.files.contains_key("example.com/v0/widget.json"));
        serde_json::from_str(&output.files["example.com/v1/widget.json"]).unwrap()
    }

    #[test]
    fn kinds_differing_only_in_case_keep_their_own_files() {
        let upper = crd(SPEC)
            .replace("kind: Widget", "kind: WIDGET")
            .replace("widgets.example.com", "upper.example.com");
        let output = import(&[
            (PathBuf::from("w.yaml"), crd(SPEC).into_bytes()),
            (PathBuf::from("u.yaml"), upper.into_bytes()),
        ])
        .unwrap();
        let index: Value = serde_json::from_str(&output.files["index.json"]).unwrap();
        let file_of = |kind: &str| {
            index["kinds"]
                .as_array()
                .unwrap()
                .iter()
                .find(|entry| entry["kind"] == kind)
                .unwrap_or_else(|| panic!("{kind} in {index:#}"))["file"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let (widget, upper) = (file_of("Widget"), file_of("WIDGET"));
        assert_eq!(widget, "example.com/v1/widget.json");
        assert_eq!(upper, "example.com/v1/widget-2.json");
        assert!(output.files.contains_key(&widget) && output.files.contains_key(&upper));
    }

    fn valid(schema: &Value, instance: Value) -> bool {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(schema)
            .unwrap()
            .is_valid(&instance)
    }

    const SPEC: &str = "        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              port:\n                x-kubernetes-int-or-string: true\n              mode:\n                type: string\n                enum: [A, B]\n                nullable: true\n              free:\n                type: object\n                x-kubernetes-preserve-unknown-fields: true\n              labels:\n                type: object\n                additionalProperties: {type: string}\n              name:\n                type: string\n            required: [name]";

    #[test]
    fn int_or_string_accepts_both() {
        let schema = widget(SPEC);
        let object = |port: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"name": "x", "port": port}});
        assert!(valid(&schema, object(json!(8080))));
        assert!(valid(&schema, object(json!("http"))));
        assert!(!valid(&schema, object(json!(true))));
    }

    #[test]
    fn nullable_and_optional_fields_accept_null_required_do_not() {
        let schema = widget(SPEC);
        let spec =
            |spec: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": spec});
        assert!(valid(&schema, spec(json!({"name": "x", "mode": null}))));
        assert!(valid(&schema, spec(json!({"name": "x", "labels": null}))));
        assert!(!valid(&schema, spec(json!({"name": null}))));
        assert!(!valid(&schema, spec(json!({"name": "x", "mode": "C"}))));
        assert!(valid(
            &schema,
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": null})
        ));
    }

    #[test]
    fn strict_unknown_fields_but_preserve_unknown_is_free() {
        let schema = widget(SPEC);
        let spec =
            |spec: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": spec});
        assert!(!valid(&schema, spec(json!({"name": "x", "nmae": "y"}))));
        assert!(valid(
            &schema,
            spec(json!({"name": "x", "free": {"any": {"thing": 1}}}))
        ));
        assert!(!valid(&schema, json!({"kind": "Widget", "extra": 1})));
    }

    #[test]
    fn metadata_uses_object_meta() {
        let schema = widget(SPEC);
        assert!(schema["definitions"][OBJECT_META].is_object());
        let meta = |meta: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": meta});
        assert!(valid(
            &schema,
            meta(json!({"name": "a", "annotations": null, "creationTimestamp": null}))
        ));
        assert!(!valid(
            &schema,
            meta(json!({"name": "a", "lables": {"a": "b"}}))
        ));
        assert!(!valid(
            &schema,
            meta(json!({"name": "a", "labels": {"a": 1}}))
        ));
    }

    #[test]
    fn openapi_documents_give_kinds_scopes_and_nullable_definitions() {
        let document = json!({
            "openapi": "3.0.0",
            "paths": {
                "/apis/example.com/v1/namespaces/{namespace}/gadgets": {"post": {"x-kubernetes-group-version-kind": {"group": "example.com", "version": "v1", "kind": "Gadget"}}},
                "/apis/example.com/v1/racks": {"post": {"x-kubernetes-group-version-kind": {"group": "example.com", "version": "v1", "kind": "Rack"}}}
            },
            "components": {"schemas": {
                "com.example.Gadget": {
                    "type": "object",
                    "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Gadget"}],
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "spec": {"allOf": [{"$ref": "#/components/schemas/com.example.GadgetSpec"}], "default": {}}
                    }
                },
                "com.example.GadgetSpec": {
                    "type": "object",
                    "required": ["size"],
                    "properties": {
                        "size": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
                        "raw": {"type": "object", "description": "free-form"}
                    }
                },
                "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]},
                "com.example.Rack": {
                    "type": "object",
                    "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Rack"}],
                    "properties": {"kind": {"type": "string"}}
                }
            }}
        });
        let output =
            import(&[(PathBuf::from("d.json"), document.to_string().into_bytes())]).unwrap();
        let index: Index = serde_json::from_str(&output.files["index.json"]).unwrap();
        let scopes: Vec<(&str, Option<Scope>)> = index
            .kinds
            .iter()
            .map(|k| (k.kind.as_str(), k.scope))
            .collect();
        assert_eq!(
            scopes,
            [
                ("Gadget", Some(Scope::Namespaced)),
                ("Rack", Some(Scope::Cluster))
            ]
        );
        let schema: Value =
            serde_json::from_str(&output.files["example.com/v1/gadget.json"]).unwrap();
        let gadget =
            |spec: Value| json!({"apiVersion": "example.com/v1", "kind": "Gadget", "spec": spec});
        assert!(valid(&schema, gadget(json!({"size": 3}))));
        assert!(valid(
            &schema,
            gadget(json!({"size": "3Gi", "raw": {"any": 1}}))
        ));
        assert!(valid(&schema, gadget(Value::Null)));
        assert!(!valid(&schema, gadget(json!({"size": true}))));
        assert!(!valid(&schema, gadget(json!({"size": 1, "sise": 1}))));
        assert!(!valid(&schema, gadget(json!({}))));
    }

    #[test]
    fn embedded_resources_allow_type_and_object_meta_fields() {
        let spec = "        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              template:\n                type: object\n                x-kubernetes-embedded-resource: true\n                properties:\n                  spec:\n                    type: object\n                    x-kubernetes-preserve-unknown-fields: true";
        let schema = widget(spec);
        let object = |template: Value| json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"template": template}});
        assert!(valid(
            &schema,
            object(
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": 1}})
            )
        ));
        assert!(!valid(
            &schema,
            object(json!({"apiVersion": "v1", "extra": 1}))
        ));
    }

    #[test]
    fn kubectl_lists_of_crds_are_imported() {
        let crd = crd(SPEC);
        let indented: String = crd.lines().map(|l| format!("  {l}\n")).collect();
        let list = format!("apiVersion: v1\nkind: List\nitems:\n-{}", &indented[1..]);
        let output = import(&[(PathBuf::from("list.yaml"), list.into_bytes())]).unwrap();
        assert!(
            output.files.contains_key("example.com/v1/widget.json"),
            "{:?}",
            output.files.keys()
        );
    }

    #[test]
    fn go_case_insensitive_patterns_become_ecma() {
        assert_eq!(
            ecma_pattern("^(?i)(abort|warn)?$").as_deref(),
            Some("^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$")
        );
        assert_eq!(ecma_pattern("^[a-z]+\\d$").as_deref(), Some("^[a-z]+\\d$"));
        assert_eq!(ecma_pattern("(unclosed"), None);
    }

    #[test]
    fn bad_input_names_file_and_line() {
        let error = import(&[(
            PathBuf::from("x.yaml"),
            b"a: 1\n---\nkind: ConfigMap\n".to_vec(),
        )])
        .unwrap_err();
        assert_eq!(error.file, PathBuf::from("x.yaml"));
        assert_eq!(error.line, 1);
        let error =
            import(&[(PathBuf::from("x.json"), b"{\n \"openapi\": \n".to_vec())]).unwrap_err();
        assert!(error.line >= 2, "{error}");
    }

    #[test]
    fn output_is_deterministic_and_paths_are_safe() {
        let text = crd(SPEC).replace("group: example.com", "group: ../../etc");
        let a = import(&[(PathBuf::from("w.yaml"), text.clone().into_bytes())]).unwrap();
        let b = import(&[(PathBuf::from("w.yaml"), text.into_bytes())]).unwrap();
        assert_eq!(a, b);
        for path in a.files.keys() {
            assert!(
                !path.split('/').any(|s| s == ".." || s.is_empty()),
                "{path}"
            );
        }
    }
}
