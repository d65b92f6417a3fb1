//! MW705: an Istio pod annotation (or the `sidecar.istio.io/inject` label) written on a
//! Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob instead of its pod
//! template.
//!
//! Istio's injector reads the pod's own metadata; the controller's is never copied to its
//! pods, so the setting — injection on or off, proxy resources, traffic capture, proxy
//! configuration — silently does not apply.

use crate::analyze::refs::namespace_of;
use crate::analyze::sidecar::{INJECT_LABEL, POD_ANNOTATION_PREFIXES};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::workload::pod_template;

pub static CODE: Code = Code {
    code: "MW705",
    name: "misplaced-pod-annotation",
    severity: Severity::Warning,
    help: "move it to the pod template's metadata (spec.template.metadata)",
    docs: r#"## What it does
Finds Istio annotations that apply to pods (`sidecar.istio.io/*`,
`traffic.sidecar.istio.io/*`, `proxy.istio.io/*`, `inject.istio.io/*`, …) and the
`sidecar.istio.io/inject` label written on the metadata of a Deployment, StatefulSet,
DaemonSet, ReplicaSet, Job or CronJob rather than on its pod template.

`istioctl analyze` reports this as IST0107 (MisplacedAnnotation).

## Why is this bad?
The sidecar injector sees the pod, whose metadata comes from the template only. The
setting is ignored: a workload meant to be left out of the mesh gets a sidecar (or the
opposite), and proxy resources or capture exclusions never apply.

## Example
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: migrate
  annotations:
    sidecar.istio.io/inject: "false"
spec:
  template:
    metadata:
      labels:
        app: migrate
```

## Use instead
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: migrate
spec:
  template:
    metadata:
      labels:
        app: migrate
        sidecar.istio.io/inject: "false"
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in cluster.objects {
        let kind = object.str_at(&["kind"]).unwrap_or_default();
        if kind == "Pod" || pod_template(object).is_none() {
            continue;
        }
        let entries = |field: &str| -> Vec<(&String, &Node)> {
            object
                .at(&["metadata", field])
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .map(|(key, value)| (key, value))
                .collect()
        };
        let annotations = entries("annotations")
            .into_iter()
            .filter(|(key, _)| {
                POD_ANNOTATION_PREFIXES
                    .iter()
                    .any(|prefix| key.starts_with(prefix))
            })
            .map(|entry| ("annotation", entry));
        let inject_label = entries("labels")
            .into_iter()
            .filter(|(key, _)| key.as_str() == INJECT_LABEL)
            .map(|entry| ("label", entry));
        let name = object.str_at(&["metadata", "name"]).unwrap_or_default();
        for (what, (key, value)) in annotations.chain(inject_label) {
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "the {what} {key} is set on {kind} {}/{name}, whose own metadata no \
                         pod sees: the sidecar injector ignores it; set it on the pod template",
                        namespace_of(object)
                    ),
                    Some(value.origin.clone()),
                )
                .on(object),
            );
        }
    }
    findings
}
