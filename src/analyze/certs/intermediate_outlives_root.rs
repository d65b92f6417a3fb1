//! MW503: an intermediate CA Certificate asking for a longer `duration` than the CA that
//! signs it.
//!
//! The signer is found through the intermediate's `ca:` issuer and the Certificate writing
//! that issuer's Secret (in another cluster when the root Secret is copied). cert-manager's
//! CA issuer never signs past its own certificate's expiry: it cuts the intermediate's
//! validity to the root's `notAfter`, so the intermediate silently expires with the root,
//! and the renewal schedule its `duration`/`renewBefore` describe is not the one that runs.

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};

use super::{certificates, duration_seconds, human, is_ca, name, name_node, namespace, signer};

/// `intermediate-outlives-root`
pub static CODE: Code = Code {
    code: "MW503",
    name: "intermediate-outlives-root",
    severity: Severity::Warning,
    help: "Give the intermediate a `duration` shorter than its signing CA's (and renew the root well before the intermediate).",
    docs: r#"## What it does
Follows an intermediate CA Certificate's `issuerRef` to its `ca:` issuer, that issuer's
Secret and the Certificate writing it (in another cluster of the repository when the root
Secret is copied), and warns when the intermediate's `duration` is longer than the signing
CA's. cert-manager's default duration is 90 days (2160h).

## Why is this bad?
cert-manager's CA issuer never signs past its own certificate's expiry: the intermediate is
cut to the root's `notAfter`. It then expires together with the root instead of on the
schedule its `duration` and `renewBefore` describe, and istiod's workload certificates with it.

## Example
```yaml
# root: duration 8760h
kind: Certificate
metadata:
  name: edge-intermediate-ca
  namespace: istio-system
spec:
  isCA: true
  secretName: cacerts
  duration: 17520h
  issuerRef: {kind: ClusterIssuer, name: mesh-root-ca}
```

## Use instead
```yaml
kind: Certificate
metadata:
  name: edge-intermediate-ca
  namespace: istio-system
spec:
  isCA: true
  secretName: cacerts
  duration: 4380h
  issuerRef: {kind: ClusterIssuer, name: mesh-root-ca}
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

fn check(repo: &Repo) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, cluster) in repo.clusters.iter().enumerate() {
        for certificate in certificates(cluster.objects).filter(|c| is_ca(c)) {
            let Some((signing_cluster, root)) = signer(repo, index, certificate) else {
                continue;
            };
            let (Some(own), Some(limit)) = (duration_seconds(certificate), duration_seconds(root))
            else {
                continue;
            };
            if own <= limit {
                continue;
            }
            let place = if signing_cluster == index {
                String::new()
            } else {
                format!(
                    " (cluster {})",
                    repo.clusters[signing_cluster].model.cluster
                )
            };
            let node = certificate
                .at(&["spec", "duration"])
                .unwrap_or(name_node(certificate));
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "intermediate CA {} asks for {} but is signed by {}/{}{place}, which lives {}: cert-manager cuts the intermediate at the signer's expiry, so it expires with it instead of on its own schedule",
                        name(certificate),
                        human(own),
                        namespace(root),
                        name(root),
                        human(limit)
                    ),
                    Some(node.origin.clone()),
                )
                .on(certificate),
            );
        }
    }
    findings
}
