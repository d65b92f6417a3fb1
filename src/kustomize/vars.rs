//! kustomize's `vars` (deprecated in kustomize v5, common in older trees). A var names a
//! field of one object (`objref`, `fieldref.fieldpath`, `metadata.name` by default); each
//! kustomization's vars are tied to their object once its own transformers ran, collect up
//! the build, and at the root, after every transformer and name fix, `$(NAME)` is replaced
//! by the field's final value in the fields of the `varReference` field specs. A `$(X)`
//! naming no var stays as written; `$$` stands for `$`.

use std::collections::HashMap;

use super::budget::{self, MAX_OBJECT_BYTES};
use super::error::KustomizeError;
use super::field_path::scalar_text;
use super::field_specs::{FieldSpec, Gvk};
use super::history::{ObjectId, previous_ids};
use super::kustomization::Kustomization;
use super::transformer_config::{field, known_keys_ignoring_case, text};
use crate::manifest::{Node, Origin, Value};

/// Each var's value, by name; a var whose field is a map or list has none (kustomize leaves
/// it unreplaced).
type Values = HashMap<String, Value>;

/// Where an object keeps the names of the vars whose target it is (removed before output;
/// under `history::PRIVATE`, so it follows an object a generator merge replaces).
const VAR_NAMES: &str = "$meshwright/vars";

/// One declared var.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    gvk: Gvk,
    target_name: String,
    target_namespace: String,
    field_path: String,
    origin: Origin,
}

impl Var {
    fn parse(node: &Node) -> Result<Var, KustomizeError> {
        known_keys_ignoring_case(node, &["name", "objref", "fieldref"], "a var")?;
        let name = text(node, "name")?;
        if name.is_empty() {
            return Err(KustomizeError::at(&node.origin, "a var needs a `name`"));
        }
        let objref = field(node, "objref").ok_or_else(|| {
            KustomizeError::at(&node.origin, format!("var `{name}` needs an `objref`"))
        })?;
        known_keys_ignoring_case(
            objref,
            &[
                "apiVersion",
                "group",
                "version",
                "kind",
                "name",
                "namespace",
            ],
            "a var's objref",
        )?;
        let mut gvk = Gvk {
            group: text(objref, "group")?,
            version: text(objref, "version")?,
            kind: text(objref, "kind")?,
        };
        let api_version = text(objref, "apiVersion")?;
        if !api_version.is_empty() {
            let parsed = Gvk::from_api_version(&api_version, &gvk.kind);
            gvk.version = parsed.version;
            if !parsed.group.is_empty() {
                gvk.group = parsed.group;
            }
        }
        let field_path = match field(node, "fieldref") {
            Some(fieldref) if !fieldref.is_null() => {
                known_keys_ignoring_case(fieldref, &["fieldPath"], "a var's fieldref")?;
                text(fieldref, "fieldPath")?
            }
            _ => String::new(),
        };
        Ok(Var {
            name,
            gvk,
            target_name: text(objref, "name")?,
            target_namespace: text(objref, "namespace")?,
            field_path: if field_path.is_empty() {
                "metadata.name".to_string()
            } else {
                field_path
            },
            origin: node.origin.clone(),
        })
    }

    /// Whether `object`, as it is or was, is this var's target: kind, group, version and
    /// name equal, and the namespace too when the var names one (none is `default`).
    fn targets(&self, object: &Node) -> bool {
        let api_version = object.str_at(&["apiVersion"]).unwrap_or_default();
        let wanted_namespace = match self.target_namespace.as_str() {
            "" => None,
            "default" => Some(""),
            namespace => Some(namespace),
        };
        previous_ids(object)
            .into_iter()
            .chain(std::iter::once(ObjectId::of(object)))
            .any(|id| {
                let namespace = match id.namespace.as_str() {
                    "default" => "",
                    namespace => namespace,
                };
                Gvk::from_api_version(api_version, &id.kind) == self.gvk
                    && id.name == self.target_name
                    && wanted_namespace.is_none_or(|wanted| wanted == namespace)
            })
    }

    fn describe(&self) -> String {
        let api_version = match (self.gvk.group.as_str(), self.gvk.version.as_str()) {
            ("", version) => version.to_string(),
            (group, version) => format!("{group}/{version}"),
        };
        let target: Vec<&str> = [api_version.as_str(), &self.gvk.kind, &self.target_name]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect();
        format!(
            "{} (objref {}, fieldpath {})",
            self.name,
            target.join(" "),
            self.field_path
        )
    }
}

/// The vars a kustomization declares.
pub fn declared(kustomization: &Kustomization) -> Result<Vec<Var>, KustomizeError> {
    kustomization.list("vars")?.iter().map(Var::parse).collect()
}

/// Adds `incoming` to `known` (vars of included kustomizations); a name declared twice is
/// an error, as in kustomize.
pub fn absorb(known: &mut Vec<Var>, incoming: Vec<Var>) -> Result<(), KustomizeError> {
    for var in incoming {
        if let Some(first) = known.iter().find(|k| k.name == var.name) {
            return Err(KustomizeError::at(
                &var.origin,
                format!(
                    "var '{}' already encountered (first declared at {})",
                    var.name, first.origin
                ),
            ));
        }
        known.push(var);
    }
    Ok(())
}

/// kustomize's `MergeVars`: ties each var of this kustomization to its target among
/// `objects` (an error when several match) and adds the vars to `known`.
pub fn merge(
    objects: &mut [Node],
    known: &mut Vec<Var>,
    incoming: Vec<Var>,
) -> Result<(), KustomizeError> {
    for var in &incoming {
        let matched: Vec<usize> = (0..objects.len())
            .filter(|&i| var.targets(&objects[i]))
            .collect();
        if matched.len() > 1 {
            return Err(KustomizeError::at(
                &var.origin,
                format!(
                    "found {} resId matches for var {} (unable to disambiguate)",
                    matched.len(),
                    var.describe()
                ),
            ));
        }
        if let Some(&target) = matched.first() {
            let object = &mut objects[target];
            let origin = object.origin.clone();
            if object.get(VAR_NAMES).is_none() {
                object.set(VAR_NAMES, Node::new(Value::Seq(Vec::new()), origin.clone()));
            }
            if let Some(names) = object.get_mut(VAR_NAMES).and_then(Node::as_seq_mut) {
                names.push(Node::string(var.name.clone(), origin));
            }
        }
    }
    absorb(known, incoming)
}

/// kustomize's `ResolveVars`: replaces `$(NAME)` in the fields of `specs` by each var's
/// value, then drops the var bookkeeping from the objects.
pub fn resolve(
    objects: &mut [Node],
    vars: &[Var],
    specs: &[FieldSpec],
) -> Result<(), KustomizeError> {
    let mut values = Values::new();
    for var in vars {
        if let Some(value) = value_of(objects, var)? {
            values.insert(var.name.clone(), value);
        }
    }
    for object in objects.iter_mut() {
        object.remove(VAR_NAMES);
    }
    if vars.is_empty() {
        return Ok(());
    }
    for object in objects.iter_mut() {
        let at_object = Node::new(Value::Null, object.origin.clone());
        for spec in specs {
            spec.apply(object, None, &mut |node| substitute_in(node, &values))
                .map_err(|why| KustomizeError::at(&at_object.origin, format!("vars: {why}")))?;
            // Each var-reference path may expand the text again.
            budget::check(object, &at_object, "vars")?;
        }
    }
    Ok(())
}

/// The value a var stands for: the field's scalar (`None` for a map or list, which kustomize
/// leaves unreplaced).
fn value_of(objects: &[Node], var: &Var) -> Result<Option<Value>, KustomizeError> {
    let target = objects
        .iter()
        .find(|object| {
            object
                .get(VAR_NAMES)
                .and_then(Node::as_seq)
                .is_some_and(|names| names.iter().any(|n| n.as_str() == Some(&var.name)))
        })
        .ok_or_else(|| {
            KustomizeError::at(
                &var.origin,
                format!(
                    "var '{}' cannot be mapped to a field in the set of known resources",
                    var.describe()
                ),
            )
        })?;
    let found = lookup(target, &var.field_path).ok_or_else(|| {
        KustomizeError::at(
            &var.origin,
            format!(
                "field specified in var '{}' not found in corresponding resource",
                var.describe()
            ),
        )
    })?;
    Ok(match &found.value {
        Value::Seq(_) | Value::Map(_) => None,
        Value::Null => Some(Value::String(String::new())),
        scalar => Some(scalar.clone()),
    })
}

/// kyaml's `GetFieldValue` path: `.`-separated fields (a `[...]` may hold dots), `name[2]`
/// indexes a list, `[key=value]` selects a list item.
fn lookup<'n>(object: &'n Node, path: &str) -> Option<&'n Node> {
    let mut node = object;
    for part in split_dotted(path) {
        let (field, index) = match part.strip_suffix(']').and_then(|p| p.rsplit_once('[')) {
            Some((field, index)) if index.parse::<usize>().is_ok() => {
                (field.to_string(), index.parse::<usize>().ok())
            }
            _ => (part.clone(), None),
        };
        if !field.is_empty() {
            node = match (
                field.strip_prefix('[').and_then(|f| f.strip_suffix(']')),
                &node.value,
            ) {
                (Some(selector), Value::Seq(items)) => {
                    let (key, value) = selector.split_once('=')?;
                    items.iter().find(|item| {
                        item.get(key).and_then(scalar_text).as_deref() == Some(value)
                    })?
                }
                (None, Value::Seq(items)) => items.get(field.parse::<usize>().ok()?)?,
                (None, _) => node.get(&field)?,
                (Some(_), _) => return None,
            };
        }
        if let Some(index) = index {
            node = node.as_seq()?.get(index)?;
        }
    }
    Some(node)
}

/// Splits at dots outside brackets.
fn split_dotted(path: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        parts.last_mut().expect("never empty").push(c);
    }
    parts
}

/// kustomize's refvar filter on one field: a string, the string values of a map, or the
/// items of a list (which must be strings).
fn substitute_in(node: &mut Node, values: &Values) -> Result<(), String> {
    match &mut node.value {
        Value::String(_) => substitute(node, values)?,
        Value::Map(entries) => {
            for (_, value) in entries.iter_mut() {
                if matches!(value.value, Value::String(_)) {
                    substitute(value, values)?;
                }
            }
        }
        Value::Seq(items) => {
            for item in items.iter_mut() {
                if !matches!(item.value, Value::String(_)) {
                    return Err("invalid value type expect a string".to_string());
                }
                substitute(item, values)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn substitute(node: &mut Node, values: &Values) -> Result<(), String> {
    if let Value::String(text) = &node.value {
        node.value = expand(text, values)?;
    }
    Ok(())
}

/// kustomize's `DoReplacements`: `$(NAME)` becomes the var's value (keeping its type when it
/// is the whole string), `$$` becomes `$`, anything else stays. A string that would grow
/// past the object budget is an error: a large value named many times multiplies.
fn expand(input: &str, values: &Values) -> Result<Value, String> {
    let bytes = input.as_bytes();
    let mut out = String::new();
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        match values.get(name) {
                            Some(value) if input.len() == close + 2 && cursor == 0 => {
                                return Ok(value.clone());
                            }
                            Some(value) => {
                                out.push_str(&go_text(value));
                                if out.len() > MAX_OBJECT_BYTES {
                                    return Err(format!(
                                        "a value grows past meshwright's budget of {} MiB",
                                        MAX_OBJECT_BYTES >> 20
                                    ));
                                }
                            }
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        close + 1
                    }
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    let next = rest.chars().next().expect("not empty");
                    out.push('$');
                    out.push(next);
                    next.len_utf8()
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    out.push_str(&input[checkpoint.min(input.len())..]);
    Ok(Value::String(out))
}

/// A value as Go's `%v` prints it.
fn go_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null | Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(input: &str) -> Value {
        let values = Values::from([
            ("PORT".to_string(), Value::Number(8080.into())),
            ("HOST".to_string(), Value::String("db".to_string())),
        ]);
        expand(input, &values).expect("small")
    }

    #[test]
    fn vars_expand_like_kustomize() {
        assert_eq!(expanded("$(PORT)"), Value::Number(8080.into()));
        assert_eq!(expanded("$(HOST):$(PORT)"), Value::String("db:8080".into()));
        assert_eq!(
            expanded("$(NOPE) $(HOST)"),
            Value::String("$(NOPE) db".into())
        );
        assert_eq!(
            expanded("$$(HOST) $x $("),
            Value::String("$(HOST) $x $(".into())
        );
        assert_eq!(expanded("café $"), Value::String("café $".into()));
    }

    #[test]
    fn var_targets_are_kept_under_a_private_key() {
        assert!(VAR_NAMES.starts_with(crate::kustomize::history::PRIVATE));
    }

    #[test]
    fn a_large_value_named_many_times_is_refused() {
        let values = Values::from([("V".to_string(), Value::String("x".repeat(8 << 20)))]);
        let many = "$(V) ".repeat(9);
        assert!(expand(&many, &values).is_err_and(|why| why.contains("budget")));
    }

    #[test]
    fn field_paths_index_lists() {
        let object = crate::kustomize::test_support::yaml(
            "spec:\n  ports:\n  - port: 80\n    protocol: TCP\n  - port: 81\n",
        );
        assert_eq!(
            lookup(&object, "spec.ports[1].port").map(|n| n.value.clone()),
            Some(Value::Number(81.into()))
        );
        assert_eq!(
            lookup(&object, "spec.ports[0].protocol").and_then(Node::as_str),
            Some("TCP")
        );
        assert!(lookup(&object, "spec.ports[2].port").is_none());
    }
}
