//! MW307: an ALLOW policy that lets a workload of one tenant call a workload of another.
//!
//! Tenants are Namespaces labelled `meshwright.dev/tenant: <name>` (as `meshwright
//! generate` writes them); namespaces without the label (the shared platform) may call and
//! be called by anyone. For every caller → callee edge of the cluster's policy matrix that
//! is allowed across two different tenants, the ALLOW policy that decided it is searched for
//! the value that admits the caller: the principal or namespace it matches, the empty
//! source, or the rule without `from`. A policy annotated `meshwright.dev/allowed-tenants:
//! <tenant>[,<tenant>…]` (as `generate` writes it for callers `mesh.yaml` declares) lets
//! those tenants in on purpose.

use std::collections::BTreeMap;

use super::{authorization_policies, local_trust_domains, object_id, rules, sources, values};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::{Node, Origin};
use crate::policy::authz::{Action, pattern_matches};
use crate::policy::workload::Workload;
use crate::policy::{Model, Mtls};

/// `cross-tenant-access`
pub static CODE: Code = Code {
    code: "MW307",
    name: "cross-tenant-access",
    severity: Severity::Error,
    help: "narrow the value to callers of the callee's own tenant or of the shared platform",
    docs: r#"## What it does
Evaluates the cluster's effective policy and finds ALLOW policies that let a workload in a
namespace of one tenant (Namespace label `meshwright.dev/tenant`) call a workload of another
tenant; it points at the principal, namespace, empty source or rule that admits the caller.
Namespaces without a tenant label (the shared platform) may call and be called by anyone.
A policy meant to let another tenant in says so with the annotation
`meshwright.dev/allowed-tenants: <tenant>[,<tenant>...]` (`meshwright generate` writes it
for the cross-tenant callers `mesh.yaml` declares); other tenants are still reported.

## Why is this bad?
Tenants are isolated from each other: one tenant's workload (or whoever compromised it) can
read or change another tenant's data.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ledger
  namespace: payments        # tenant: payments
spec:
  selector:
    matchLabels:
      app: ledger
  rules:
    - from:
        - source:
            namespaces: ["payments", "retail"]   # retail is another tenant
```

## Use instead
```yaml
spec:
  selector:
    matchLabels:
      app: ledger
  rules:
    - from:
        - source:
            namespaces: ["payments"]
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// The Namespace label naming a namespace's tenant.
pub const TENANT_LABEL: &str = "meshwright.dev/tenant";
/// The policy annotation listing (comma-separated) other tenants it lets in on purpose.
pub const ALLOWED_TENANTS: &str = "meshwright.dev/allowed-tenants";

/// Whether `policy` declares that callers of `tenant` are meant to be let in.
fn declared(policy: &Node, tenant: &str) -> bool {
    policy
        .at(&["metadata", "annotations"])
        .and_then(|a| a.get(ALLOWED_TENANTS))
        .and_then(Node::as_str)
        .is_some_and(|list| list.split(',').any(|t| t.trim() == tenant))
}

fn tenant<'a>(model: &'a Model, workload: &Workload) -> Option<&'a str> {
    model
        .inventory
        .namespaces
        .get(&workload.namespace)?
        .get(TENANT_LABEL)
        .map(String::as_str)
}

/// Whether a principal value (as written) matches `principal` (in the model's trust domain).
fn principal_matches(model: &Model, pattern: &str, principal: &str) -> bool {
    let resolved = local_trust_domains(model)
        .find_map(|d| pattern.strip_prefix(d)?.strip_prefix('/'))
        .map(|rest| format!("{}/{rest}", model.trust_domain));
    pattern_matches(resolved.as_deref().unwrap_or(pattern), principal)
}

/// The node of `policy` that admits a caller with `identity` (principal, namespace; `None`
/// without mTLS): a matching principal or namespace, an empty source, a rule without `from`.
fn admitting<'a>(model: &Model, policy: &'a Node, identity: Option<(&str, &str)>) -> &'a Node {
    for rule in rules(policy) {
        if rule.get("from").is_none() {
            return rule;
        }
        for source in sources(rule) {
            let matched = |key: &str, value: Option<&str>, principal: bool| {
                if source.get(key).is_none() {
                    return Some(None);
                }
                let value = value?;
                values(source, key)
                    .find(|(_, p)| {
                        if principal {
                            principal_matches(model, p, value)
                        } else {
                            pattern_matches(p, value)
                        }
                    })
                    .map(|(n, _)| Some(n))
            };
            let (principal, namespace) = identity.unzip();
            let (Some(by_principal), Some(by_namespace)) = (
                matched("principals", principal, true),
                matched("namespaces", namespace, false),
            ) else {
                continue;
            };
            return by_principal.or(by_namespace).unwrap_or(source);
        }
    }
    policy.at(&["metadata", "name"]).unwrap_or(policy)
}

/// An admitting value: its policy, its node, and the cross-tenant (caller, callee) pairs.
type Admitted<'a> = (&'a Node, &'a Node, Vec<(usize, usize)>);

fn check(cluster: &Cluster) -> Vec<Finding> {
    let model = cluster.model;
    let workloads = model.workloads();
    let tenants: Vec<Option<&str>> = workloads.iter().map(|w| tenant(model, w)).collect();
    if tenants.iter().flatten().next().is_none() {
        return Vec::new();
    }
    let objects: Vec<&Node> = authorization_policies(cluster.objects).collect();
    let matrix = model.matrix();
    let mut admitted: BTreeMap<Origin, Admitted> = BTreeMap::new();
    for edge in matrix.edges().filter(|e| e.allowed) {
        let (from, to) = (edge.from as usize, edge.to as usize);
        let (Some(a), Some(b)) = (tenants[from], tenants[to]) else {
            continue;
        };
        if a == b {
            continue;
        }
        let caller = &workloads[from];
        let principal = model.principal(caller);
        let identity =
            (edge.mtls == Mtls::Mtls).then_some((principal.as_str(), caller.namespace.as_str()));
        for &index in &matrix.decision(edge).policies {
            let policy = &model.authorization[index];
            if policy.action != Action::Allow {
                continue;
            }
            let Some(object) = objects.iter().find(|o| object_id(o) == policy.id()) else {
                continue;
            };
            if declared(object, a) {
                continue;
            }
            let node = admitting(model, object, identity);
            let entry = admitted
                .entry(node.origin.clone())
                .or_insert_with(|| (*object, node, Vec::new()));
            if !entry.2.contains(&(from, to)) {
                entry.2.push((from, to));
            }
        }
    }
    admitted
        .into_values()
        .map(|(policy, node, edges)| {
            let (from, to) = edges[0];
            let more = match edges.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more cross-tenant caller → callee pairs)"),
            };
            Finding::new(
                &CODE,
                format!(
                    "ALLOW policy {} lets {} of tenant {} call {} of tenant {}{more}",
                    object_id(policy),
                    workloads[from].id(),
                    tenants[from].unwrap_or_default(),
                    workloads[to].id(),
                    tenants[to].unwrap_or_default(),
                ),
                Some(node.origin.clone()),
            )
            .on(policy)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    #[test]
    fn principals_of_cluster_local_stand_for_the_cluster_trust_domain() {
        let model = Model::new("c", &[], "acme.internal");
        let caller = "acme.internal/ns/retail/sa/cart";
        assert!(principal_matches(
            &model,
            "cluster.local/ns/retail/sa/cart",
            caller
        ));
        assert!(principal_matches(
            &model,
            "acme.internal/ns/retail/*",
            caller
        ));
        assert!(principal_matches(&model, "*", caller));
        assert!(!principal_matches(
            &model,
            "other.td/ns/retail/sa/cart",
            caller
        ));
    }

    #[test]
    fn allowed_tenants_annotation_lists_tenants() {
        let yaml = "kind: AuthorizationPolicy\nmetadata:\n  name: p\n  annotations:\n    meshwright.dev/allowed-tenants: retail, ops\n";
        let policy = &parse_documents(std::path::Path::new("p.yaml"), yaml.as_bytes()).unwrap()[0];
        assert!(declared(policy, "retail"));
        assert!(declared(policy, "ops"));
        assert!(!declared(policy, "ledger"));
    }
}
