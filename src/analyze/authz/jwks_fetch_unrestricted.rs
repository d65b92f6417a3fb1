//! MW309: RequestAuthentications in a cluster whose istiod fetches `jwksUri`s from any
//! address.
//!
//! istiod fetches the key set of every RequestAuthentication's `jwksUri` itself, from inside
//! the cluster. Whoever may write a RequestAuthentication (a namespace owner, a pull
//! request) can point `jwksUri` at an internal address — the cloud metadata service, the
//! API server, a database admin port — and have istiod request it (server-side request
//! forgery). `BLOCKED_CIDRS_IN_JWKS_URIS` in istiod's environment refuses such addresses.
//! Following Istio's IST0175, istiod's configuration in the repository is checked when the
//! cluster has a RequestAuthentication: an istiod Deployment (label `app: istiod`), istiod's
//! Helm values (`pilot.env`) or an IstioOperator (`spec.values.pilot.env`,
//! `spec.components.pilot.k8s.env`). A cluster whose istiod the repository does not
//! configure is not judged.

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::cluster::istiod_env;
use crate::policy::workload::scalar;

/// `jwks-fetch-unrestricted`
pub static CODE: Code = Code {
    code: "MW309",
    name: "jwks-fetch-unrestricted",
    severity: Severity::Warning,
    help: "set BLOCKED_CIDRS_IN_JWKS_URIS in istiod's environment (Helm: pilot.env) to the internal ranges istiod must not fetch from",
    docs: r#"## What it does
Checks istiod's configuration in a cluster that has a RequestAuthentication: its
environment must set `BLOCKED_CIDRS_IN_JWKS_URIS`. istiod's configuration is an istiod
Deployment (label `app: istiod`), istiod's Helm values (`pilot.env`) or an IstioOperator
(`spec.values.pilot.env`, `spec.components.pilot.k8s.env`); a cluster whose istiod the
repository does not configure is not judged.

`istioctl analyze` reports this as IST0175 (JwksUriFetchUnrestricted).

## Why is this bad?
istiod fetches every RequestAuthentication's `jwksUri` from inside the cluster. Anyone who
can write a RequestAuthentication can make istiod request an internal address — the cloud
metadata service, the API server, an admin port — and learn from the result
(server-side request forgery). `BLOCKED_CIDRS_IN_JWKS_URIS` makes istiod refuse those
addresses.

## Example
```yaml
# clusters/central/istio/values.yaml (istiod's Helm values)
pilot:
  env:
    PILOT_ENABLE_ANALYSIS: "true"
```

## Use instead
```yaml
pilot:
  env:
    PILOT_ENABLE_ANALYSIS: "true"
    BLOCKED_CIDRS_IN_JWKS_URIS: "169.254.169.254/32,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

/// The environment variable that restricts istiod's `jwksUri` fetches.
const BLOCKED_CIDRS: &str = "BLOCKED_CIDRS_IN_JWKS_URIS";

fn check(repo: &Repo) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (cluster, values) in repo.clusters.iter().zip(repo.values) {
        let authentications: Vec<&str> = cluster
            .objects
            .iter()
            .filter(|o| o.str_at(&["kind"]) == Some("RequestAuthentication"))
            .filter_map(|o| o.str_at(&["metadata", "name"]))
            .collect();
        let Some(first) = authentications.first() else {
            continue;
        };
        let configurations = cluster.objects.iter().chain(values);
        for (document, at) in configurations.filter_map(unrestricted_istiod) {
            let more = match authentications.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            let mut finding = Finding::new(
                &CODE,
                format!(
                    "istiod does not set {BLOCKED_CIDRS}, and this cluster has \
                     RequestAuthentication {first}{more}: anyone who can write one can make \
                     istiod fetch a jwksUri at any internal address"
                ),
                Some(at.origin.clone()),
            );
            if document.get("kind").is_some() {
                finding = finding.on(document);
            }
            findings.push(finding);
        }
    }
    findings
}

/// For an istiod configuration document without `BLOCKED_CIDRS_IN_JWKS_URIS`: the
/// document and the node to point at (its environment, or where it would go).
fn unrestricted_istiod(document: &Node) -> Option<(&Node, &Node)> {
    let env = istiod_env(document, BLOCKED_CIDRS)?;
    let restricted = env.value.and_then(scalar).is_some_and(|v| !v.is_empty());
    (!restricted).then_some((document, env.at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_documents;

    fn node(text: &str) -> Node {
        parse_documents(std::path::Path::new("t.yaml"), text.as_bytes()).unwrap()[0].clone()
    }

    #[test]
    fn istiod_configurations_are_read_in_every_form() {
        assert!(unrestricted_istiod(&node("pilot:\n  env: {PILOT_X: \"1\"}\n")).is_some());
        assert!(
            unrestricted_istiod(&node(
                "pilot:\n  env: {BLOCKED_CIDRS_IN_JWKS_URIS: 10.0.0.0/8}\n"
            ))
            .is_none()
        );
        assert!(unrestricted_istiod(&node(
            "kind: IstioOperator\nspec:\n  components:\n    pilot:\n      k8s:\n        env:\n          - {name: BLOCKED_CIDRS_IN_JWKS_URIS, value: 10.0.0.0/8}\n"
        ))
        .is_none());
        assert!(unrestricted_istiod(&node(
            "kind: Deployment\nmetadata: {name: istiod, labels: {app: istiod}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: discovery\n          env:\n            - {name: BLOCKED_CIDRS_IN_JWKS_URIS, value: \"\"}\n"
        ))
        .is_some());
        // Gateway values and other Deployments are not istiod's.
        assert!(unrestricted_istiod(&node("service:\n  type: LoadBalancer\n")).is_none());
        assert!(unrestricted_istiod(&node("kind: Deployment\nmetadata: {name: web}\n")).is_none());
    }
}
