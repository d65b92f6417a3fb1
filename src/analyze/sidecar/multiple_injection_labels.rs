//! MW704: a namespace labelled for injection in more than one way.
//!
//! `istio-injection=enabled` selects the default revision's injector, `istio.io/rev=<rev>`
//! a revision's, and `istio.io/dataplane-mode=ambient` takes the namespace out of sidecar
//! mode. A namespace with several of them leaves it to the webhooks' selectors which one
//! wins (`istio-injection` does, for Istio's own charts), so an upgrade by revision
//! silently keeps the old proxy. `istio-injection=disabled` switches injection off whatever
//! else is set, so it is no conflict; Istio's root namespace is not judged.

use crate::analyze::sidecar::{NAMESPACE_INJECTION_LABEL, NAMESPACE_MODE_LABELS};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::policy::ROOT_NAMESPACE;
use crate::policy::workload::labels;

pub static CODE: Code = Code {
    code: "MW704",
    name: "multiple-injection-labels",
    severity: Severity::Warning,
    help: "keep one of istio-injection=enabled, istio.io/rev and istio.io/dataplane-mode on the namespace",
    docs: r#"## What it does
Finds Namespaces that carry more than one of `istio-injection` (other than `disabled`),
`istio.io/rev` and `istio.io/dataplane-mode`. Istio's root namespace is not judged.

`istioctl analyze` reports this as IST0123 (NamespaceMultipleInjectionLabels).

## Why is this bad?
Each label asks a different injector (or ambient mode) to take the namespace's pods. With
Istio's charts `istio-injection=enabled` wins over `istio.io/rev`, so a revision-based
upgrade that relabels the namespace keeps injecting the old proxy, and a namespace meant
for ambient still gets sidecars.

## Example
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
    istio.io/rev: 1-24
```

## Use instead
```yaml
metadata:
  name: shop
  labels:
    istio.io/rev: 1-24
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
        let name = namespace.str_at(&["metadata", "name"]).unwrap_or_default();
        let Some(node) = namespace.at(&["metadata", "labels"]) else {
            continue;
        };
        if name == ROOT_NAMESPACE {
            continue;
        }
        let labels = labels(Some(node));
        let injection = labels.get(NAMESPACE_INJECTION_LABEL);
        let mut set: Vec<String> = injection
            .map(|v| format!("{NAMESPACE_INJECTION_LABEL}={v}"))
            .into_iter()
            .collect();
        if injection.is_none_or(|v| v == "enabled") {
            set.extend(
                NAMESPACE_MODE_LABELS
                    .iter()
                    .filter_map(|key| labels.get(*key).map(|v| format!("{key}={v}"))),
            );
        }
        if set.len() < 2 {
            continue;
        }
        findings.push(
            Finding::new(
                &CODE,
                format!(
                    "Namespace {name} is labelled {}: these choose different injectors (or \
                     ambient mode), and which one takes its pods is left to the webhooks",
                    set.join(", ")
                ),
                Some(node.origin.clone()),
            )
            .on(namespace),
        );
    }
    findings
}
