//! The identities an object had before transformers renamed or moved it. kustomize lets a
//! replacement select an object, and a generator `behavior` find its base object, by any
//! of them (`name: web` still selects `prod-web`). Like kustomize, meshwright keeps them in
//! an internal annotation while building and strips it before output.

use super::name_refs::Identity;
use crate::manifest::Node;

/// Previous identities, oldest first, as `kind/namespace/name` joined by commas.
const PREVIOUS_IDS: &str = "internal.meshwright.dev/previous-ids";

/// Adds each object's identity from `before` to its history when it has changed since.
pub fn record_history(objects: &mut [Node], before: &[Identity]) {
    for (object, before) in objects.iter_mut().zip(before) {
        if Identity::of(object) == *before {
            continue;
        }
        let entry = format!("{}/{}/{}", before.kind, before.namespace, before.name);
        let origin = object.origin.clone();
        let annotations = object.map_entry("metadata").map_entry("annotations");
        let text = match annotations.str_at(&[PREVIOUS_IDS]) {
            Some(earlier) => format!("{earlier},{entry}"),
            None => entry,
        };
        annotations.set(PREVIOUS_IDS, Node::string(text, origin));
    }
}

/// The object's current identity followed by its previous ones, newest first.
pub fn identities(object: &Node) -> Vec<Identity> {
    let previous = object
        .str_at(&["metadata", "annotations", PREVIOUS_IDS])
        .unwrap_or_default();
    let mut ids: Vec<Identity> = previous
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.splitn(3, '/');
            Some(Identity {
                kind: parts.next()?.to_string(),
                namespace: parts.next()?.to_string(),
                name: parts.next()?.to_string(),
            })
        })
        .collect();
    ids.push(Identity::of(object));
    ids.reverse();
    ids
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

/// Strips the history before output.
pub fn forget_history(objects: &mut [Node]) {
    for object in objects {
        take_annotation(object, PREVIOUS_IDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Origin;
    use std::path::Path;
    use std::sync::Arc;

    #[test]
    fn history_is_recorded_and_forgotten() {
        let origin = Origin::new(Arc::from(Path::new("a.yaml")), 1, 1);
        let json = serde_json::json!({"kind": "Service", "metadata": {"name": "web"}});
        let mut objects = vec![Node::from_json(&json, &origin)];
        for (name, namespace) in [("p-web", "shop"), ("p-web-s", "shop")] {
            let before = vec![Identity::of(&objects[0])];
            let metadata = objects[0].map_entry("metadata");
            metadata.set("name", Node::string(name, origin.clone()));
            metadata.set("namespace", Node::string(namespace, origin.clone()));
            record_history(&mut objects, &before);
        }
        let names: Vec<String> = identities(&objects[0])
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(names, ["p-web-s", "p-web", "web"]);
        forget_history(&mut objects);
        assert_eq!(
            objects[0].to_json()["metadata"],
            serde_json::json!({"name": "p-web-s", "namespace": "shop"})
        );
    }
}
