//! The identities an object had before transformers renamed or moved it (patches with
//! `allowNameChange`, namespace, prefix, suffix). kustomize matches a patch target, a
//! replacement's `select` and a generator's `behavior: merge` against any of them
//! (`name: web` still selects `prod-web`). They ride along in the object under a private
//! top-level key, which no transformer touches, until `forget` strips it before output.
//! Beside them ride the prefixes and suffixes added to the name and whether kustomize would
//! have stored the identity at all, which name references choose their target by.

use super::field_specs::is_cluster_scoped;
use super::name_refs::Identity;
use crate::manifest::{Node, Value};

/// The prefix of the top-level keys under which the build keeps what it knows about an
/// object (removed before output).
pub const PRIVATE: &str = "$meshwright/";

/// Where an object keeps the identities it had before (removed before output).
const PREVIOUS_IDS: &str = "$meshwright/previousIds";

/// Where an object keeps the `namePrefix`es and `nameSuffix`es applied to it, in order.
const PREFIXES: &str = "$meshwright/prefixes";
const SUFFIXES: &str = "$meshwright/suffixes";

/// Set once a transformer for which kustomize stores an object's identity (namespace, prefix,
/// suffix) visited it, changing it or not.
const ID_STORED: &str = "$meshwright/idStored";

/// An object's identity as kustomize's `ResId`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectId {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// The identity name references compare: kind, namespace and name, without the version.
impl From<ObjectId> for Identity {
    fn from(id: ObjectId) -> Identity {
        Identity {
            kind: id.kind,
            namespace: id.namespace,
            name: id.name,
        }
    }
}

impl ObjectId {
    pub fn of(object: &Node) -> ObjectId {
        let text = |path: &[&str]| object.str_at(path).unwrap_or_default().to_string();
        ObjectId {
            api_version: text(&["apiVersion"]),
            kind: text(&["kind"]),
            name: text(&["metadata", "name"]),
            namespace: text(&["metadata", "namespace"]),
        }
    }

    /// The namespace kustomize compares: `default` when none is set.
    pub fn effective_namespace(&self) -> &str {
        match self.namespace.as_str() {
            _ if is_cluster_scoped(&self.kind) => "",
            "" => "default",
            namespace => namespace,
        }
    }

    /// kustomize's `ResId.Equals`: the empty namespace is `default`.
    pub fn same(&self, other: &ObjectId) -> bool {
        self.api_version == other.api_version
            && self.kind == other.kind
            && self.name == other.name
            && self.effective_namespace() == other.effective_namespace()
    }

    fn to_node(&self, origin: &Node) -> Node {
        let mut node = Node::empty_map(origin.origin.clone());
        for (key, value) in [
            ("apiVersion", &self.api_version),
            ("kind", &self.kind),
            ("name", &self.name),
            ("namespace", &self.namespace),
        ] {
            node.set(key, Node::string(value, origin.origin.clone()));
        }
        node
    }

    fn from_node(node: &Node) -> ObjectId {
        let text = |key: &str| node.str_at(&[key]).unwrap_or_default().to_string();
        ObjectId {
            api_version: text("apiVersion"),
            kind: text("kind"),
            name: text("name"),
            namespace: text("namespace"),
        }
    }
}

/// The identities `object` had before its current one, oldest first.
pub fn previous_ids(object: &Node) -> Vec<ObjectId> {
    object
        .get(PREVIOUS_IDS)
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(ObjectId::from_node)
        .collect()
}

/// Records every object's current identity, before a transformer that may change it.
pub fn remember(objects: &mut [Node]) {
    for object in objects.iter_mut() {
        let current = ObjectId::of(object);
        if previous_ids(object).last() == Some(&current) {
            continue;
        }
        let entry = current.to_node(object);
        if object.get(PREVIOUS_IDS).is_none() {
            let empty = Node::new(Value::Seq(Vec::new()), object.origin.clone());
            object.set(PREVIOUS_IDS, empty);
        }
        if let Some(history) = object.get_mut(PREVIOUS_IDS).and_then(Node::as_seq_mut) {
            history.push(entry);
        }
    }
}

/// Drops the recorded identities, once nothing will match against them any more.
pub fn forget(objects: &mut [Node]) {
    for object in objects.iter_mut() {
        for key in [PREVIOUS_IDS, PREFIXES, SUFFIXES, ID_STORED] {
            object.remove(key);
        }
    }
}

/// Notes that kustomize would have stored the object's identity here: only such objects,
/// and renamed ones, are what a name reference may be fixed to.
pub fn mark_id_stored(object: &mut Node) {
    object.set(
        ID_STORED,
        Node::new(Value::Bool(true), object.origin.clone()),
    );
}

/// Whether `mark_id_stored` marked the object.
pub fn id_stored(object: &Node) -> bool {
    object.get(ID_STORED).is_some()
}

/// Records that `prefix` and `suffix` (when not empty) were added to the object's name, as
/// kustomize's build annotations do; name references choose among candidates by them.
pub fn record_affixes(object: &mut Node, prefix: &str, suffix: &str) {
    mark_id_stored(object);
    for (key, affix) in [(PREFIXES, prefix), (SUFFIXES, suffix)] {
        if affix.is_empty() {
            continue;
        }
        let entry = Node::string(affix, object.origin.clone());
        if object.get(key).is_none() {
            let empty = Node::new(Value::Seq(Vec::new()), object.origin.clone());
            object.set(key, empty);
        }
        if let Some(list) = object.get_mut(key).and_then(Node::as_seq_mut) {
            list.push(entry);
        }
    }
}

/// The prefixes and the suffixes `record_affixes` recorded, oldest first.
pub fn affixes(object: &Node) -> (Vec<String>, Vec<String>) {
    let list = |key: &str| {
        object
            .get(key)
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect()
    };
    (list(PREFIXES), list(SUFFIXES))
}

/// Whether any identity `object` has or had is `id`.
pub fn had_id(object: &Node, id: &ObjectId) -> bool {
    previous_ids(object)
        .iter()
        .chain(std::iter::once(&ObjectId::of(object)))
        .any(|known| known.same(id))
}

/// The identity `object` had when it was first read, if transformers changed it since.
pub fn original(object: &Node) -> Option<Identity> {
    let original = Identity::from(previous_ids(object).into_iter().next()?);
    (original != Identity::of(object)).then_some(original)
}

/// Gives `to` the history of `from` (a generator's `behavior: merge` replaces an object),
/// and whatever else the build keeps under its private keys (the vars it is the target of).
pub fn carry(from: &Node, to: &mut Node) {
    for (key, value) in from.as_map().unwrap_or_default() {
        if key.starts_with(PRIVATE) {
            to.set(key, value.clone());
        }
    }
}

/// The object's current identity followed by its previous ones, newest first.
pub fn identities(object: &Node) -> Vec<Identity> {
    let mut ids: Vec<Identity> = previous_ids(object)
        .into_iter()
        .map(Identity::from)
        .collect();
    ids.push(Identity::of(object));
    ids.dedup();
    ids.reverse();
    ids
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
            remember(&mut objects);
            let metadata = objects[0].map_entry("metadata");
            metadata.set("name", Node::string(name, origin.clone()));
            metadata.set("namespace", Node::string(namespace, origin.clone()));
        }
        let names: Vec<String> = identities(&objects[0])
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(names, ["p-web-s", "p-web", "web"]);
        assert!(had_id(
            &objects[0],
            &ObjectId {
                api_version: String::new(),
                kind: "Service".into(),
                name: "web".into(),
                namespace: String::new()
            }
        ));
        record_affixes(&mut objects[0], "p-", "");
        record_affixes(&mut objects[0], "", "-s");
        assert!(id_stored(&objects[0]));
        assert_eq!(affixes(&objects[0]), (vec!["p-".into()], vec!["-s".into()]));
        forget(&mut objects);
        assert!(!id_stored(&objects[0]));
        assert_eq!(
            objects[0].to_json()["metadata"],
            serde_json::json!({"name": "p-web-s", "namespace": "shop"})
        );
    }
}
