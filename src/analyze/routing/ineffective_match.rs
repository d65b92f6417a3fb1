//! MW615: a VirtualService match that an earlier match already covers.
//!
//! As Istio's VirtualService validation (`analyzeUnreachableHTTPRules`): a match equal to
//! an earlier one (its `name` aside), or, for HTTP, one whose URI prefix extends an earlier
//! otherwise identical match's. meshwright counts every coverage [`super::shadowed`] finds
//! (an exact URI under a prefix, fewer conditions), and not matches of rules no request
//! reaches, which MW614 reports whole.

use crate::analyze::routing::{Shadowed, shadowed, virtual_services};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};

/// `ineffective-match`
pub static CODE: Code = Code {
    code: "MW615",
    name: "ineffective-match",
    severity: Severity::Info,
    help: "delete the match, or move its rule before the rule whose match covers it",
    docs: r#"## What it does
Reports a `match` entry of a VirtualService route rule that an earlier match (of an
earlier rule, or earlier in the same rule) already covers: the same conditions, or fewer
or broader ones (a shorter `uri.prefix`, an exact URI the prefix starts, no `method`,
fewer `headers`). `name` and `statPrefix` do not count.

`istioctl analyze` reports this as IST0131 (VirtualServiceIneffectiveMatch).

## Why is this bad?
Envoy takes the first match: a covered match in a later rule never selects anything, so
the traffic it names goes to the earlier rule's destination. In the same rule it is
merely dead weight.

## Example
```yaml
  http:
  - match:
    - uri: {prefix: /api/v1/product}
    route:
    - destination: {host: catalog}
  - match:
    - uri: {prefix: /api/v1/products}
    - uri: {prefix: /api/v1/orders}
    route:
    - destination: {host: orders}
```

## Use instead
Put the longer prefix first, or delete it if the first rule should serve it.
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in virtual_services(cluster.objects) {
        for hidden in shadowed(object) {
            if let Shadowed::Match { node, label, by } = hidden {
                let message = format!("{label} is never used: {by} before it covers it");
                findings.push(Finding::new(&CODE, message, Some(node.origin.clone())).on(object));
            }
        }
    }
    findings
}
