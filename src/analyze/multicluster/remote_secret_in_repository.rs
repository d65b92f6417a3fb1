//! MW807: a remote secret committed to the repository.
//!
//! `istioctl create-remote-secret` writes a Secret labelled `istio/multiCluster: "true"`
//! (named `istio-remote-secret-<cluster>`, or `istio-kubeconfig` for a config cluster)
//! holding a kubeconfig with a bearer token for another cluster's API server; istiod reads
//! every Secret so labelled. The finding names the Secret and its label only: a Secret's
//! data never reaches the output (and, being about a Secret, no source line is shown).

use crate::analyze::{Cluster, Rule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::{Node, is_secret_kind};
use crate::policy::workload::scalar;

/// The label istiod selects remote secrets by (`istio/multiCluster=true`).
const MULTI_CLUSTER_SECRET_LABEL: &str = "istio/multiCluster";

/// `remote-secret-in-repository`
pub static CODE: Code = Code {
    code: "MW807",
    name: "remote-secret-in-repository",
    severity: Severity::Error,
    help: "Remove the remote secret from the repository and revoke its token; apply it with `istioctl create-remote-secret | kubectl apply -f -`, or deliver it through a secret manager (an ExternalSecret or SealedSecret whose template carries the label).",
    docs: r#"## What it does
Finds Secrets labelled `istio/multiCluster: "true"`: what `istioctl create-remote-secret`
writes (a Secret `istio-remote-secret-<cluster>` annotated `networking.istio.io/cluster`,
whose data is a kubeconfig with a bearer token for the other cluster's API server), and
what istiod reads to discover another cluster's endpoints. It points at the label and never
prints the Secret's data. Secrets delivered by a secret manager (an ExternalSecret or a
SealedSecret whose template carries the label) are not Secrets in the repository and are
not reported.

These are the steps "Enable Endpoint Discovery" of Istio's guide "Install Multi-Primary on
different networks"
(<https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/#enable-endpoint-discovery>)
and "Attach `cluster2` as a remote cluster of `cluster1`" of "Install Primary-Remote on
different networks"
(<https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/#attach-cluster2-as-a-remote-cluster-of-cluster1>),
which pipe `istioctl create-remote-secret` straight into `kubectl apply`: its output is a
credential, never a file to commit.

## Why is this bad?
The token grants the `istio-reader-service-account` of the other cluster (Secrets,
Pods, Services and more across every namespace, and with a remote's control plane, write
access to its webhooks): anyone who can read the repository — every clone, fork and CI log
— can act with it against that API server, until the token is revoked. The kubeconfig also
names the API server's address and CA.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: istio-remote-secret-edge-us
  namespace: istio-system
  annotations:
    networking.istio.io/cluster: edge-us
  labels:
    istio/multiCluster: "true"
stringData:
  edge-us: |
    apiVersion: v1
    kind: Config
    # ... a bearer token for edge-us's API server
```

## Use instead
```yaml
# Nothing in Git: attach the cluster with
#   istioctl create-remote-secret --context=edge-us --name=edge-us | kubectl apply -f - --context=central
# or let a secret manager write it:
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: istio-remote-secret-edge-us
  namespace: istio-system
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: vault}
  target:
    name: istio-remote-secret-edge-us
    template:
      metadata:
        annotations: {networking.istio.io/cluster: edge-us}
        labels: {istio/multiCluster: "true"}
  data:
    - secretKey: edge-us
      remoteRef: {key: istio/remote-secrets/edge-us}
```
"#,
};

pub static RULE: Rule = Rule { code: &CODE, check };

fn check(cluster: &Cluster) -> Vec<Finding> {
    cluster
        .objects
        .iter()
        .filter(|object| object.str_at(&["kind"]).is_some_and(is_secret_kind))
        .filter_map(|secret| {
            let label = remote_secret_label(secret)?;
            let namespace = secret
                .str_at(&["metadata", "namespace"])
                .unwrap_or("default");
            let name = secret.str_at(&["metadata", "name"]).unwrap_or_default();
            Some(
                Finding::new(
                    &CODE,
                    format!(
                        "Secret {namespace}/{name} is labelled {MULTI_CLUSTER_SECRET_LABEL}, as `istioctl create-remote-secret` writes it: it holds a kubeconfig with a bearer token for another cluster's API server, readable by anyone who can read the repository; remove it, revoke the token, and apply remote secrets outside Git"
                    ),
                    Some(label.origin.clone()),
                )
                .on(secret),
            )
        })
        .collect()
}

/// The `istio/multiCluster: "true"` label of a Secret istiod reads as a remote secret.
fn remote_secret_label(secret: &Node) -> Option<&Node> {
    let label = secret
        .at(&["metadata", "labels"])?
        .get(MULTI_CLUSTER_SECRET_LABEL)?;
    (scalar(label)? == "true").then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::with_cluster;

    const REMOTE_SECRET: &str = "apiVersion: v1
kind: Secret
metadata:
  name: istio-remote-secret-edge-us
  namespace: istio-system
  annotations: {networking.istio.io/cluster: edge-us}
  labels: {istio/multiCluster: LABEL}
stringData:
  edge-us: 'token: c2VjcmV0LXRva2Vu-hunter2'
";

    #[test]
    fn a_remote_secret_is_reported_at_its_label_without_its_data() {
        let findings = with_cluster(&REMOTE_SECRET.replace("LABEL", "'true'"), check);
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        assert_eq!(finding.origin.as_ref().map(|o| o.line), Some(7));
        assert!(finding.about_secret(), "no source line is shown");
        assert!(
            finding
                .message
                .contains("istio-system/istio-remote-secret-edge-us")
        );
        assert!(!finding.message.contains("hunter2"));
        assert!(!finding.message.contains("c2VjcmV0"));
    }

    #[test]
    fn a_secret_istiod_does_not_read_as_a_remote_secret_is_not_reported() {
        assert!(with_cluster(&REMOTE_SECRET.replace("LABEL", "'false'"), check).is_empty());
        let unlabelled = REMOTE_SECRET.replace("  labels: {istio/multiCluster: LABEL}\n", "");
        assert!(with_cluster(&unlabelled, check).is_empty());
    }
}
