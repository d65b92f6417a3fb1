//! MW505: istiod's plug-in CA Secret (`cacerts`) in a place or shape istiod does not read.
//!
//! istiod reads `cacerts` only from its own namespace, `istio-system`, and only with one of
//! two key layouts: Istio's own (`ca-cert.pem`, `ca-key.pem`, `root-cert.pem`,
//! `cert-chain.pem`) or cert-manager's (`tls.crt`, `tls.key`, `ca.crt`). A Certificate
//! writing `cacerts` elsewhere, or a hand-written `cacerts` Secret with neither complete
//! layout, leaves istiod on its self-signed CA, so the cluster does not share the mesh root.
//! (A `cacerts` Certificate without `isCA: true` is MW502.)

use crate::analyze::{Repo, RepoRule};
use crate::findings::{Code, Finding, Severity};
use crate::manifest::Node;
use crate::policy::ROOT_NAMESPACE;

use super::{CACERTS, certificates, name, name_node, namespace};

/// `cacerts-layout`
pub static CODE: Code = Code {
    code: "MW505",
    name: "cacerts-layout",
    severity: Severity::Error,
    help: "Write cacerts in istio-system, with ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem (or tls.crt, tls.key and ca.crt).",
    docs: r#"## What it does
Checks istiod's plug-in CA Secret `cacerts`: a cert-manager Certificate writing `cacerts`
must be in `istio-system` (cert-manager writes `tls.crt`, `tls.key` and `ca.crt`, which
istiod reads), and a hand-written `istio-system/cacerts` Secret must hold Istio's layout —
`ca-cert.pem`, `ca-key.pem`, `root-cert.pem`, `cert-chain.pem` — or cert-manager's. A
`cacerts` Certificate without `isCA: true` is MW502.

## Why is this bad?
istiod reads only `istio-system/cacerts` with a complete layout; otherwise it fails to load
the plug-in CA or signs workload certificates with its own self-signed CA, which other
clusters do not trust.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
data:
  ca-cert.pem: LS0t...
  ca-key.pem: LS0t...
```

## Use instead
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
data:
  ca-cert.pem: LS0t...
  ca-key.pem: LS0t...
  root-cert.pem: LS0t...
  cert-chain.pem: LS0t...
```
"#,
};

pub static RULE: RepoRule = RepoRule { code: &CODE, check };

/// Istio's plug-in CA files.
const ISTIO_LAYOUT: [&str; 4] = [
    "ca-cert.pem",
    "ca-key.pem",
    "root-cert.pem",
    "cert-chain.pem",
];
/// What cert-manager writes, which istiod also reads.
const TLS_LAYOUT: [&str; 3] = ["tls.crt", "tls.key", "ca.crt"];

fn check(repo: &Repo) -> Vec<Finding> {
    let mut findings = Vec::new();
    for cluster in repo.clusters {
        for certificate in certificates(cluster.objects) {
            if certificate.str_at(&["spec", "secretName"]) != Some(CACERTS)
                || namespace(certificate) == ROOT_NAMESPACE
            {
                continue;
            }
            let node = certificate
                .at(&["metadata", "namespace"])
                .or(certificate.at(&["spec", "secretName"]))
                .unwrap_or(certificate);
            findings.push(
                Finding::new(
                    &CODE,
                    format!(
                        "Certificate {} writes {}/cacerts, but istiod reads its plug-in CA only from {ROOT_NAMESPACE}/cacerts: istiod keeps signing with its self-signed CA",
                        name(certificate),
                        namespace(certificate)
                    ),
                    Some(node.origin.clone()),
                )
                .on(certificate),
            );
        }
        for secret in cluster.objects.iter().filter(|o| is_cacerts_secret(o)) {
            if let Some((message, node)) = layout_problem(secret) {
                findings.push(Finding::new(&CODE, message, Some(node.origin.clone())).on(secret));
            }
        }
    }
    findings
}

fn is_cacerts_secret(object: &Node) -> bool {
    object.str_at(&["kind"]) == Some("Secret")
        && object.str_at(&["apiVersion"]) == Some("v1")
        && name(object) == CACERTS
        && namespace(object) == ROOT_NAMESPACE
}

/// What is missing from a `cacerts` Secret, and where to point.
fn layout_problem(secret: &Node) -> Option<(String, &Node)> {
    let maps: Vec<&Node> = ["data", "stringData"]
        .iter()
        .filter_map(|k| secret.get(k))
        .collect();
    let keys: Vec<&str> = maps
        .iter()
        .filter_map(|m| m.as_map())
        .flatten()
        .map(|(k, _)| k.as_str())
        .collect();
    let missing = |layout: &[&'static str]| -> Vec<&'static str> {
        layout
            .iter()
            .copied()
            .filter(|k| !keys.contains(k))
            .collect()
    };
    let (istio, tls) = (missing(&ISTIO_LAYOUT), missing(&TLS_LAYOUT));
    if istio.is_empty() || tls.is_empty() {
        return None;
    }
    // The layout the Secret was meant to have: the one with more of its keys present.
    let nearest = if ISTIO_LAYOUT.len() - istio.len() >= TLS_LAYOUT.len() - tls.len() {
        &istio
    } else {
        &tls
    };
    // Point at the first key's value: a mapping has no position of its own to edit.
    let node = maps
        .iter()
        .filter_map(|m| m.as_map()?.first())
        .map(|(_, value)| value)
        .next()
        .unwrap_or(name_node(secret));
    Some((
        format!(
            "Secret {ROOT_NAMESPACE}/cacerts lacks {}: istiod needs ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem (or tls.crt, tls.key and ca.crt), else it fails to load the plug-in CA or falls back to its self-signed one",
            nearest.join(", ")
        ),
        node,
    ))
}
