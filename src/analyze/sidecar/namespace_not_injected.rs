//! MW706: a namespace without an injection label whose workloads the repository expects to
//! run a sidecar.
//!
//! Offline, "expects a sidecar" is read from the repository itself: a workload of the
//! namespace that gets no sidecar carries sidecar settings on its pod template
//! (`sidecar.istio.io/*`, `proxy.istio.io/config`, …), or Istio objects that act through
//! sidecars only — a Sidecar, a PeerAuthentication, an AuthorizationPolicy or
//! RequestAuthentication without `targetRefs` — are written into a namespace none of whose
//! workloads gets one. A namespace deliberately left out (`istio-injection=disabled`), in
//! ambient mode or on a revision, Istio's root namespace, and gateways are not judged.

use crate::analyze::authz::is_targeted;
use crate::analyze::refs::namespace_of;
use crate::analyze::sidecar::{
    INJECT_LABEL, NAMESPACE_INJECTION_LABEL, NAMESPACE_MODE_LABELS, POD_ANNOTATION_PREFIXES,
};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::ROOT_NAMESPACE;
use crate::policy::workload::{Labels, Workload, labels, pod_template};

/// The Istio kinds that configure sidecars, and their API group.
const SIDECAR_POLICY_KINDS: [(&str, &str); 4] = [
    ("Sidecar", "networking.istio.io"),
    ("PeerAuthentication", "security.istio.io"),
    ("AuthorizationPolicy", "security.istio.io"),
    ("RequestAuthentication", "security.istio.io"),
];

pub static CODE: Code = Code {
    code: "MW706",
    name: "namespace-not-injected",
    severity: Severity::Warning,
    help: "label the namespace istio-injection=enabled (or istio.io/rev=<revision>), or label the pod templates sidecar.istio.io/inject: \"true\"",
    docs: r#"## What it does
Finds Namespaces of the repository labelled neither `istio-injection` nor `istio.io/rev`
nor `istio.io/dataplane-mode` whose workloads the repository expects to run a sidecar, yet
get none: a workload without sidecar whose pod template sets sidecar annotations
(`sidecar.istio.io/*`, `traffic.sidecar.istio.io/*`, `proxy.istio.io/config`, …), or a
Sidecar, PeerAuthentication, AuthorizationPolicy or RequestAuthentication (without
`targetRefs`) in a namespace where no workload gets a sidecar. Istio's root namespace and
gateways are not judged.

`istioctl analyze` reports this as IST0102 (NamespaceNotInjected).

## Why is this bad?
Without the label Istio's injector skips the namespace's pods: they run without a proxy, so
they send plain text, hold no mesh identity, and the policies written for them enforce
nothing — a STRICT PeerAuthentication or an AuthorizationPolicy there protects no pod.

## Example
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: STRICT
```

## Use instead
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for namespace in cluster
        .objects
        .iter()
        .filter(|o| o.str_at(&["kind"]) == Some("Namespace"))
    {
        let Some(name_node) = namespace.at(&["metadata", "name"]) else {
            continue;
        };
        let name = name_node.as_str().unwrap_or_default();
        let labels = labels(namespace.at(&["metadata", "labels"]));
        let labelled = labels.contains_key(NAMESPACE_INJECTION_LABEL)
            || NAMESPACE_MODE_LABELS
                .iter()
                .any(|l| labels.contains_key(*l));
        if name == ROOT_NAMESPACE || labelled {
            continue;
        }
        let Some(evidence) = expectation(cluster, name) else {
            continue;
        };
        findings.push(
            Finding::new(
                &CODE,
                format!(
                    "Namespace {name} is not labelled for sidecar injection \
                     (istio-injection=enabled or istio.io/rev), yet {evidence}"
                ),
                Some(name_node.origin.clone()),
            )
            .on(namespace),
        );
    }
    findings
}

/// Why the repository expects the namespace's workloads to run a sidecar that they do not
/// get, if it does.
fn expectation(cluster: &Cluster, namespace: &str) -> Option<String> {
    let workloads: Vec<(&Workload, Labels)> = cluster
        .model
        .workloads()
        .iter()
        .filter(|w| w.namespace == namespace && !w.gateway)
        .map(|w| (w, pod_annotations(cluster, w)))
        .filter(|(w, annotations)| !opts_out(w, annotations))
        .collect();
    if let Some((workload, annotation)) = workloads
        .iter()
        .filter(|(w, _)| !w.sidecar)
        .find_map(|(w, annotations)| sidecar_annotation(annotations).map(|a| (w, a)))
    {
        return Some(format!(
            "{} {} sets {annotation} on its pods, which get no sidecar to apply it",
            workload.kind,
            workload.id()
        ));
    }
    if workloads.is_empty() || workloads.iter().any(|(w, _)| w.sidecar) {
        return None;
    }
    let policy = cluster
        .objects
        .iter()
        .find(|o| namespace_of(o) == namespace && !is_targeted(o) && is_sidecar_policy(o))?;
    Some(format!(
        "{} {namespace}/{} configures sidecars there, and no workload of the namespace gets \
         one",
        policy.str_at(&["kind"]).unwrap_or_default(),
        policy.str_at(&["metadata", "name"]).unwrap_or_default(),
    ))
}

/// The annotations of the workload's pod template.
fn pod_annotations(cluster: &Cluster, workload: &Workload) -> Labels {
    let object = cluster
        .lookups
        .index
        .get(&workload.kind, &workload.namespace, &workload.name);
    labels(
        object
            .and_then(pod_template)
            .and_then(|p| p.at(&["metadata", "annotations"])),
    )
}

/// Whether the pod template turns injection off: then it is left out on purpose.
fn opts_out(workload: &Workload, annotations: &Labels) -> bool {
    let off = |l: &Labels| l.get(INJECT_LABEL).is_some_and(|v| v == "false");
    off(&workload.labels) || off(annotations)
}

/// The first sidecar annotation among a pod template's annotations.
fn sidecar_annotation(annotations: &Labels) -> Option<&String> {
    annotations.keys().find(|key| {
        POD_ANNOTATION_PREFIXES
            .iter()
            .any(|prefix| key.starts_with(prefix))
    })
}

fn is_sidecar_policy(object: &Node) -> bool {
    let group = object
        .str_at(&["apiVersion"])
        .and_then(|v| v.split('/').next());
    SIDECAR_POLICY_KINDS
        .iter()
        .any(|(kind, g)| object.str_at(&["kind"]) == Some(kind) && group == Some(g))
}
