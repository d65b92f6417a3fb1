//! MW614: a VirtualService route rule no request reaches.
//!
//! As Istio's VirtualService validation (`analyzeUnreachableHTTPRules` and its TCP and TLS
//! twins): a rule after one without `match` (which takes every request), and a rule each of
//! whose matches an earlier rule's match already covers. Istio compares matches for
//! equality only; meshwright also counts coverage (a shorter URI prefix, fewer conditions),
//! see [`super::shadowed`].

use crate::analyze::routing::{Shadowed, shadowed, virtual_services};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};

/// `unreachable-route-rule`
pub static CODE: Code = Code {
    code: "MW614",
    name: "unreachable-route-rule",
    severity: Severity::Warning,
    help: "move the rule before the rule that takes its requests, narrow that rule's match, or delete the rule",
    docs: r#"## What it does
Reports an `http`, `tcp` or `tls` route rule of a VirtualService that no request reaches:
an earlier rule of the same list has no `match` and so takes every request, or each of
its matches is covered by a match of an earlier rule (the same conditions, or fewer or
broader ones: a shorter `uri.prefix`, no `method`, fewer `headers`). `name` and
`statPrefix` do not count.

`istioctl analyze` reports this as IST0130 (VirtualServiceUnreachableRule).

## Why is this bad?
Envoy takes the first rule that matches. The rule's routes, retries and faults never
apply, though the VirtualService reads as if they did.

## Example
```yaml
  http:
  - match:
    - uri: {prefix: /api}
    route:
    - destination: {host: api-v1}
  - match:
    - uri: {prefix: /api/v2}
    route:
    - destination: {host: api-v2}
```

## Use instead
```yaml
  http:
  - match:
    - uri: {prefix: /api/v2}
    route:
    - destination: {host: api-v2}
  - match:
    - uri: {prefix: /api}
    route:
    - destination: {host: api-v1}
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in virtual_services(cluster.objects) {
        for hidden in shadowed(object) {
            if let Shadowed::Rule {
                node,
                label,
                reason,
            } = hidden
            {
                let message = format!("{label} is never used: {reason}");
                findings.push(Finding::new(&CODE, message, Some(node.origin.clone())).on(object));
            }
        }
    }
    findings
}
