//! `*List` documents (`List`, `SecretList`, `ConfigMapList`, …) unwrapped into their items,
//! as kubectl and kustomize read them: any kind ending in `List` whose `items` is a sequence
//! stands for its items, nested lists included.

use super::Node;

/// The items of `document` if it is a `*List` with an `items` sequence.
pub fn list_items(document: &Node) -> Option<&[Node]> {
    document
        .str_at(&["kind"])
        .filter(|kind| kind.ends_with("List"))
        .and(document.get("items"))
        .and_then(Node::as_seq)
}

/// `documents` with every `*List` replaced by its items (recursively), in document order.
pub fn unwrap_lists(documents: Vec<Node>) -> Vec<Node> {
    let mut objects = Vec::with_capacity(documents.len());
    // Pending documents, last first, so that items keep their order.
    let mut pending: Vec<Node> = documents.into_iter().rev().collect();
    while let Some(document) = pending.pop() {
        match list_items(&document) {
            Some(items) => pending.extend(items.iter().rev().cloned()),
            None => objects.push(document),
        }
    }
    objects
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::manifest::parse_documents;

    fn names(objects: &[Node]) -> Vec<&str> {
        objects
            .iter()
            .map(|o| o.str_at(&["metadata", "name"]).unwrap_or("-"))
            .collect()
    }

    #[test]
    fn every_list_kind_is_unwrapped_in_order() {
        let text = "kind: SecretList\napiVersion: v1\nitems:\n- {kind: Secret, metadata: {name: a}}\n- kind: List\n  items: [{kind: ConfigMap, metadata: {name: b}}]\n---\nkind: ConfigMap\nmetadata: {name: c}\n---\nkind: PodList\nmetadata: {name: not-a-list}\n";
        let documents = parse_documents(Path::new("l.yaml"), text.as_bytes()).unwrap();
        let objects = unwrap_lists(documents);
        assert_eq!(names(&objects), ["a", "b", "c", "not-a-list"]);
    }
}
