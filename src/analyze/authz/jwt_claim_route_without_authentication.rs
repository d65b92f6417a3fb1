//! MW308: a VirtualService routing on JWT claims at a gateway no RequestAuthentication
//! covers.
//!
//! A route match on `headers` (or `withoutHeaders`) `@request.auth.claims.<claim>` reads
//! the claims of a JWT the gateway has validated; the gateway validates JWTs only under a
//! RequestAuthentication that applies to its pods (one in the root namespace or in the
//! gateway workload's namespace, whose selector the gateway's pods satisfy). Without one,
//! no request carries validated claims: a `headers` match never matches (its route is
//! dead) and a `withoutHeaders` match always does. Following Istio's IST0149, each
//! non-`mesh` gateway of the VirtualService that the repository defines is checked; a
//! RequestAuthentication whose selector names labels the Gateway's selector does not
//! mention may apply (the pods may carry them) and counts.

use super::seq;
use crate::analyze::refs::{is_istio, namespace_of};
use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::ROOT_NAMESPACE;
use crate::policy::workload::scalar;

/// `jwt-claim-route-without-authentication`
pub static CODE: Code = Code {
    code: "MW308",
    name: "jwt-claim-route-without-authentication",
    severity: Severity::Error,
    help: "add a RequestAuthentication (jwtRules) selecting the gateway's pods, in its namespace or the root namespace",
    docs: r#"## What it does
Checks every VirtualService whose HTTP route matches on a JWT claim
(`headers` or `withoutHeaders` keyed `@request.auth.claims.<claim>`): each gateway it binds
(other than `mesh`) must be covered by a RequestAuthentication — in the root namespace
`istio-system` or in the namespace where the gateway's pods run, with no selector or a
selector those pods satisfy.

`istioctl analyze` reports this as IST0149 (JwtClaimBasedRoutingWithoutRequestAuthN).

## Why is this bad?
Claims exist only for a JWT the gateway validated, and it validates JWTs only under a
RequestAuthentication. Without one, the `headers` match never matches, so the route (often
the one reserved for privileged users) is dead, and a `withoutHeaders` match always
matches, so every request, token or not, takes that route.

## Example
```yaml
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: admin
  namespace: shop
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/public]
  http:
    - match:
        - headers:
            "@request.auth.claims.group":
              exact: admin
      route:
        - destination:
            host: admin
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: public-jwt
  namespace: istio-system
spec:
  selector:
    matchLabels:
      istio: ingressgateway
  jwtRules:
    - issuer: https://issuer.example.com
      jwksUri: https://issuer.example.com/.well-known/jwks.json
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

/// The prefix of a header match key that reads a validated JWT claim.
const CLAIM_PREFIX: &str = "@request.auth.claims";

fn check(cluster: &Cluster) -> Vec<Finding> {
    if !cluster.complete {
        return Vec::new();
    }
    let gateways = &cluster.lookups.gateways;
    let mut findings = Vec::new();
    for service in cluster
        .objects
        .iter()
        .filter(|o| is_istio(o, "VirtualService"))
    {
        let Some((claim, at)) = claim_match(service) else {
            continue;
        };
        let namespace = namespace_of(service);
        for reference in seq(service.at(&["spec", "gateways"])).iter() {
            let Some(written) = reference.as_str().filter(|g| *g != "mesh") else {
                continue;
            };
            let (gateway_namespace, name) = written.split_once('/').unwrap_or((namespace, written));
            let found = gateways.objects.iter().position(|g| {
                namespace_of(g) == gateway_namespace
                    && g.str_at(&["metadata", "name"]) == Some(name)
            });
            // MW402 reports a gateway the repository does not define, MW602 one whose
            // selector matches nothing.
            let Some(index) = found else {
                continue;
            };
            let Some((namespaces, _)) = gateways.workload_namespaces(index) else {
                continue;
            };
            let gateway = gateways.objects[index];
            if covered(cluster, gateway, namespaces) {
                continue;
            }
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "this route matches JWT claim `{claim}` at gateway \
                         {gateway_namespace}/{name}, but no RequestAuthentication applies to \
                         that gateway's pods: no request carries validated claims, so a \
                         `headers` match never matches and a `withoutHeaders` match always does"
                    ),
                    Some(at.origin.clone()),
                )
                .on(service),
            );
        }
    }
    findings
}

/// The first JWT-claim header key of a VirtualService's HTTP matches, and its match value.
fn claim_match(service: &Node) -> Option<(&str, &Node)> {
    let routes = seq(service.at(&["spec", "http"])).iter();
    let matches = routes.flat_map(|route| seq(route.get("match")).iter());
    matches
        .flat_map(|m| ["headers", "withoutHeaders"].map(|field| m.get(field)))
        .flatten()
        .flat_map(|headers| headers.as_map().unwrap_or_default())
        .find(|(key, _)| key.starts_with(CLAIM_PREFIX))
        .map(|(key, value)| (key.as_str(), value))
}

/// Whether a RequestAuthentication of the repository may apply to `gateway`'s pods, which
/// run in `namespaces`.
fn covered(cluster: &Cluster, gateway: &Node, mut namespaces: Vec<String>) -> bool {
    namespaces.push(ROOT_NAMESPACE.to_string());
    let gateway_labels = gateway.at(&["spec", "selector"]);
    cluster.objects.iter().any(|object| {
        object.str_at(&["kind"]) == Some("RequestAuthentication")
            && namespaces.iter().any(|n| n == namespace_of(object))
            && object.at(&["spec", "targetRef"]).is_none()
            && object.at(&["spec", "targetRefs"]).is_none()
            && may_select(
                object.at(&["spec", "selector", "matchLabels"]),
                gateway_labels,
            )
    })
}

/// Whether a selector's `matchLabels` may select pods that carry (at least) the gateway
/// selector's labels: no label contradicts them (a label they do not mention may be on
/// the pods).
fn may_select(match_labels: Option<&Node>, gateway_labels: Option<&Node>) -> bool {
    match_labels
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .all(|(key, value)| {
            let pod_value = gateway_labels.and_then(|g| g.get(key)).and_then(scalar);
            pod_value.is_none_or(|pod| scalar(value).is_some_and(|v| v == pod))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    fn node(text: &str) -> Node {
        parse_documents(std::path::Path::new("t.yaml"), text.as_bytes()).unwrap()[0].clone()
    }

    #[test]
    fn a_selector_may_select_unless_a_label_contradicts_the_gateways() {
        let gateway = node("istio: ingressgateway\n");
        assert!(may_select(None, Some(&gateway)));
        assert!(may_select(
            Some(&node("istio: ingressgateway\n")),
            Some(&gateway)
        ));
        assert!(may_select(Some(&node("team: edge\n")), Some(&gateway)));
        assert!(!may_select(
            Some(&node("istio: eastwestgateway\n")),
            Some(&gateway)
        ));
    }

    #[test]
    fn claim_matches_are_found_in_headers_and_without_headers() {
        let service = node(
            "spec:\n  http:\n    - match:\n        - uri: {prefix: /}\n        - withoutHeaders:\n            \"@request.auth.claims.group\": {exact: admin}\n",
        );
        assert_eq!(
            claim_match(&service).map(|(k, _)| k),
            Some("@request.auth.claims.group")
        );
        assert!(
            claim_match(&node(
                "spec:\n  http:\n    - match:\n        - headers: {x-user: {exact: a}}\n"
            ))
            .is_none()
        );
    }
}
