//! Where kustomize writes labels — the field specs of `commonLabels` (and of `labels` with
//! `includeSelectors`: selectors, pod templates, claim templates) and of `labels` with
//! `includeTemplates` (templates only) — and how it walks them: a list on the way applies
//! to each element, a missing map is created only where the spec says `create`, and a
//! list is never created.

use super::error::KustomizeError;
use super::kustomization::known_keys;
use crate::manifest::{Node, Value};

/// One kustomize field spec: the objects it applies to (empty means any) and the path.
pub struct FieldSpec<'a> {
    group: &'a str,
    version: &'a str,
    kind: &'a str,
    path: &'a str,
    create: bool,
}

impl<'a> FieldSpec<'a> {
    /// A `fields:` entry of a `labels:` item.
    pub fn parse(node: &'a Node) -> Result<FieldSpec<'a>, KustomizeError> {
        known_keys(
            node,
            &["path", "group", "version", "kind", "create"],
            "labels.fields",
        )?;
        let text = |key: &str| node.str_at(&[key]).unwrap_or_default();
        Ok(FieldSpec {
            group: text("group"),
            version: text("version"),
            kind: text("kind"),
            path: text("path"),
            create: node
                .get("create")
                .is_some_and(|v| v.value == Value::Bool(true)),
        })
    }
}

/// Which labels of an object a `labels:` item (or `commonLabels`) reaches besides its own.
pub struct LabelTargets<'a> {
    pub templates: bool,
    pub selectors: bool,
    /// The item's own `fields:`.
    pub fields: Vec<FieldSpec<'a>>,
}

const fn spec(
    group: &'static str,
    kind: &'static str,
    path: &'static str,
    create: bool,
) -> FieldSpec<'static> {
    FieldSpec {
        group,
        version: "",
        kind,
        path,
        create,
    }
}

const fn core_v1(kind: &'static str, path: &'static str) -> FieldSpec<'static> {
    FieldSpec {
        group: "",
        version: "v1",
        kind,
        path,
        create: true,
    }
}

const AFFINITY: [&str; 5] = [
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
];

/// kustomize's `commonLabels` specs for selectors (builtinpluginconsts/commonlabels.go),
/// without the affinity ones, which `SELECTOR_AFFINITY_KINDS` add.
const SELECTORS: [FieldSpec<'static>; 12] = [
    core_v1("Service", "spec/selector"),
    core_v1("ReplicationController", "spec/selector"),
    spec("", "Deployment", "spec/selector/matchLabels", true),
    spec("", "ReplicaSet", "spec/selector/matchLabels", true),
    spec("", "DaemonSet", "spec/selector/matchLabels", true),
    spec("apps", "StatefulSet", "spec/selector/matchLabels", true),
    spec("batch", "Job", "spec/selector/matchLabels", false),
    spec(
        "batch",
        "CronJob",
        "spec/jobTemplate/spec/selector/matchLabels",
        false,
    ),
    spec(
        "policy",
        "PodDisruptionBudget",
        "spec/selector/matchLabels",
        false,
    ),
    spec(
        "networking.k8s.io",
        "NetworkPolicy",
        "spec/podSelector/matchLabels",
        false,
    ),
    spec(
        "networking.k8s.io",
        "NetworkPolicy",
        "spec/ingress/from/podSelector/matchLabels",
        false,
    ),
    spec(
        "networking.k8s.io",
        "NetworkPolicy",
        "spec/egress/to/podSelector/matchLabels",
        false,
    ),
];

/// Kinds (group `apps`) whose pod affinity and topology selectors get the labels.
const SELECTOR_AFFINITY_KINDS: [&str; 2] = ["Deployment", "StatefulSet"];

/// kustomize's template label specs (metadataLabelsFieldSpecs without `metadata/labels`),
/// which `commonLabels` includes too.
const TEMPLATES: [FieldSpec<'static>; 9] = [
    core_v1("ReplicationController", "spec/template/metadata/labels"),
    spec("", "Deployment", "spec/template/metadata/labels", true),
    spec("", "ReplicaSet", "spec/template/metadata/labels", true),
    spec("", "DaemonSet", "spec/template/metadata/labels", true),
    spec("apps", "StatefulSet", "spec/template/metadata/labels", true),
    spec(
        "apps",
        "StatefulSet",
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    ),
    spec("batch", "Job", "spec/template/metadata/labels", true),
    spec("batch", "CronJob", "spec/jobTemplate/metadata/labels", true),
    spec(
        "batch",
        "CronJob",
        "spec/jobTemplate/spec/template/metadata/labels",
        true,
    ),
];

/// Adds `pairs` to the labels of `object`: its own, and those `targets` reach.
pub fn add_labels(
    object: &mut Node,
    pairs: &[(String, String)],
    origin: &Node,
    targets: &LabelTargets,
) {
    let api_version = object
        .str_at(&["apiVersion"])
        .unwrap_or_default()
        .to_string();
    let (group, version) = api_version.split_once('/').unwrap_or(("", &api_version));
    let kind = object.str_at(&["kind"]).unwrap_or_default().to_string();
    let selected = |spec: &&FieldSpec| {
        (spec.group.is_empty() || spec.group == group)
            && (spec.version.is_empty() || spec.version == version)
            && (spec.kind.is_empty() || spec.kind == kind)
    };
    let mut paths: Vec<(&str, bool)> = vec![("metadata/labels", true)];
    paths.extend(
        targets
            .fields
            .iter()
            .filter(selected)
            .map(|s| (s.path, s.create)),
    );
    if targets.selectors {
        paths.extend(
            SELECTORS
                .iter()
                .filter(selected)
                .map(|s| (s.path, s.create)),
        );
        if group == "apps" && SELECTOR_AFFINITY_KINDS.contains(&kind.as_str()) {
            paths.extend(AFFINITY.iter().map(|path| (*path, false)));
        }
    }
    if targets.templates || targets.selectors {
        paths.extend(
            TEMPLATES
                .iter()
                .filter(selected)
                .map(|s| (s.path, s.create)),
        );
    }
    for (path, create) in paths {
        let segments: Vec<&str> = path.split('/').collect();
        walk(object, &segments, create, &mut |labels| {
            for (key, value) in pairs {
                labels.set(key, Node::string(value, origin.origin.clone()));
            }
        });
    }
}

/// kustomize's field-spec walk: lists apply the rest of the path to each element; a
/// missing or null field becomes a map only when `create` (never for a `name[]` segment).
fn walk(node: &mut Node, path: &[&str], create: bool, set: &mut dyn FnMut(&mut Node)) {
    let Some((first, rest)) = path.split_first() else {
        if matches!(node.value, Value::Map(_)) {
            set(node);
        }
        return;
    };
    match &mut node.value {
        Value::Seq(items) => {
            for item in items {
                walk(item, path, create, set);
            }
        }
        Value::Map(_) => {
            let (name, is_list) = match first.strip_suffix("[]") {
                Some(name) => (name, true),
                None => (*first, false),
            };
            let creates = create && !is_list;
            let field = if creates {
                node.map_entry(name)
            } else {
                match node.get_mut(name) {
                    Some(field) => field,
                    None => return,
                }
            };
            walk(field, rest, create, set);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;
    use std::path::Path;

    fn labelled(yaml: &str, templates: bool, selectors: bool) -> serde_json::Value {
        let targets = LabelTargets {
            templates,
            selectors,
            fields: Vec::new(),
        };
        let mut object = parse_documents(Path::new("t.yaml"), yaml.as_bytes())
            .unwrap()
            .remove(0);
        let origin = object.clone();
        let pairs = [("team".to_string(), "a".to_string())];
        add_labels(&mut object, &pairs, &origin, &targets);
        object.to_json()
    }

    #[test]
    fn selectors_are_created_where_kustomize_creates_them_and_lists_are_walked_not_created() {
        let deployment = labelled(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n",
            true,
            true,
        );
        assert_eq!(deployment["spec"]["selector"]["matchLabels"]["team"], "a");
        assert_eq!(
            deployment["spec"]["template"]["metadata"]["labels"]["team"],
            "a"
        );
        let policy = labelled(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n}\nspec:\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {x: y}}\n    - namespaceSelector: {}\n",
            true,
            true,
        );
        let from = &policy["spec"]["ingress"][0]["from"];
        assert_eq!(from[0]["podSelector"]["matchLabels"]["team"], "a");
        assert!(from[1].get("podSelector").is_none(), "{policy}");
        assert!(
            policy["spec"].get("podSelector").is_none(),
            "not created: {policy}"
        );
        let stateful = labelled(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\n",
            true,
            false,
        );
        assert!(
            stateful["spec"].get("volumeClaimTemplates").is_none(),
            "{stateful}"
        );
        assert!(stateful["spec"].get("selector").is_none(), "{stateful}");
    }
}
