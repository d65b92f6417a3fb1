//! Which objects a patch applies to: `target:` selectors (group, version, kind, name and
//! namespace as regexes anchored at both ends; label and annotation selectors), and the identities an object had before namespace, prefix and suffix changed
//! it — kustomize matches a target against an object's original or current id, and a patch
//! without target against any id the object ever had.
//!
//! Earlier identities come from `history`.

use regex::Regex;

use crate::kustomize::history::{ObjectId, previous_ids};

use crate::kustomize::error::KustomizeError;
use crate::manifest::Node;

/// A parsed `target:`.
pub struct Target {
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Option<LabelSelector>,
    annotations: Option<LabelSelector>,
}

impl Target {
    pub fn parse(node: &Node) -> Result<Target, KustomizeError> {
        let entries = node
            .as_map()
            .ok_or_else(|| KustomizeError::at(&node.origin, "`target` must be a mapping"))?;
        let mut target = Target {
            group: None,
            version: None,
            kind: None,
            name: None,
            namespace: None,
            labels: None,
            annotations: None,
        };
        for (key, value) in entries {
            let text = value.as_str().ok_or_else(|| {
                KustomizeError::at(&value.origin, format!("target: `{key}` must be a string"))
            })?;
            let pattern = || anchored(text, value);
            match key.as_str() {
                "group" => target.group = pattern()?,
                "version" => target.version = pattern()?,
                "kind" => target.kind = pattern()?,
                "name" => target.name = pattern()?,
                "namespace" => target.namespace = pattern()?,
                "labelSelector" => target.labels = Some(LabelSelector::parse(text, value)?),
                "annotationSelector" => {
                    target.annotations = Some(LabelSelector::parse(text, value)?);
                }
                other => {
                    return Err(KustomizeError::at(
                        &value.origin,
                        format!("target: unknown field `{other}`"),
                    ));
                }
            }
        }
        Ok(target)
    }

    /// kustomize's `Select`: kind and labels as the object is now, name and namespace as it
    /// was first or is now.
    pub fn selects(&self, object: &Node) -> bool {
        let current = ObjectId::of(object);
        let original = previous_ids(object)
            .into_iter()
            .next()
            .unwrap_or_else(|| current.clone());
        let (group, version) = match current.api_version.rsplit_once('/') {
            Some((group, version)) => (group, version),
            None => ("", current.api_version.as_str()),
        };
        let now = |pattern: &Option<Regex>, actual: &str| {
            pattern.as_ref().is_none_or(|p| p.is_match(actual))
        };
        let either = |pattern: &Option<Regex>, of: fn(&ObjectId) -> &str| {
            pattern
                .as_ref()
                .is_none_or(|p| p.is_match(of(&original)) || p.is_match(of(&current)))
        };
        now(&self.group, group)
            && now(&self.version, version)
            && now(&self.kind, &current.kind)
            && either(&self.name, |id| &id.name)
            && either(&self.namespace, ObjectId::effective_namespace)
            && selector_matches(&self.labels, object, "labels")
            && selector_matches(&self.annotations, object, "annotations")
    }
}

fn selector_matches(selector: &Option<LabelSelector>, object: &Node, field: &str) -> bool {
    selector.as_ref().is_none_or(|s| {
        s.matches(|key| object.str_at(&["metadata", field, key]).map(str::to_string))
    })
}

/// A selector pattern, anchored as kustomize anchors it; empty matches all.
fn anchored(text: &str, node: &Node) -> Result<Option<Regex>, KustomizeError> {
    if text.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{text})$"))
        .map(Some)
        .map_err(|e| KustomizeError::at(&node.origin, format!("target: invalid regex: {e}")))
}

/// A Kubernetes label selector string: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
/// `k notin (a,b)`, `k`, `!k`, joined by commas.
struct LabelSelector {
    requirements: Vec<Requirement>,
}

enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

impl LabelSelector {
    fn parse(text: &str, node: &Node) -> Result<LabelSelector, KustomizeError> {
        let invalid = |part: &str| {
            KustomizeError::at(
                &node.origin,
                format!("target: invalid selector `{text}` near `{part}`"),
            )
        };
        let requirements = split_requirements(text)
            .into_iter()
            .map(|part| parse_requirement(part).ok_or_else(|| invalid(part)))
            .collect::<Result<_, _>>()?;
        Ok(LabelSelector { requirements })
    }

    fn matches(&self, value_of: impl Fn(&str) -> Option<String>) -> bool {
        self.requirements
            .iter()
            .all(|requirement| match requirement {
                Requirement::In(key, values) => value_of(key).is_some_and(|v| values.contains(&v)),
                Requirement::NotIn(key, values) => {
                    value_of(key).is_none_or(|v| !values.contains(&v))
                }
                Requirement::Exists(key) => value_of(key).is_some(),
                Requirement::Absent(key) => value_of(key).is_none(),
            })
    }
}

/// Splits at commas outside parentheses.
fn split_requirements(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (index, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text[start..index].trim());
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

fn parse_requirement(part: &str) -> Option<Requirement> {
    let word = |s: &str| s.trim().to_string();
    if let Some((key, value)) = part.split_once("!=") {
        return Some(Requirement::NotIn(word(key), vec![word(value)]));
    }
    if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Some(Requirement::In(word(key), vec![word(value)]));
    }
    if let Some(key) = part.strip_prefix('!') {
        return Some(Requirement::Absent(word(key)));
    }
    let set = |rest: &str| -> Option<Vec<String>> {
        let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
        Some(inner.split(',').map(word).collect())
    };
    if let Some((key, rest)) = part.split_once(" notin ") {
        return Some(Requirement::NotIn(word(key), set(rest)?));
    }
    if let Some((key, rest)) = part.split_once(" in ") {
        return Some(Requirement::In(word(key), set(rest)?));
    }
    (!part.contains([' ', '(', ')'])).then(|| Requirement::Exists(word(part)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::test_support::yaml;

    fn selects(target: &str, object: &Node) -> bool {
        Target::parse(&yaml(target)).unwrap().selects(object)
    }

    #[test]
    fn targets_match_current_or_original_names() {
        let mut objects = vec![yaml(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, labels: {tier: web, v: '2'}}\n",
        )];
        crate::kustomize::history::remember(&mut objects);
        let origin = objects[0].origin.clone();
        objects[0]
            .map_entry("metadata")
            .set("name", Node::string("base-app", origin));
        let object = &objects[0];
        assert!(selects("{kind: Deployment, name: app}", object));
        assert!(selects("{name: base-.*, namespace: default}", object));
        assert!(!selects("{name: ap}", object));
        assert!(selects("{group: apps, version: v1}", object));
        assert!(selects("{kind: Deploy.*, version: 'v1|v2'}", object));
        assert!(!selects("{kind: Deploy}", object));
        assert!(selects(
            "{labelSelector: 'tier in (web, api),v!=1,!gone'}",
            object
        ));
        assert!(!selects("{labelSelector: tier=api}", object));
        assert!(crate::kustomize::history::had_id(
            object,
            &ObjectId {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: "app".into(),
                namespace: "default".into(),
            }
        ));
        crate::kustomize::history::forget(&mut objects);
        assert!(previous_ids(&objects[0]).is_empty());
    }
}
