//! The content-hash name suffix of generated ConfigMaps and Secrets, added at the very end of
//! a root build (after every level's transformers), and the rewrite of every reference to
//! the renamed objects.
//!
//! kustomize's hasher, reproduced exactly: the Go `json.Marshal` (sorted keys, `<`, `>`, `&`
//! escaped) of `{"kind", "name", "data"}` plus `binaryData` (ConfigMap, when a mapping) or
//! `{"kind", "type", "name", "data"}` plus `stringData` (Secret, when a mapping); a missing
//! field is `""`. The `name` is always `""`: kustomize looks it up as the single path
//! segment `metadata/name`, which never exists. `immutable` is not hashed. The suffix is the
//! first 10 hex digits of the SHA-256, with `0 1 3 a e` mapped to `g h k m t` so that no
//! words form.

use sha2::{Digest, Sha256};

use super::error::KustomizeError;
use super::generator::NEEDS_HASH;
use super::name_refs::{Identity, fix_references};
use super::transformer_config::NameBackReference;
use crate::manifest::{Node, Value};

/// Appends the content hash to the name of every object the generators marked, and points
/// references to those objects (built-in and `custom`) at the new names.
pub fn append_hashes(
    objects: &mut [Node],
    custom: &[NameBackReference],
) -> Result<(), KustomizeError> {
    let before: Vec<Identity> = objects.iter().map(Identity::of).collect();
    for object in objects.iter_mut() {
        if take_annotation(object, NEEDS_HASH) {
            add_hash_suffix(object);
        }
    }
    fix_references(objects, &before, custom)
}

/// Appends `-<content hash>` to the object's name.
pub fn add_hash_suffix(object: &mut Node) {
    let suffix = content_hash(object);
    if let Some(name) = object.at_mut(&["metadata", "name"])
        && let Value::String(text) = &mut name.value
    {
        text.push('-');
        text.push_str(&suffix);
    }
}

/// kustomize's hash of a ConfigMap or Secret.
pub fn content_hash(object: &Node) -> String {
    let field = |key: &str| match object.get(key).map(|n| &n.value) {
        None | Some(Value::Null) => serde_json::Value::String(String::new()),
        Some(Value::String(s)) => serde_json::Value::String(s.clone()),
        Some(Value::Map(_) | Value::Seq(_)) => object.get(key).expect("present").to_json(),
        Some(scalar) => serde_json::Value::String(scalar_text(scalar)),
    };
    let is_map = |key: &str| object.get(key).and_then(Node::as_map).is_some();
    let kind = object.str_at(&["kind"]).unwrap_or_default();
    let mut encoded = serde_json::Map::new();
    encoded.insert("kind".into(), kind.into());
    encoded.insert("name".into(), "".into());
    encoded.insert("data".into(), field("data"));
    let extra = if kind == "Secret" {
        encoded.insert("type".into(), field("type"));
        "stringData"
    } else {
        "binaryData"
    };
    if is_map(extra) {
        encoded.insert(extra.into(), field(extra));
    }
    let digest = Sha256::digest(go_json(&serde_json::Value::Object(encoded)).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    avoid_words(&hex[..10])
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// JSON as Go's `json.Marshal` writes a `map[string]interface{}`: keys sorted, HTML-unsafe
/// characters and the JavaScript line separators escaped.
fn go_json(value: &serde_json::Value) -> String {
    serde_json::to_string(&sorted(value))
        .expect("JSON values serialize")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn sorted(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(entries) => {
            let mut keys: Vec<&String> = entries.keys().collect();
            keys.sort();
            serde_json::Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&entries[k])))
                    .collect(),
            )
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(sorted).collect())
        }
        other => other.clone(),
    }
}

/// kustomize's `encode`: hex digits that could spell words become consonants.
fn avoid_words(hex: &str) -> String {
    hex.chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            other => other,
        })
        .collect()
}

/// Removes the internal annotation `key` (and the annotations map it leaves empty),
/// telling whether it was there.
pub fn take_annotation(object: &mut Node, key: &str) -> bool {
    let Some(metadata) = object.get_mut("metadata") else {
        return false;
    };
    let Some(annotations) = metadata.get_mut("annotations") else {
        return false;
    };
    let found = annotations.remove(key).is_some();
    if found && annotations.as_map().is_some_and(<[_]>::is_empty) {
        metadata.remove("annotations");
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Origin;
    use std::path::Path;
    use std::sync::Arc;

    fn object(json: serde_json::Value) -> Node {
        Node::from_json(&json, &Origin::new(Arc::from(Path::new("k.yaml")), 1, 1))
    }

    /// Suffixes printed by `kubectl kustomize` (v1.32, kustomize v5.5.0) for these objects.
    #[test]
    fn hashes_match_kubectl_kustomize() {
        let cases = [
            (
                serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "c1"},
                    "data": {"a": "1", "b": "x=y", "c": "q", "d": "s", "e": " sp "}}),
                "6gk92gf986",
            ),
            (
                serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "c4"}}),
                "6ct58987ht",
            ),
            (
                serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "c3"},
                    "data": {"f.txt": "hello <&>\n", "k": "hello <&>\n"},
                    "binaryData": {"b.bin": "AP8B"}}),
                "f8897fhc62",
            ),
            (
                serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "c5"},
                    "data": {"a": "1"}, "immutable": true}),
                "h29d89cmmt",
            ),
            (
                serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "ov-cfg"},
                    "data": {"c": "4", "a": "1", "b": "3"}}),
                "fbcmkbc66h",
            ),
            (
                // Go's JSON escapes `<`, `>`, `&`, U+2028 and U+2029 and writes `\b`, `\f`.
                serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "tricky"},
                    "data": {"B": "upper", "Z": "last", "_1": "under", "a": "lower",
                        "ctl.txt": "back\u{8} form\u{c} tab\t cr\r ls\u{2028} ps\u{2029} é 日本 😀 <>&\"\\ \n",
                        "json": "{\"a\": [1, 2]}", "unicode": "ünï €"}}),
                "f577g2tghc",
            ),
            (
                serde_json::json!({"kind": "Secret", "metadata": {"name": "s1"},
                    "type": "Opaque", "data": {"a": "MQ=="}}),
                "25khgmg44c",
            ),
            (
                serde_json::json!({"kind": "Secret", "metadata": {"name": "s2"},
                    "type": "kubernetes.io/tls", "data": {"tls.crt": "eA==", "tls.key": "eQ=="}}),
                "f4c6k54dt5",
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(content_hash(&object(json.clone())), expected, "{json}");
        }
    }

    #[test]
    fn names_do_not_change_the_hash() {
        let a = object(
            serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}),
        );
        let b = object(
            serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"k": "v"}}),
        );
        assert_eq!(content_hash(&a), content_hash(&b));
    }

    #[test]
    fn marked_objects_are_renamed_and_referenced() {
        let mut objects = vec![
            object(serde_json::json!({"kind": "ConfigMap",
                "metadata": {"name": "c1", "annotations": {NEEDS_HASH: "true"}},
                "data": {"a": "1", "b": "x=y", "c": "q", "d": "s", "e": " sp "}})),
            object(serde_json::json!({"kind": "Pod", "metadata": {"name": "p"},
                "spec": {"volumes": [{"name": "v", "configMap": {"name": "c1"}}]}})),
        ];
        append_hashes(&mut objects, &[]).expect("no custom references");
        assert_eq!(
            objects[0].str_at(&["metadata", "name"]),
            Some("c1-6gk92gf986")
        );
        assert!(objects[0].at(&["metadata", "annotations"]).is_none());
        assert_eq!(
            objects[1]
                .pointer("/spec/volumes/0/configMap/name")
                .and_then(Node::as_str),
            Some("c1-6gk92gf986")
        );
    }
}
