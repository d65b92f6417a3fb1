//! MW202: a namespace-wide or workload PeerAuthentication, or one of its `portLevelMtls`
//! entries, in mode PERMISSIVE or DISABLE.
//!
//! PERMISSIVE accepts plaintext next to mTLS (meant for a migration, then forgotten);
//! DISABLE refuses mTLS altogether. Both let callers without an identity in, so
//! authorization by principal or namespace no longer holds for them. A namespace-wide or
//! workload-wide DISABLE is an error; PERMISSIVE, and DISABLE on a single port (the usual
//! exception for a metrics or health port scraped from outside the mesh), are warnings.
//! The mesh-wide policy is MW201's; `portLevelMtls` on a policy without selector, which
//! Istio rejects, is MW114's.

use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::peer::{PeerAuthentication, PeerMode};

use super::{is_mesh_wide, peer_object};

/// `permissive-or-disabled-mtls`
pub static CODE: Code = Code {
    code: "MW202",
    name: "permissive-or-disabled-mtls",
    severity: Severity::Warning,
    help: "set the mode to STRICT (or remove it to inherit the mesh-wide STRICT policy)",
    docs: r#"## What it does
Reports a namespace-wide or workload PeerAuthentication, or a `portLevelMtls` entry of one,
in mode `PERMISSIVE` or `DISABLE`. `DISABLE` for a whole namespace or workload is an error;
`PERMISSIVE`, and `DISABLE` on a single port (the usual exception for a metrics port scraped
from outside the mesh), are warnings. The mesh-wide policy is checked by MW201.

## Why is this bad?
`PERMISSIVE` accepts plaintext next to mTLS — meant for the weeks of a migration, and easily
forgotten afterwards. `DISABLE` refuses mTLS altogether. Either way callers without a sidecar,
or anything else on the pod network, get in without an identity, and AuthorizationPolicies
that allow or deny by principal or namespace cannot tell them apart.

## Example
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: payments
spec:
  mtls:
    mode: PERMISSIVE
```

## Use instead
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: payments
spec:
  mtls:
    mode: STRICT
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    let mut findings = Vec::new();
    for policy in &cluster.model.peer.policies {
        if is_mesh_wide(policy) {
            continue;
        }
        let Some(object) = peer_object(cluster, policy) else {
            continue;
        };
        let scope = match &policy.selector {
            Some(_) => "the workloads it selects".to_string(),
            None => format!("the workloads of namespace {}", policy.namespace),
        };
        if let Some(node) = object.at(&["spec", "mtls", "mode"]) {
            findings.extend(finding(policy, object, node, policy.mode, &scope, true));
        }
        if policy.selector.is_none() {
            continue;
        }
        for (port, entry) in object
            .at(&["spec", "portLevelMtls"])
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            if let Some(node) = entry.get("mode") {
                let mode = node.as_str().map_or(PeerMode::Unset, PeerMode::parse);
                let scope = format!("the workloads it selects, on port {port},");
                findings.extend(finding(policy, object, node, mode, &scope, false));
            }
        }
    }
    findings
}

/// The finding for one `mode` value, if it accepts plaintext.
fn finding(
    policy: &PeerAuthentication,
    object: &Node,
    node: &Node,
    mode: PeerMode,
    scope: &str,
    whole: bool,
) -> Option<Finding> {
    let effect = match mode {
        PeerMode::Permissive => "accept plaintext as well as mTLS",
        PeerMode::Disable => "refuse mTLS and accept only plaintext",
        PeerMode::Unset | PeerMode::Strict => return None,
    };
    let mut finding = Finding::new(
        &CODE,
        format!(
            "PeerAuthentication {} sets mode {mode}: {scope} {effect}, so callers without an \
             identity get in and principal or namespace rules cannot tell them apart",
            policy.id()
        ),
        Some(node.origin.clone()),
    )
    .on(object);
    if whole && mode == PeerMode::Disable {
        finding.severity = Severity::Error;
    }
    Some(finding)
}
