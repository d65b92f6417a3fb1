//! Making a live object comparable with the one the repository intends: the fields the API
//! server sets (status, managedFields, resourceVersion, uid, generation, creationTimestamp,
//! last-applied annotations) go, and — when no server-side dry-run says what an apply would
//! change — fields the repository does not set are treated as server defaults and pruned,
//! and a Secret's `stringData` is compared as the `data` the server stores.

use serde_json::{Map, Value};

/// Metadata fields the API server owns.
const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
];

/// Annotations written by appliers and controllers, not by the repository.
const SERVER_ANNOTATIONS: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
];

/// Removes server-set fields in place.
pub fn strip_server_fields(object: &mut Value) {
    let Value::Object(map) = object else {
        return;
    };
    map.remove("status");
    let Some(Value::Object(metadata)) = map.get_mut("metadata") else {
        return;
    };
    for field in SERVER_METADATA {
        metadata.remove(*field);
    }
    if let Some(Value::Object(annotations)) = metadata.get_mut("annotations") {
        for annotation in SERVER_ANNOTATIONS {
            annotations.remove(*annotation);
        }
    }
    for field in ["annotations", "labels"] {
        if metadata
            .get(field)
            .is_some_and(|v| v.is_null() || v.as_object().is_some_and(Map::is_empty))
        {
            metadata.remove(field);
        }
    }
}

/// `stringData` folded into `data` (base64), as the API server stores a Secret; other
/// objects are left alone.
pub fn fold_string_data(object: &mut Value) {
    use base64::Engine;
    let Value::Object(map) = object else {
        return;
    };
    if map.get("kind").and_then(Value::as_str) != Some("Secret") {
        return;
    }
    let Some(Value::Object(strings)) = map.remove("stringData") else {
        return;
    };
    let data = map
        .entry("data")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(data) = data {
        for (key, value) in strings {
            let text = value.as_str().unwrap_or_default();
            let encoded = base64::engine::general_purpose::STANDARD.encode(text);
            data.insert(key, Value::String(encoded));
        }
    }
}

/// `live` with only the fields `intended` sets: map keys the repository does not write are
/// dropped (server defaults such as a Deployment's `progressDeadlineSeconds` or a
/// container's `terminationMessagePath`). List items are paired by `name` when every item
/// has one, else by position when the lengths agree; otherwise the live list stays whole.
pub fn prune_to(live: &Value, intended: &Value) -> Value {
    match (live, intended) {
        (Value::Object(live), Value::Object(intended)) => Value::Object(
            live.iter()
                .filter_map(|(key, value)| {
                    intended
                        .get(key)
                        .map(|wanted| (key.clone(), prune_to(value, wanted)))
                })
                .collect(),
        ),
        (Value::Array(live), Value::Array(intended)) => prune_list(live, intended),
        _ => live.clone(),
    }
}

fn prune_list(live: &[Value], intended: &[Value]) -> Value {
    let name = |item: &Value| item.get("name").and_then(Value::as_str).map(str::to_string);
    let all_named = |items: &[Value]| items.iter().all(|item| name(item).is_some());
    if !live.is_empty() && all_named(live) && all_named(intended) {
        return Value::Array(
            live.iter()
                .map(|item| {
                    intended
                        .iter()
                        .find(|wanted| name(wanted) == name(item))
                        .map_or_else(|| item.clone(), |wanted| prune_to(item, wanted))
                })
                .collect(),
        );
    }
    if live.len() == intended.len() {
        return Value::Array(
            live.iter()
                .zip(intended)
                .map(|(item, wanted)| prune_to(item, wanted))
                .collect(),
        );
    }
    Value::Array(live.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_fields_and_empty_maps_go() {
        let mut live = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "uid": "1", "resourceVersion": "7", "managedFields": [],
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "data": {"k": "v"}, "status": {"x": 1}
        });
        strip_server_fields(&mut live);
        assert_eq!(
            live,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}})
        );
    }

    #[test]
    fn defaults_are_pruned_but_changed_values_stay() {
        let live = json!({"spec": {"replicas": 3, "progressDeadlineSeconds": 600,
            "template": {"spec": {"containers": [
                {"name": "b", "image": "b:1", "terminationMessagePath": "/dev/termination-log"},
                {"name": "a", "image": "a:2", "imagePullPolicy": "IfNotPresent"}]}}}});
        let intended = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [
            {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}}}});
        assert_eq!(
            prune_to(&live, &intended),
            json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [
                {"name": "b", "image": "b:1"}, {"name": "a", "image": "a:2"}]}}}})
        );
    }

    #[test]
    fn string_data_is_stored_as_data() {
        let mut secret = json!({"kind": "Secret", "data": {"a": "eA=="}, "stringData": {"b": "y"}});
        fold_string_data(&mut secret);
        assert_eq!(
            secret,
            json!({"kind": "Secret", "data": {"a": "eA==", "b": "eQ=="}})
        );
    }

    #[test]
    fn unpaired_lists_stay_whole() {
        let live = json!({"args": ["--a", "--b"]});
        let intended = json!({"args": ["--a"]});
        assert_eq!(prune_to(&live, &intended), live);
    }
}
