//! Where kustomize writes labels and annotations: its built-in field specs of `commonLabels`
//! (and of `labels` with `includeSelectors`: selectors, pod templates, claim templates), of
//! `labels` with `includeTemplates` (templates only) and of `commonAnnotations`, and which
//! of them a `labels:` item reaches (`LabelTargets`). Walking the specs is `field_specs`'
//! (the one fieldspec filter), writing the pairs is `custom_fields::add_pairs`.

use std::path::Path;
use std::sync::OnceLock;

use super::field_specs::FieldSpec;
use super::transformer_config::parse_spec;
use crate::manifest::parse_documents;

/// Which labels of an object a `labels:` item (or `commonLabels`) reaches besides its own.
pub struct LabelTargets {
    pub templates: bool,
    pub selectors: bool,
    /// The item's own `fields:`.
    pub fields: Vec<FieldSpec>,
}

impl LabelTargets {
    /// Every spec the labels are written along: `metadata/labels`, the item's own fields,
    /// and the built-in selector and template specs the item reaches.
    pub fn specs(&self) -> Vec<FieldSpec> {
        let Builtin {
            selectors,
            templates,
            ..
        } = builtin_specs();
        let mut specs = vec![FieldSpec {
            create: true,
            ..FieldSpec::builtin("", "metadata/labels")
        }];
        specs.extend(self.fields.iter().cloned());
        if self.selectors {
            specs.extend(selectors.iter().cloned());
        }
        if self.templates || self.selectors {
            specs.extend(templates.iter().cloned());
        }
        specs
    }
}

/// kustomize's `commonAnnotations` specs: the object's annotations and its pod templates'.
pub fn annotation_specs() -> &'static [FieldSpec] {
    &builtin_specs().annotations
}

/// The built-in tables, read.
struct Builtin {
    selectors: Vec<FieldSpec>,
    templates: Vec<FieldSpec>,
    annotations: Vec<FieldSpec>,
}

/// `SELECTORS`, `TEMPLATES` and `ANNOTATIONS`, read once.
fn builtin_specs() -> &'static Builtin {
    static SPECS: OnceLock<Builtin> = OnceLock::new();
    SPECS.get_or_init(|| Builtin {
        selectors: read_builtin(SELECTORS),
        templates: read_builtin(TEMPLATES),
        annotations: read_builtin(ANNOTATIONS),
    })
}

fn read_builtin(text: &str) -> Vec<FieldSpec> {
    let documents = parse_documents(Path::new("metadata_specs.rs"), text.as_bytes());
    let list = documents.expect("built-in specs are YAML").remove(0);
    let specs = list.as_seq().expect("a list").iter().map(parse_spec);
    specs
        .collect::<Result<_, _>>()
        .expect("built-in specs parse")
}

/// kustomize's `commonLabels` specs for selectors (builtinpluginconsts/commonlabels.go
/// without `metadata/labels` and the templates, which `TEMPLATES` holds).
const SELECTORS: &str = r"
- {path: spec/selector, create: true, version: v1, kind: Service}
- {path: spec/selector, create: true, version: v1, kind: ReplicationController}
- {path: spec/selector/matchLabels, create: true, kind: Deployment}
- {path: spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels, group: apps, kind: Deployment}
- {path: spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels, group: apps, kind: Deployment}
- {path: spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels, group: apps, kind: Deployment}
- {path: spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels, group: apps, kind: Deployment}
- {path: spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels, group: apps, kind: Deployment}
- {path: spec/selector/matchLabels, create: true, kind: ReplicaSet}
- {path: spec/selector/matchLabels, create: true, kind: DaemonSet}
- {path: spec/selector/matchLabels, create: true, group: apps, kind: StatefulSet}
- {path: spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels, group: apps, kind: StatefulSet}
- {path: spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels, group: apps, kind: StatefulSet}
- {path: spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels, group: apps, kind: StatefulSet}
- {path: spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels, group: apps, kind: StatefulSet}
- {path: spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels, group: apps, kind: StatefulSet}
- {path: spec/selector/matchLabels, group: batch, kind: Job}
- {path: spec/jobTemplate/spec/selector/matchLabels, group: batch, kind: CronJob}
- {path: spec/selector/matchLabels, group: policy, kind: PodDisruptionBudget}
- {path: spec/podSelector/matchLabels, group: networking.k8s.io, kind: NetworkPolicy}
- {path: spec/ingress/from/podSelector/matchLabels, group: networking.k8s.io, kind: NetworkPolicy}
- {path: spec/egress/to/podSelector/matchLabels, group: networking.k8s.io, kind: NetworkPolicy}
";

/// kustomize's template label specs (metadatalabels.go without `metadata/labels`, and the
/// claim templates), which `commonLabels` includes too.
const TEMPLATES: &str = r"
- {path: spec/template/metadata/labels, create: true, version: v1, kind: ReplicationController}
- {path: spec/template/metadata/labels, create: true, kind: Deployment}
- {path: spec/template/metadata/labels, create: true, kind: ReplicaSet}
- {path: spec/template/metadata/labels, create: true, kind: DaemonSet}
- {path: spec/template/metadata/labels, create: true, group: apps, kind: StatefulSet}
- {path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true, group: apps, kind: StatefulSet}
- {path: spec/template/metadata/labels, create: true, group: batch, kind: Job}
- {path: spec/jobTemplate/metadata/labels, create: true, group: batch, kind: CronJob}
- {path: spec/jobTemplate/spec/template/metadata/labels, create: true, group: batch, kind: CronJob}
";

/// kustomize's `commonAnnotations` specs (builtinpluginconsts/commonannotations.go).
const ANNOTATIONS: &str = r"
- {path: metadata/annotations, create: true}
- {path: spec/template/metadata/annotations, create: true, version: v1, kind: ReplicationController}
- {path: spec/template/metadata/annotations, create: true, kind: Deployment}
- {path: spec/template/metadata/annotations, create: true, kind: ReplicaSet}
- {path: spec/template/metadata/annotations, create: true, kind: DaemonSet}
- {path: spec/template/metadata/annotations, create: true, kind: StatefulSet}
- {path: spec/template/metadata/annotations, create: true, group: batch, kind: Job}
- {path: spec/jobTemplate/metadata/annotations, create: true, group: batch, kind: CronJob}
- {path: spec/jobTemplate/spec/template/metadata/annotations, create: true, group: batch, kind: CronJob}
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::custom_fields::add_pairs;
    use crate::kustomize::error::KustomizeError;

    fn labelled(yaml: &str, templates: bool, selectors: bool) -> serde_json::Value {
        try_labelled(yaml, templates, selectors).expect("labels")
    }

    fn try_labelled(
        yaml: &str,
        templates: bool,
        selectors: bool,
    ) -> Result<serde_json::Value, KustomizeError> {
        let targets = LabelTargets {
            templates,
            selectors,
            fields: Vec::new(),
        };
        let mut objects = parse_documents(Path::new("t.yaml"), yaml.as_bytes()).unwrap();
        let origin = objects[0].clone();
        let pairs = [("team".to_string(), "a".to_string())];
        add_pairs(&mut objects, &targets.specs(), &pairs, &origin)?;
        Ok(objects[0].to_json())
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

    #[test]
    fn a_null_list_on_the_way_becomes_empty_and_a_scalar_selector_is_an_error_as_in_kustomize() {
        let stateful = labelled(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  volumeClaimTemplates:\n",
            true,
            true,
        );
        assert_eq!(
            stateful["spec"]["volumeClaimTemplates"],
            serde_json::json!([])
        );
        let service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: x\n";
        assert!(try_labelled(service, true, true).is_err());
        assert!(try_labelled(service, true, false).is_ok(), "no selectors");
    }

    #[test]
    fn the_builtin_specs_are_read() {
        let Builtin {
            selectors,
            templates,
            ..
        } = builtin_specs();
        assert_eq!((selectors.len(), templates.len()), (22, 9));
        assert!(templates.iter().any(|spec| spec.path.contains("[]")));
    }

    #[test]
    fn annotations_create_a_missing_pod_template_as_kustomize_does() {
        let mut objects = parse_documents(
            Path::new("t.yaml"),
            b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n",
        )
        .unwrap();
        let origin = objects[0].clone();
        let pairs = [("note".to_string(), "x".to_string())];
        add_pairs(&mut objects, annotation_specs(), &pairs, &origin).expect("adds");
        let template = ["spec", "template", "metadata", "annotations", "note"];
        assert_eq!(objects[0].str_at(&template), Some("x"));
        assert_eq!(
            objects[0].str_at(&["metadata", "annotations", "note"]),
            Some("x")
        );
    }
}
