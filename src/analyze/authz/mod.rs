//! Authorization analyzers (`MW3xx`): AuthorizationPolicy principals, namespaces, selectors
//! and operations checked against the workloads, identities and tenants the repository
//! declares. The helpers here walk the raw policy objects, so findings point at the value
//! as written (the model's policies have their trust domains already resolved).

pub mod cross_tenant_access;
pub mod invalid_http_method;
pub mod jwks_fetch_unrestricted;
pub mod jwt_claim_route_without_authentication;
pub mod selector_matches_nothing;
pub mod trust_domain_mismatch;
pub mod unknown_principal;
pub mod wildcard_principal;
pub mod workload_without_allow_policy;

use crate::analyze::selectors::GATEWAY_NAME_LABEL;
use crate::manifest::Node;
use crate::policy::DEFAULT_TRUST_DOMAIN;

/// The AuthorizationPolicies of `objects` that apply to sidecars (no `targetRef(s)`).
fn authorization_policies(objects: &[Node]) -> impl Iterator<Item = &Node> {
    objects.iter().filter(|o| {
        o.str_at(&["kind"]) == Some("AuthorizationPolicy")
            && o.str_at(&["apiVersion"])
                .is_some_and(|v| v.starts_with("security.istio.io/"))
    })
}

/// Whether a policy's action is ALLOW (the default).
fn is_allow(policy: &Node) -> bool {
    policy
        .str_at(&["spec", "action"])
        .is_none_or(|a| a == "ALLOW")
}

/// Whether a policy binds to gateways or waypoints rather than sidecars.
pub(crate) fn is_targeted(policy: &Node) -> bool {
    let spec = policy.get("spec");
    spec.is_some_and(|s| s.get("targetRef").is_some() || s.get("targetRefs").is_some())
}

fn seq(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_seq).unwrap_or_default()
}

/// The rules of a policy.
fn rules(policy: &Node) -> &[Node] {
    seq(policy.at(&["spec", "rules"]))
}

/// The `from[].source` entries of a rule.
fn sources(rule: &Node) -> impl Iterator<Item = &Node> {
    seq(rule.get("from")).iter().filter_map(|f| f.get("source"))
}

/// The string values of a list field (`principals`, `namespaces`, `methods`, …).
fn values<'a>(node: &'a Node, key: &str) -> impl Iterator<Item = (&'a Node, &'a str)> {
    seq(node.get(key))
        .iter()
        .filter_map(|v| v.as_str().map(|s| (v, s)))
}

/// Every principal value of a policy (`principals` and `notPrincipals`).
fn principals(policy: &Node) -> impl Iterator<Item = (&Node, &str)> {
    rules(policy)
        .iter()
        .flat_map(sources)
        .flat_map(|s| values(s, "principals").chain(values(s, "notPrincipals")))
}

/// A principal `<trust-domain>/ns/<namespace>/sa/<account>` split into its parts.
fn split_principal(principal: &str) -> Option<(&str, &str, &str)> {
    let (domain, rest) = principal.split_once("/ns/")?;
    let (namespace, account) = rest.split_once("/sa/")?;
    (!domain.is_empty() && !namespace.is_empty() && !account.is_empty())
        .then_some((domain, namespace, account))
}

/// The trust domains a principal in `model`'s policies may name and mean this cluster's:
/// its own, its aliases, and `cluster.local`, which Istio points at the current one.
fn local_trust_domains(model: &crate::policy::Model) -> impl Iterator<Item = &str> {
    std::iter::once(model.trust_domain.as_str())
        .chain(model.trust_domain_aliases.iter().map(String::as_str))
        .chain(std::iter::once(DEFAULT_TRUST_DOMAIN))
}

/// Whether pod labels (or a selector's) are those of a gateway: Istio's `istio: *gateway`
/// or a Gateway API gateway's. Gateways serve the outside world and are not sidecars.
fn is_gateway<'a>(mut labels: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
    labels.any(|(k, v)| k == GATEWAY_NAME_LABEL || (k == "istio" && v.ends_with("gateway")))
}

/// `<namespace>/<name>` of an object.
pub fn object_id(object: &Node) -> String {
    format!(
        "{}/{}",
        object
            .str_at(&["metadata", "namespace"])
            .unwrap_or("default"),
        object.str_at(&["metadata", "name"]).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_split_into_domain_namespace_and_account() {
        assert_eq!(
            split_principal("cluster.local/ns/shop/sa/web"),
            Some(("cluster.local", "shop", "web"))
        );
        assert_eq!(split_principal("*"), None);
        assert_eq!(split_principal("td/ns//sa/x"), None);
    }
}
